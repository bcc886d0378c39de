from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.run import import_files
from articles.importers.sidecar import Editorial, parse_published_at
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Import scraped article pages. A page's editorial metadata (publish time, section, tags, "
        "related headlines) may sit beside it in a .toml file of the same name."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Scraped page files (.txt).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import in a transaction that is rolled back; report what it did.",
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

        counts = {"created": 0, "updated": 0, "failed": 0, "to check": 0}
        for outcome in import_files(paths, defaults=defaults, dry_run=dry_run):
            if outcome.error:
                counts["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{outcome.name}: {outcome.error}"))
                continue
            action = "created" if outcome.result.created else "updated"
            counts[action] += 1
            verb = f"would be {action}" if dry_run else action
            self.stdout.write(f"{outcome.name}: {verb} {outcome.result.article.slug}")
            for warning in outcome.warnings:
                self.stderr.write(self.style.WARNING(f"{outcome.name}: check: {warning}"))
            counts["to check"] += bool(outcome.warnings)

        prefix = "Dry run, nothing written: " if dry_run else ""
        summary = (
            f"{prefix}{counts['created']} created, {counts['updated']} updated, "
            f"{counts['failed']} failed."
        )
        if counts["to check"]:
            summary += f" {counts['to check']} to check (see the warnings above)."
        if counts["failed"]:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
