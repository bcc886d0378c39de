"""Page-number pagination that refuses what it cannot serve instead of guessing."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from articles.metadata import absolute


class ApiPagination(PageNumberPagination):
    """``?page=N&page_size=M``: a page size over the limit or a page that is no number is a
    400; a page past the last one is a 404."""

    page_size_query_param = "page_size"

    @property
    def page_size(self):
        return settings.API_PAGE_SIZE

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        limit = self.max_page_size
        if not raw.isdigit() or not 1 <= int(raw) <= limit:
            raise ValidationError({"page_size": [f"A whole number from 1 to {limit}."]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": ["A whole number from 1."]})
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(int(raw))
        except InvalidPage as error:
            raise NotFound(f"There is no page {raw}; the last is {paginator.num_pages}.") from error
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": _on_site_origin(self.get_next_link()),
                "previous": _on_site_origin(self.get_previous_link()),
                "results": data,
            }
        )


def _on_site_origin(link: str | None) -> str | None:
    """DRF builds page links on the request's host; every URL the API gives is on SITE_URL."""
    if link is None:
        return None
    return absolute(urlsplit(link)._replace(scheme="", netloc="").geturl())
