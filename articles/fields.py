"""Model fields shared by the desk's own records (fronts, banners, notes)."""

from django.conf import settings
from django.db import models


def recorded_user(verbose_name: str | None = None) -> models.ForeignKey:
    """The staff account that made a change, set by the admin; kept if the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
