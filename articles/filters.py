"""Search and filtering of published articles, at /search/ (django-filter)."""

import django_filters
from django import forms

from articles.models import Article, Section
from articles.search import MAX_QUERY_LENGTH, search_articles


def _authors_with_stories(request):
    return Article.objects.published().bylined_authors().only("name", "slug")


def _tags_with_stories(request):
    return Article.objects.published().used_tags().order_by("name")


class ArticleFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_after"), cleaned.get("published_before")
        if start and end and start > end:
            self.add_error("published_before", "The end date is before the start date.")
        return cleaned


class ArticleFilter(django_filters.FilterSet):
    """Free text, section, tag, author and a date range, all combinable, by slug in the URL.

    The queryset it filters is already ``Article.objects.published()``, so no filter can reach a
    draft.
    """

    SORT_CHOICES = [
        ("relevance", "Best match"),
        ("newest", "Newest first"),
        ("oldest", "Oldest first"),
    ]

    q = django_filters.CharFilter(
        label="Search for",
        method="filter_text",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    section = django_filters.ModelChoiceFilter(
        queryset=Section.objects.only("name", "slug"),
        to_field_name="slug",
        empty_label="Any section",
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        label="Tag",
        queryset=_tags_with_stories,
        to_field_name="slug",
        empty_label="Any tag",
    )
    author = django_filters.ModelChoiceFilter(
        field_name="authors",
        label="Author",
        queryset=_authors_with_stories,
        to_field_name="slug",
        empty_label="Any author",
    )
    published_after = django_filters.DateFilter(
        label="From",
        field_name="published_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_before = django_filters.DateFilter(
        label="To",
        field_name="published_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label="Order",
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Article
        fields = ["q", "section", "tag", "author", "published_after", "published_before", "sort"]
        form = ArticleFilterForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return search_articles(queryset, value) if value else queryset

    def filter_sort(self, queryset, name, value):
        if value == "newest":
            return queryset.order_by("-published_at", "-pk")
        if value == "oldest":
            return queryset.order_by("published_at", "pk")
        return queryset  # relevance: as the text search ranked them, else newest first
