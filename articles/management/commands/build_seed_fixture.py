from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from articles.models import Article

SEED_SOURCE = settings.BASE_DIR / "fixtures" / "source"
SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "seed.json"
# What the fixture holds: the newsroom's content and its tags, nothing about users or sessions.
FIXTURE_MODELS = ["articles", "taggit.tag", "taggit.taggeditem"]


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/seed.json by importing fixtures/source/*.txt into an empty database "
        "(see `make fixtures`) and dumping the result."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=SEED_FIXTURE)

    def handle(self, *args, output, **options):
        if Article.objects.exists():
            raise CommandError("Run this on an empty database, so the fixture's ids are stable.")
        pages = sorted(SEED_SOURCE.glob("*.txt"))
        if not pages:
            raise CommandError(f"No seed pages in {SEED_SOURCE}.")
        call_command("import_articles", *pages, stdout=self.stdout, stderr=self.stderr)
        # Record times would differ on every build; pin them to the publish time so the
        # committed fixture is reproducible byte for byte.
        Article.objects.update(created_at=F("published_at"), updated_at=F("published_at"))
        call_command(
            "dumpdata",
            *FIXTURE_MODELS,
            natural_foreign=True,
            indent=2,
            output=str(output),
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
