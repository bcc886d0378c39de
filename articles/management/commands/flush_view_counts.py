"""Write the article views counted in the cache to the database (run it from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from articles import view_counts


class Command(BaseCommand):
    help = (
        "Write the article views counted in the cache to the database, including any a "
        "stopped or crashed worker left unwritten. The site does this by itself every few "
        "seconds while it has readers; run this from cron so quiet hours are written too."
    )

    def handle(self, *args, **options):
        try:
            written = view_counts.flush()
        except (DatabaseError, *view_counts.STORE_ERRORS) as error:
            raise CommandError(f"View counts kept for the next run: {error}") from error
        self.stdout.write(f"View counts written for {written} articles.")
