from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = "Load the seed fixture into a database that has no articles yet; otherwise do nothing."

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("Articles already present; seed fixture not loaded.")
            return
        call_command("loaddata", "seed", stdout=self.stdout)
