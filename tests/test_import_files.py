"""Reading an operator's files: only regular text files, within the size limit, named safely."""

import codecs
import os
import threading

import pytest

from articles.importers.files import FileRefused, read_text_file, shown

LIMIT = 1024 * 1024


def test_fifo_is_refused_at_once(tmp_path):
    """A named pipe is refused without waiting for a writer (it used to hang forever)."""
    fifo = tmp_path / "page.txt"
    os.mkfifo(fifo)
    outcome = {}
    reader = threading.Thread(target=lambda: outcome.update(error=_refusal(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert "FIFO" in outcome["error"]


@pytest.mark.parametrize(
    ("target", "kind"),
    [("/dev/zero", "a device"), ("/dev/null", "a device")],
)
def test_links_to_devices_are_refused(tmp_path, target, kind):
    """A link to /dev/zero is refused before reading (it used to eat all memory)."""
    link = tmp_path / "page.txt"
    link.symlink_to(target)
    assert kind in _refusal(link)


def test_directory_is_refused(tmp_path):
    """A directory, or a link to one, is not a page."""
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "link.txt").symlink_to(tmp_path / "folder.txt")
    assert "a directory" in _refusal(tmp_path / "folder.txt")
    assert "a directory" in _refusal(tmp_path / "link.txt")


def test_link_to_a_regular_file_is_read(tmp_path):
    """A link to an ordinary page is an ordinary page."""
    (tmp_path / "real.txt").write_text("Text", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert read_text_file(tmp_path / "link.txt", max_bytes=LIMIT) == "Text"


def test_size_limit_is_checked_before_reading(tmp_path):
    """A file over the limit is refused with the limit named."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    assert "IMPORT_MAX_BYTES" in _refusal(big, max_bytes=1024)
    assert read_text_file(big, max_bytes=2048) == "a" * 2048


@pytest.mark.parametrize(
    ("encoded", "name"),
    [
        (codecs.BOM_UTF8 + b"Headline", "UTF-8 with a BOM"),
        (codecs.BOM_UTF16_LE + "Headline".encode("utf-16-le"), "UTF-16 LE"),
        (codecs.BOM_UTF16_BE + "Headline".encode("utf-16-be"), "UTF-16 BE"),
        (codecs.BOM_UTF32_LE + "Headline".encode("utf-32-le"), "UTF-32 LE"),
    ],
)
def test_text_with_a_byte_order_mark_is_decoded(tmp_path, encoded, name):
    """Text saved by Windows editors ("Unicode", with a BOM) is read as text."""
    path = tmp_path / "page.txt"
    path.write_bytes(encoded)
    assert read_text_file(path, max_bytes=LIMIT) == "Headline", name


def test_utf16_without_a_mark_is_named_as_utf16(tmp_path):
    """UTF-16 without a byte-order mark is refused as UTF-16, not called binary."""
    path = tmp_path / "page.txt"
    path.write_bytes("Headline\n\nJane Roe Views\n".encode("utf-16-le"))
    assert "UTF-16" in _refusal(path)


def test_crlf_text_is_read(tmp_path):
    """Windows line ends are kept for the parser, which reads them as line ends."""
    path = tmp_path / "page.txt"
    path.write_bytes(b"Headline\r\n\r\nBody\r\n")
    assert read_text_file(path, max_bytes=LIMIT).splitlines() == ["Headline", "", "Body"]


def test_file_names_are_printed_without_escape_sequences():
    """Control characters and undecodable bytes in a name are shown escaped, never sent raw."""
    assert shown("evil\x1b[2J.txt") == "evil\\x1b[2J.txt"
    assert shown(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert shown("기사.txt") == "기사.txt"


def _refusal(path, max_bytes=LIMIT) -> str:
    with pytest.raises(FileRefused) as caught:
        read_text_file(path, max_bytes=max_bytes)
    return str(caught.value)
