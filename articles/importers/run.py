"""An import run: read each file, parse it, write the pages in batches, report each file once.

One bad file (unreadable, not a page, a bad sidecar, a value the database cannot hold) is
reported with its reason and never stops the others. A dry run is the same run inside one
transaction that is rolled back at the end, so it reports exactly what a real run would do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.importers.files import FileRefused, read_text_file, shown
from articles.importers.parser import PageError, parse_article_page
from articles.importers.sidecar import SIDECAR_SUFFIX, Editorial, read_sidecar, sidecar_path
from articles.importers.writer import Page, PageResult, write_pages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: its article, or why nothing of it was written."""

    name: str  # the file's name, safe to print
    result: PageResult | None = None
    error: str = ""
    warnings: tuple[str, ...] = ()


def import_files(
    paths: Iterable[Path], *, defaults: Editorial, dry_run: bool = False
) -> Iterator[Outcome]:
    """Import ``paths``, yielding an Outcome per file as soon as it is known.

    Read failures are reported at once; written pages when their batch is written.
    """
    pages, sidecars_alone = _pages_and_lone_sidecars(paths)
    yield from sidecars_alone
    with transaction.atomic() if dry_run else nullcontext():
        yield from _import(pages, defaults)
        if dry_run:
            transaction.set_rollback(True)


def _pages_and_lone_sidecars(paths: Iterable[Path]) -> tuple[list[Path], list[Outcome]]:
    """The pages to read, and an Outcome for each sidecar named without its page.

    ``import_articles pages/*`` names every page's sidecar too: one named with its page is read
    with it; one named alone is not a page, and importing it would import nothing.
    """
    paths = [Path(path) for path in paths]
    sidecars_of_pages = {sidecar_path(path) for path in paths if path.suffix != SIDECAR_SUFFIX}
    pages, sidecars_alone = [], []
    for path in paths:
        if path.suffix != SIDECAR_SUFFIX:
            pages.append(path)
        elif path not in sidecars_of_pages:
            sidecars_alone.append(
                Outcome(
                    shown(path),
                    error="a sidecar, not a page: name its page (the file of the same name "
                    "beside it) to import both",
                )
            )
    return pages, sidecars_alone


def _import(paths: Iterable[Path], defaults: Editorial) -> Iterator[Outcome]:
    refused: list[Outcome] = []
    # Pages without a source URL are known by their headline: a second file with the same
    # headline updates the first one's article, which the operator should hear about.
    headline_files: dict[str, str] = {}

    def pages() -> Iterator[Page]:
        for page in (_read_or_refuse(path, defaults) for path in paths):
            if isinstance(page, Outcome):
                refused.append(page)
                continue
            if not page.source_url:
                first = headline_files.setdefault(page.parsed.headline, page.name)
                if first != page.name:
                    page = _with_warning(
                        page,
                        f"same headline as {first} and no source URL: it updates that "
                        "article (give each page its URL line to keep them apart)",
                    )
            yield page

    for page, result in write_pages(pages()):
        yield from _drain(refused)
        if isinstance(result, ValidationError):
            yield Outcome(page.name, error=f"not saved: {_describe(result)}")
        else:
            yield Outcome(page.name, result=result, warnings=result.warnings)
    yield from _drain(refused)


def _read_or_refuse(path: Path, defaults: Editorial) -> Page | Outcome:
    """The page in ``path``, or the Outcome that says why it cannot be imported."""
    name = shown(path)
    try:
        return _read(path, name, defaults)
    except (PageError, FileRefused) as error:
        return Outcome(name, error=str(error))
    except Exception as error:  # a page no rule foresaw must not stop the run
        logger.exception("Importing %s failed", name)
        return Outcome(name, error=f"could not be imported ({error!r})")


def _read(path: Path, name: str, defaults: Editorial) -> Page:
    text = read_text_file(path, max_bytes=settings.NEWSROOM_IMPORT_MAX_BYTES)
    parsed = parse_article_page(text)
    editorial = read_sidecar(Path(path)).merged_over(defaults)
    return Page(parsed, editorial, name=name)


def _with_warning(page: Page, warning: str) -> Page:
    parsed = replace(page.parsed, warnings=(*page.parsed.warnings, warning))
    return replace(page, parsed=parsed)


def _drain(refused: list[Outcome]) -> Iterator[Outcome]:
    while refused:
        yield refused.pop(0)


def _describe(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return " ".join(error.messages)
