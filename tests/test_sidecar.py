"""Sidecar files: every value checked for its type and range, refused with the file and key."""

import datetime as dt

import pytest

from articles.importers.parser import PageError
from articles.importers.sidecar import Editorial, read_sidecar


def sidecar(tmp_path, content: str | bytes):
    page = tmp_path / "page.txt"
    path = tmp_path / "page.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return page


def test_sidecar_is_read(tmp_path):
    """A page's .toml sidecar gives its publish time, section, tags and related headlines."""
    editorial = read_sidecar(
        sidecar(
            tmp_path,
            'status = "published"\npublished_at = 2024-11-04T09:30:00+09:00\n'
            'section = "World"\ntags = ["Russia", "북한"]\nrelated = ["Another headline"]\n'
            "editors_pick = false\n",
        )
    )
    assert editorial.status == "published"
    assert editorial.published_at == dt.datetime(2024, 11, 4, 0, 30, tzinfo=dt.UTC)
    assert editorial.tags == ("Russia", "북한")
    assert editorial.related == ("Another headline",)
    assert editorial.editors_pick is False


def test_no_sidecar_decides_nothing(tmp_path):
    """A page without a sidecar leaves every decision to the run's options."""
    assert read_sidecar(tmp_path / "page.txt") == Editorial()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("status = [", "not valid TOML"),
        ('colour = "red"', "unknown keys colour"),
        ('status = "archived"', "status: must be one of"),
        ('published_at = "last Tuesday"', "published_at: 'last Tuesday' is not an ISO 8601"),
        ("published_at = 12", "published_at: must be a date or date-time, not a number"),
        (
            "published_at = 0001-01-01T00:00:00+09:00",
            "published_at: 0001-01-01T00:00:00+09:00 is out of range",
        ),
        ('published_at = "9999-12-31"', "is out of range"),
        (
            'editors_pick = "false"',
            "editors_pick: must be true or false (without quotes), not a string",
        ),
        ("editors_pick = 1", "editors_pick: must be true or false"),
        ("section = 3", "section: must be a string, not a number"),
        ('section = ["World"]', "section: must be a string, not a list"),
        ("tags = 3", "tags: must be a list of strings, not a number"),
        ("tags = [1, 2]", "tags: must be a list of strings"),
        (f'tags = ["{"x" * 101}"]', "tags: at most 100 characters each"),
        ('tags = [""]', "tags: an entry is empty"),
        ("tags = [" + ", ".join(f'"t{n}"' for n in range(51)) + "]", "tags: at most 50 entries"),
        ('related = [""]', "related: an entry is empty"),
        ("dek = true", "dek: must be a string, not true/false"),
        ("related = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_bad_sidecar_values_are_refused_with_file_and_key(tmp_path, content, message):
    """A malformed sidecar names the file and the problem, and never crashes the run."""
    with pytest.raises(PageError, match="sidecar page.toml") as caught:
        read_sidecar(sidecar(tmp_path, content))
    assert message in str(caught.value)


def test_sidecar_that_is_a_fifo_is_refused(tmp_path):
    """A sidecar is read as safely as a page: a FIFO is refused at once."""
    import os

    os.mkfifo(tmp_path / "page.toml")
    with pytest.raises(PageError, match="FIFO"):
        read_sidecar(tmp_path / "page.txt")


def test_control_characters_are_stripped_from_sidecar_text(tmp_path):
    """Control characters never reach a dek, section or tag."""
    editorial = read_sidecar(
        sidecar(tmp_path, 'dek = "A\\u0007 dek"\nsection = "Wor\\u001bld"\ntags = ["Ta\\u0000g"]')
    )
    assert (editorial.dek, editorial.section, editorial.tags) == ("A dek", "World", ("Tag",))


def test_sidecar_in_utf16_is_read(tmp_path):
    """A sidecar saved as UTF-16 with a byte-order mark is read like any text."""
    import codecs

    page = sidecar(tmp_path, codecs.BOM_UTF16_LE + 'section = "World"'.encode("utf-16-le"))
    assert read_sidecar(page).section == "World"
