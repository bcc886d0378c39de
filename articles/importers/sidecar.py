"""What the desk decides about an imported page: the run's options and a page's sidecar file.

A page's editorial metadata can sit beside it in a TOML file of the same name (``page.toml`` next
to ``page.txt``). Every value is checked for its type and range here, and refused with the key
named, so nothing a sidecar says can crash a run or be stored as something else.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from articles.importers.files import FileRefused, read_text_file, shown
from articles.importers.parser import PageError
from articles.models import Article
from articles.text import strip_control_characters

SIDECAR_SUFFIX = ".toml"
# Dates an archive can hold: older or later is a typing error (and year 1 cannot even be moved
# to UTC without overflowing).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
MAX_TAGS = 50
MAX_RELATED = 50
MAX_TAG_CHARS = 100  # taggit's Tag.name


@dataclass(frozen=True)
class Editorial:
    """What the desk decides about an imported page, beyond what the page itself says.

    ``None`` means "not decided here": a new article gets the default, an existing one keeps
    what an editor set.
    """

    status: str | None = None
    published_at: dt.datetime | None = None
    section: str = ""
    source_url: str = ""
    dek: str = ""
    tags: tuple[str, ...] | None = None
    related: tuple[str, ...] = ()
    editors_pick: bool | None = None

    def merged_over(self, defaults: Editorial) -> Editorial:
        """This page's own decisions, falling back to the run's defaults."""
        return Editorial(
            status=self.status if self.status is not None else defaults.status,
            published_at=self.published_at or defaults.published_at,
            section=self.section or defaults.section,
            source_url=self.source_url or defaults.source_url,
            dek=self.dek or defaults.dek,
            tags=self.tags if self.tags is not None else defaults.tags,
            related=self.related or defaults.related,
            editors_pick=self.editors_pick
            if self.editors_pick is not None
            else defaults.editors_pick,
        )


def parse_published_at(value: str | dt.datetime | dt.date) -> dt.datetime:
    """An ISO 8601 date or date-time between 1900 and 2200; a date or a naive time is read in
    the site's time zone."""
    example = "e.g. 2024-11-04T09:30+09:00"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(
                f"'{value}' is not an ISO 8601 date or date-time ({example})"
            ) from error
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{value!r} is not a date or date-time ({example})")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            f"{value.isoformat()} is out of range: dates from {EARLIEST_YEAR} to {LATEST_YEAR}"
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def sidecar_path(page_path: Path) -> Path:
    """Where a page's sidecar is: ``page.toml`` beside ``page.txt``."""
    return Path(page_path).with_suffix(SIDECAR_SUFFIX)


def read_sidecar(page_path: Path) -> Editorial:
    """Editorial metadata from ``page.toml`` beside ``page.txt``, or nothing if there is none."""
    path = sidecar_path(page_path)
    if not path.exists() and not path.is_symlink():
        return Editorial()
    name = f"sidecar {shown(path.name)}"
    try:
        data = tomllib.loads(read_text_file(path, max_bytes=settings.NEWSROOM_IMPORT_MAX_BYTES))
    except FileRefused as error:
        raise PageError(f"{name}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise PageError(f"{name}: not valid TOML ({error})") from error
    except RecursionError as error:
        raise PageError(f"{name}: values nested too deeply to be metadata") from error
    unknown = set(data) - set(SIDECAR_KEYS)
    if unknown:
        raise PageError(f"{name}: unknown keys {', '.join(sorted(map(shown, unknown)))}")
    values = {}
    for key, value in data.items():
        try:
            values[key] = SIDECAR_KEYS[key](value)
        except (TypeError, ValueError, OverflowError) as error:
            raise PageError(f"{name}: {key}: {error}") from error
    return Editorial(**values)


def _text(value, *, what: str = "a string") -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be {what}, not {_type_name(value)}")
    return strip_control_characters(value).strip()


def _texts(value, *, most: int, longest: int | None = None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"must be a list of strings, not {_type_name(value)}")
    if len(value) > most:
        raise ValueError(f"at most {most} entries, not {len(value):,}")
    texts = tuple(_text(item, what="a list of strings") for item in value)
    for text in texts:
        if not text:
            raise ValueError("an entry is empty")
        if longest is not None and len(text) > longest:
            raise ValueError(f"at most {longest} characters each ({text[:40]}…)")
    return tuple(dict.fromkeys(texts))


def _status(value) -> str:
    value = _text(value)
    if value not in Article.Status.values:
        raise ValueError(f"must be one of {', '.join(Article.Status.values)}")
    return value


def _boolean(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false (without quotes), not {_type_name(value)}")
    return value


def _published_at(value) -> dt.datetime:
    if not isinstance(value, str | dt.date):
        raise TypeError(f"must be a date or date-time, not {_type_name(value)}")
    return parse_published_at(value)


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


SIDECAR_KEYS = {
    "status": _status,
    "published_at": _published_at,
    "section": _text,
    "source_url": _text,
    "dek": _text,
    "tags": lambda value: _texts(value, most=MAX_TAGS, longest=MAX_TAG_CHARS),
    "related": lambda value: _texts(value, most=MAX_RELATED),
    "editors_pick": _boolean,
}
