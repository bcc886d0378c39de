from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from articles.importers.batch import identity, save_parsed_batch
from articles.importers.loader import (
    Editorial,
    parse_published_at,
    read_sidecar,
    save_parsed_article,
)
from articles.importers.parser import PageError, parse_article_page, read_page
from articles.models import Article

# Pages written together in one transaction with bulk queries (see importers/batch.py).
BATCH_SIZE = 200


class DryRunRollback(Exception):
    """Raised inside a dry run's transaction so that nothing it wrote is kept."""


class Command(BaseCommand):
    help = (
        "Import scraped article pages. A page's editorial metadata (publish time, section, tags, "
        "related headlines) may sit beside it in a .toml file of the same name."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Scraped page files (.txt).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report; write nothing."
        )
        parser.add_argument(
            "--status",
            choices=[Article.Status.DRAFT, Article.Status.PUBLISHED],
            default=None,
            help="Status of newly imported articles (default: draft, so an editor reviews "
            "scraped text before readers see it). Re-imports keep the status unless given.",
        )
        parser.add_argument(
            "--published-at",
            default=None,
            help="Publish time as ISO 8601 (e.g. 2024-11-04T09:30+09:00); a date means midnight.",
        )
        parser.add_argument(
            "--section",
            default="",
            help="Section for pages that do not name one (a page's own section wins).",
        )

    def handle(self, *args, paths, dry_run, status, published_at, section, **options):
        try:
            run_published_at = parse_published_at(published_at) if published_at else None
        except ValueError as error:
            raise CommandError(f"--published-at: {error}") from error
        defaults = Editorial(status=status, published_at=run_published_at, section=section)

        counts = {"created": 0, "updated": 0, "failed": 0}
        batch: list[tuple[Path, object, Editorial | None]] = []
        seen: set[tuple[str, str]] = set()
        for path in paths:
            try:
                parsed = parse_article_page(read_page(path))
                editorial = read_sidecar(path).merged_over(defaults)
            except PageError as error:
                batch.append((path, error, None))
                continue
            key = identity(parsed, editorial)
            # A page that comes back in the same run updates what the first one made, so the
            # batch holding the first is written before it.
            if key in seen or (key[0] and ("", key[1]) in seen):
                self._write_batch(batch, counts, dry_run=dry_run)
                batch, seen = [], set()
            seen.add(key)
            batch.append((path, parsed, editorial))
            if len(batch) >= BATCH_SIZE:
                self._write_batch(batch, counts, dry_run=dry_run)
                batch, seen = [], set()
        self._write_batch(batch, counts, dry_run=dry_run)

        prefix = "Dry run, nothing written: " if dry_run else ""
        summary = (
            f"{prefix}{counts['created']} created, {counts['updated']} updated, "
            f"{counts['failed']} failed."
        )
        if counts["failed"]:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))

    def _write_batch(self, batch, counts, *, dry_run):
        """Save a batch's pages and report each, in the order they were given."""
        pages = [(parsed, editorial) for _, parsed, editorial in batch if editorial is not None]
        results = None
        if pages and not dry_run:
            try:
                results = iter(save_parsed_batch(pages))
            except DatabaseError:
                # Rolled back as a whole: page by page, each file gets its own error.
                results = None
        for path, parsed, editorial in batch:
            if editorial is None:
                counts["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{path}: {parsed}"))
                continue
            try:
                result = next(results) if results is not None else None
                if isinstance(result, Exception):
                    raise result
                if result is None:
                    result = self._save(parsed, editorial, dry_run=dry_run)
            except (ValidationError, DatabaseError) as error:
                counts["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{path}: not saved: {_describe(error)}"))
                continue
            action = "created" if result.created else "updated"
            counts[action] += 1
            verb = f"would be {action}" if dry_run else action
            self.stdout.write(f"{path}: {verb} {result.article.slug}")

    def _save(self, parsed, editorial, *, dry_run):
        if not dry_run:
            return save_parsed_article(parsed=parsed, editorial=editorial)
        # A dry run does the real work in a transaction and throws it away, so its report of
        # created and updated articles is exactly what a real run would do.
        try:
            with transaction.atomic():
                result = save_parsed_article(parsed=parsed, editorial=editorial)
                raise DryRunRollback
        except DryRunRollback:
            return result


def _describe(error) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return str(error)
