"""Search and filtering of published articles, at /search/ (django-filter)."""

import django_filters
from django import forms

from articles.caching import LATEST, kept_until_moved
from articles.models import Article, Section
from articles.search import MAX_QUERY_LENGTH, search_articles

# The tag and author menus offer the few most used in the latest stories (hundreds of options
# would be most of the page's weight, and counting the whole archive most of its time); any
# other tag or author still works in the URL, and is shown when chosen.
SHORT_LIST_SIZE = 15
SHORT_LIST_WINDOW = 500
# Kept until the list of stories moves (a story published, edited or withdrawn); bounded in
# time too, since a byline or a tag changed alone does not move that list.
SHORT_LIST_SECONDS = 600


def _short_list(name, build):
    return kept_until_moved(
        f"search:short-list:{name}:{SHORT_LIST_SIZE}",
        [LATEST],
        lambda: [(item.slug, item.name) for item in build()[:SHORT_LIST_SIZE]],
        SHORT_LIST_SECONDS,
    )


def _latest_stories():
    return Article.objects.published().order_by("-published_at", "-pk")[:SHORT_LIST_WINDOW]


def most_used_tags():
    return _short_list("tags", lambda: _latest_stories().most_used_tags())


def most_bylined_authors():
    return _short_list("authors", lambda: _latest_stories().most_bylined_authors())


SHORT_LISTS = {"tag": most_used_tags, "author": most_bylined_authors}


def _authors_with_stories(request):
    return Article.objects.published().bylined_authors().only("name", "slug")


def _tags_with_stories(request):
    return Article.objects.published().used_tags().order_by("name")


class ArticleFilterForm(forms.Form):
    """The filters' own checks, for every client of the filters (the search page and the API)."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_after"), cleaned.get("published_before")
        if start and end and start > end:
            self.add_error("published_before", "The end date is before the start date.")
        return cleaned


class SearchPageForm(ArticleFilterForm):
    """The search page's form: its tag and author menus offer the short lists (an API client
    never sees a menu, so it never pays for them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, short_list in SHORT_LISTS.items():
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label), *short_list()]

    def full_clean(self):
        super().full_clean()
        # A tag or author chosen from a link (not from the menu) stays visible and selected.
        for name in SHORT_LISTS:
            chosen = getattr(self, "cleaned_data", {}).get(name)
            widget = self.fields[name].widget
            if chosen is not None and chosen.slug not in {value for value, _ in widget.choices}:
                widget.choices = [*widget.choices, (chosen.slug, chosen.name)]


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
        form = SearchPageForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return search_articles(queryset, value) if value else queryset

    def filter_sort(self, queryset, name, value):
        if value == "newest":
            return queryset.order_by("-published_at", "-pk")
        if value == "oldest":
            return queryset.order_by("published_at", "pk")
        return queryset  # relevance: as the text search ranked them, else newest first
