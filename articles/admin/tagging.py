"""Tags in the admin: the search behind the article form's tag box (Select2's JSON protocol),
and django-taggit's tag admin with the desk's form rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from taggit.admin import TagAdmin, TaggedItemInline
from taggit.models import Tag

from articles.forms import DeskModelForm

TAGS_PER_PAGE = 20


def _page_number(value: str) -> int | None:
    """The page asked for: 1 unless a plain number was sent; None for one too long to exist."""
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > 12:
        return None
    return max(int(value), 1)


class TagAutocompleteMixin:
    def tag_autocomplete_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        tags = Tag.objects.order_by("name")
        if term:
            tags = tags.filter(name__icontains=term)
        page = _page_number(request.GET.get("page", ""))
        size = TAGS_PER_PAGE
        # A page past the last is empty; its offset may be too large for the database's integers.
        if page is None or (page > 1 and (page - 1) * size >= tags.count()):
            return JsonResponse({"results": [], "pagination": {"more": False}})
        names = list(tags.values_list("name", flat=True)[(page - 1) * size : page * size + 1])
        return JsonResponse(
            {
                "results": [{"id": name, "text": name} for name in names[:size]],
                "pagination": {"more": len(names) > size},
            }
        )


class DeskTaggedItemInline(TaggedItemInline):
    form = DeskModelForm


class DeskTagAdmin(TagAdmin):
    form = DeskModelForm
    inlines = [DeskTaggedItemInline]
