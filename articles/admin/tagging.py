"""The tag search behind the article form's tag box (Select2's JSON protocol)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from taggit.models import Tag

TAGS_PER_PAGE = 20


class TagAutocompleteMixin:
    def tag_autocomplete_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        tags = Tag.objects.order_by("name")
        if term:
            tags = tags.filter(name__icontains=term)
        page_param = request.GET.get("page", "1")
        page = max(int(page_param), 1) if page_param.isdigit() else 1
        size = TAGS_PER_PAGE
        names = list(tags.values_list("name", flat=True)[(page - 1) * size : page * size + 1])
        return JsonResponse(
            {
                "results": [{"id": name, "text": name} for name in names[:size]],
                "pagination": {"more": len(names) > size},
            }
        )
