"""The API's article filters: the site's search and filters (articles/filters.py), plus
``updated_since`` for clients that keep a copy in step."""

import re

import django_filters
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from articles.filters import ArticleFilter, ArticleFilterForm

# "...T09:30:00+09:00" pasted into a URL unencoded arrives as "...T09:30:00 09:00".
_UNENCODED_OFFSET = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


class OffsetTolerantDateTimeField(IsoDateTimeField):
    def strptime(self, value, format):
        return super().strptime(_UNENCODED_OFFSET.sub(r"\1+\2", value), format)


class OffsetTolerantDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = OffsetTolerantDateTimeField


class ApiArticleFilter(ArticleFilter):
    updated_since = OffsetTolerantDateTimeFilter(
        label="Changed since",
        method="filter_updated_since",
        help_text="ISO 8601, e.g. 2024-11-04T09:30:00+09:00 (without an offset: the site's "
        "time zone). Stories published or changed at or after that moment.",
    )

    class Meta(ArticleFilter.Meta):
        fields = [*ArticleFilter.Meta.fields, "updated_since"]
        form = ArticleFilterForm

    def filter_updated_since(self, queryset, name, value):
        # A scheduled story changes for readers when it goes live, after its last save.
        return queryset.filter(Q(updated_at__gte=value) | Q(published_at__gte=value))
