"""Small pieces several admins show: photo thumbnails and counted lists."""

from __future__ import annotations

from django.db.models import Count
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def thumbnail_html(owner, size=64):
    """The smallest rendition of a photo credit's or an author's photo (``RenderedPhoto``)."""
    picture = owner.picture if owner is not None else None
    if picture is None:
        return mark_safe('<span class="nr-thumb nr-thumb--empty" aria-hidden="true"></span>')
    return format_html(
        '<img class="nr-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy">',
        picture.thumbnail_url,
        size,
        round(size * picture.height / picture.width) if picture.width else size,
    )


def with_count(queryset, name: str, relation: str):
    """``queryset`` with ``name`` counting ``relation``, still in the model's own order.

    Aggregation drops Meta.ordering; keeping it gives stable pages and autocomplete results.
    """
    return queryset.annotate(**{name: Count(relation)}).order_by(*queryset.model._meta.ordering)
