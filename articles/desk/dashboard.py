"""The admin's first page: the articles waiting on someone, each list with its count and link.

A reporter's lists hold their own articles (those on whose byline they stand); an editor's hold
the whole desk's, plus their own drafts.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Prefetch
from django.urls import reverse

from articles import workflow
from articles.desk.models import EditorialNote
from articles.models import Article

PANEL_SIZE = 5


@dataclasses.dataclass
class Panel:
    key: str
    title: str
    count: int
    articles: list[Article]
    link: str
    empty: str
    date_label: str  # which date each row shows: "updated", "publishes", "published"


def _changelist(**params) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return reverse("admin:articles_article_changelist") + (f"?{query}" if query else "")


def panels(user) -> list[Panel]:
    """The dashboard's lists for ``user``, in a fixed number of queries (two per list)."""
    mine_only = not workflow.can_edit_any(user)
    articles = Article.objects.select_related("section").defer("body")
    own = articles.bylined_to(user)
    scope = own if mine_only else articles
    mine = {"mine": 1} if mine_only else {}
    latest_note = Prefetch(
        "notes",
        queryset=EditorialNote.objects.select_related("author").order_by("-created_at", "-pk"),
        to_attr="notes_newest_first",
    )
    lists = [
        (
            "review",
            "In review",
            scope.filter(status=Article.Status.REVIEW)
            .order_by("updated_at", "pk")
            .prefetch_related(latest_note),
            _changelist(state="review", **mine),
            "Nothing is waiting for an editor.",
            "updated",
        ),
        (
            "scheduled",
            "Scheduled",
            scope.scheduled().order_by("published_at", "pk"),
            _changelist(state="scheduled", **mine),
            "Nothing is scheduled.",
            "publishes",
        ),
        (
            "drafts",
            "My drafts",
            own.filter(status=Article.Status.DRAFT)
            .order_by("-updated_at", "-pk")
            .prefetch_related(latest_note),
            _changelist(state="draft", mine=1),
            "No drafts on your byline.",
            "updated",
        ),
        (
            "published",
            "Recently published",
            scope.published().order_by("-published_at", "-pk"),
            _changelist(state="published", **mine),
            "Nothing published yet.",
            "published",
        ),
        (
            "licence",
            "Photo licence ended",
            scope.with_ended_image_licence().order_by("-published_at", "-pk"),
            _changelist(licence="ended", **mine),
            "No published story shows a photo whose licence has ended.",
            "published",
        ),
    ]
    return [
        Panel(key, title, queryset.count(), list(queryset[:PANEL_SIZE]), link, empty, date_label)
        for key, title, queryset, link, empty, date_label in lists
    ]
