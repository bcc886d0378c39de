"""Bring stored photos' renditions up to date, e.g. the crops added after they were uploaded."""

from django.core.management.base import BaseCommand, CommandError

from articles.images import RENDITIONS_VERSION, refresh_image_data
from articles.models import Author, ImageCredit


class Command(BaseCommand):
    help = (
        "Make the renditions and crops of photos stored before this version of the site made "
        "them (--all: of every photo). Files already in storage are reused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every photo, not only outdated")

    def handle(self, *args, all=False, **options):
        refreshed, failed = 0, []
        owners = [
            *ImageCredit.objects.exclude(image="").order_by("pk"),
            *Author.objects.exclude(photo="").order_by("pk"),
        ]
        for owner in owners:
            file_field, _, _, renditions_field = owner.photo_fields
            photo = getattr(owner, file_field)
            stored = getattr(owner, renditions_field) or {}
            if not all and stored.get("version") == RENDITIONS_VERSION:
                continue
            try:
                refresh_image_data(owner)
            except OSError as error:  # the file is missing or unreadable in storage
                failed.append(f"{photo.name} ({owner._meta.verbose_name} {owner.pk}): {error}")
                continue
            # Saved once more so the pages showing the photo are refreshed like after an edit.
            owner.save(update_fields=[renditions_field])
            refreshed += 1
        for failure in failed:
            self.stderr.write(failure)
        self.stdout.write(f"{refreshed} photos refreshed, {len(failed)} failed.")
        if failed:
            raise CommandError(f"{len(failed)} photos could not be read.")
