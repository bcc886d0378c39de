"""What a rendered page shows: the tokens it depends on and the next moment it changes by itself.

Read from the page's template context after rendering, without a query: the article, its
authors, tags, photo credit and every story of every rail (curated or automatic), each listed
article with its authors and photo, the navigation's sections. A response without a template
context (a feed) names what it shows with ``depends_on(...)`` while it renders.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt

from django.core.paginator import Page
from django.db import models
from django.utils import timezone
from taggit.models import Tag

from articles.caching.policy import SECTIONS, article_token, author_token, credit_token, tag_token
from articles.caching.signals import tracked_tokens
from articles.models import Article, Author, ImageCredit, RelatedStory


class Shown:
    """Walks a template context and collects the tokens of what it holds, without queries."""

    MAX_DEPTH = 5

    def __init__(self, now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self.tokens: set[str] = {SECTIONS}
        self.until: dt.datetime | None = None  # the next moment the page changes by itself
        self._seen: set[tuple[type, object]] = set()

    def visit(self, value, depth: int = 0) -> None:
        if value is None or depth > self.MAX_DEPTH or isinstance(value, (str, bytes, int)):
            return
        if isinstance(value, models.Model):
            self._model(value)
        elif isinstance(value, models.QuerySet):
            # Only what the page really rendered; never run a query to find out.
            for item in value._result_cache or ():
                self.visit(item, depth + 1)
        elif isinstance(value, Page):
            self.visit(value.object_list, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                self.visit(item, depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                self.visit(item, depth + 1)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Rails and their items carry the stories they show.
            for field in dataclasses.fields(value):
                self.visit(getattr(value, field.name), depth + 1)

    def merge(self, other: Shown) -> None:
        self.tokens |= other.tokens
        if other.until is not None:
            self.changes_at(other.until)

    def changes_at(self, moment: dt.datetime) -> None:
        if moment > self.now and (self.until is None or moment < self.until):
            self.until = moment

    def _model(self, obj: models.Model) -> None:
        if (type(obj), obj.pk) in self._seen:
            return
        self._seen.add((type(obj), obj.pk))
        if isinstance(obj, Article):
            self._article(obj)
        elif isinstance(obj, Author):
            self.tokens.add(author_token(obj.pk))
        elif isinstance(obj, Tag):
            self.tokens.add(tag_token(obj.pk))
        elif isinstance(obj, ImageCredit):
            self.tokens.add(credit_token(obj.pk))
            # A photo leaves every page the moment its licence ends.
            if "licence_ends_on" in obj.__dict__ and obj.licence_ends_at() is not None:
                self.changes_at(obj.licence_ends_at())
        elif isinstance(obj, RelatedStory):
            self.tokens.add(article_token(obj.article_id))
        else:
            self.tokens.update(tracked_tokens(obj))

    def _article(self, article: Article) -> None:
        self.tokens.add(article_token(article.pk))
        # Read only what the page loaded: a deferred field (a list built with only()) would
        # cost a query per article, and a page cannot show what it did not load.
        loaded = article.__dict__
        if loaded.get("lead_image_id"):
            self.tokens.add(credit_token(loaded["lead_image_id"]))
            credit = Article.lead_image.field.get_cached_value(article, None)
            if credit is not None:
                self._model(credit)
        if "status" in loaded and "published_at" in loaded and article.is_scheduled():
            self.changes_at(article.published_at)
        prefetched = getattr(article, "_prefetched_objects_cache", {})
        for author in prefetched.get("authors", ()):
            self._model(author)
        for tag in prefetched.get("tags", ()):
            self._model(tag)
        for story in prefetched.get("related_stories", ()):
            if story.target_id:
                self.tokens.add(article_token(story.target_id))
                target = RelatedStory.target.field.get_cached_value(story, None)
                if target is not None and target.is_scheduled():
                    # The rail entry becomes a link when its story goes live.
                    self.changes_at(target.published_at)


_collected: contextvars.ContextVar[Shown | None] = contextvars.ContextVar(
    "page_cache_collected", default=None
)


def collect() -> tuple[Shown, contextvars.Token]:
    """Start collecting what the page being rendered names with ``depends_on``."""
    shown = Shown()
    shown.tokens.clear()
    return shown, _collected.set(shown)


def stop_collecting(reset: contextvars.Token) -> None:
    _collected.reset(reset)


def depends_on(*things) -> None:
    """Name what the page being rendered shows, for responses without a template context.

    Each thing is a token (``"list:latest"``), a model instance, or a list or queryset of them.
    """
    collected = _collected.get()
    if collected is None:
        return
    shown = Shown(collected.now)
    for thing in things:
        if isinstance(thing, str):
            collected.tokens.add(thing)
        else:
            shown.visit(thing)
    shown.tokens.discard(SECTIONS)
    collected.merge(shown)
