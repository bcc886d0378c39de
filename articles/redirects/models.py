"""One old address of the site and what it answers now.

The model refers to the rest of the app by name only, so ``articles.models`` can register it
without an import circle.
"""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from articles.fields import recorded_user
from articles.text import strip_control_characters


def site_path(value: str) -> str:
    """An address as the site sees it: the path alone, decoded ("/news/북한-미사일/"), so an
    editor may paste a full link, with its query string, or its percent-encoded form."""
    value = strip_control_characters(value).strip()
    if value.startswith(("http://", "https://")):
        value = urlsplit(value).path or "/"
    # Stripped again once decoded: "%00" must not become a NUL either.
    return strip_control_characters(unquote(value.split("?", 1)[0].split("#", 1)[0]))


class RedirectQuerySet(models.QuerySet):
    def gone(self):
        return self.filter(new_path="")


class Redirect(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Article renamed"
        SECTION = "section", "Section renamed"
        AUTHOR = "author", "Author renamed"
        TAG = "tag", "Tag renamed"
        REMOVED = "removed", "Article removed"
        MANUAL = "manual", "Added by hand"

    old_path = models.CharField(
        "old address",
        max_length=500,
        unique=True,
        help_text='The address readers still use, e.g. "/news/old-headline/". A full link is '
        "fine: the site and any ?query are dropped.",
    )
    new_path = models.CharField(
        "now at",
        max_length=500,
        blank=True,
        help_text='Where it answers now: a page of this site ("/news/...") or a full https:// '
        'address (301 Moved Permanently). Empty answers "410 Gone": the page was removed.',
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = recorded_user()

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "redirect"

    def __str__(self):
        return f"{self.old_path} → {self.new_path or '410 Gone'}"

    def save(self, *args, **kwargs):
        self.old_path = site_path(self.old_path)
        self.new_path = strip_control_characters(self.new_path).strip()
        super().save(*args, **kwargs)

    def clean(self):
        self.old_path = site_path(self.old_path)
        self.new_path = strip_control_characters(self.new_path).strip()
        errors = {}
        if not self.old_path.startswith("/") or self.old_path.startswith("//"):
            errors["old_path"] = 'Give an address of this site, starting with "/".'
        elif self.old_path.startswith("/admin/"):
            errors["old_path"] = "The admin's own addresses cannot be redirected."
        if self.new_path:
            if self.new_path.startswith("/") and not self.new_path.startswith("//"):
                if site_path(self.new_path) == self.old_path:
                    errors["new_path"] = "An address cannot lead to itself."
            else:
                try:
                    URLValidator(schemes=["http", "https"])(self.new_path)
                except ValidationError:
                    errors["new_path"] = (
                        'Give a page of this site ("/news/...") or a full https:// address.'
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def is_gone(self) -> bool:
        return not self.new_path
