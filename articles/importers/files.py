"""Reading an operator's files safely: regular files only, a size limit, text in a known encoding.

Nothing here knows what a page says; it only decides whether a file can be read as text at all,
and how to print its name. No Django and no database.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

# Byte-order marks, longest first: the UTF-32 little-endian mark begins with UTF-16's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


class FileRefused(ValueError):
    """The file cannot be read as a text file; the message says why, without the file's name."""


def read_text_file(path: Path | str, *, max_bytes: int) -> str:
    """The text of a regular file of at most ``max_bytes`` bytes.

    UTF-8 (with or without a byte-order mark), and UTF-16 or UTF-32 with a byte-order mark (as
    Windows editors save "Unicode" text). A FIFO, device, directory or a link to one is refused
    before anything is read from it, so nothing can block or read without end; the size is
    checked before reading, and reading stops one byte past the limit whatever the size said.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer. The checks then use the opened
        # file itself, so it cannot be swapped for another between the check and the read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise FileRefused(f"cannot read the file ({error.strerror or error})") from error
    mode = os.fstat(descriptor)
    if not stat.S_ISREG(mode.st_mode):
        os.close(descriptor)
        raise FileRefused(f"not a regular file but {_kind(mode.st_mode)}; it was not read")
    with os.fdopen(descriptor, "rb") as handle:
        if mode.st_size > max_bytes:
            raise FileRefused(
                f"the file is {mode.st_size:,} bytes; at most {max_bytes:,} are read "
                "(IMPORT_MAX_BYTES)"
            )
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise FileRefused(f"cannot read the file ({error.strerror or error})") from error
    if len(data) > max_bytes:
        raise FileRefused(f"the file grew past {max_bytes:,} bytes while it was read")
    return _decode(data)


def _decode(data: bytes) -> str:
    for mark, encoding, name in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data[len(mark) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise FileRefused(
                    f"the file is marked as {name} text but is not valid {name} "
                    f"(bad data at offset {error.start + len(mark)})"
                ) from error
            break
    else:
        if b"\x00" in data:
            if _looks_like_utf16(data):
                raise FileRefused(
                    "the file looks like UTF-16 text without a byte-order mark; save it as "
                    "UTF-8 (or UTF-16 with a byte-order mark)"
                )
            raise FileRefused("the file is binary, not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileRefused(
                f"the file is not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8"
            ) from error
    if "\x00" in text:
        raise FileRefused("the file is binary, not text")
    if not text.strip():
        raise FileRefused("the file is empty")
    return text


def _looks_like_utf16(data: bytes) -> bool:
    # Mostly-ASCII text in UTF-16 has a zero in every other byte.
    sample = data[:4096]
    return len(sample) >= 4 and (
        sample[1::2].count(0) > len(sample) * 0.4 or sample[0::2].count(0) > len(sample) * 0.4
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def shown(path: Path | str) -> str:
    """A file name safe to print: control characters and undecodable bytes are escaped, so a
    hostile name cannot send escape sequences to the operator's terminal."""
    return "".join(
        character if character.isprintable() else _escaped(character) for character in str(path)
    )


def _escaped(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte the file system's encoding could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
