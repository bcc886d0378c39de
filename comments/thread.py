"""What an article page shows of its comments, read in one query and kept on the article."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db.models import FilteredRelation

from articles import caching
from articles.models import Article
from comments.models import Comment, Discussion, comments_token, shown_to_readers

_MEMO = "_comment_thread"


@dataclasses.dataclass
class Entry:
    """A top-level comment and its replies; ``comment`` is None when it was removed but
    readers' replies to it are still shown."""

    comment: Comment | None
    replies: list[Comment] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Thread:
    entries: list[Entry]
    comments: list[Comment]  # every published comment, oldest first
    is_open: bool

    @property
    def count(self) -> int:
        return len(self.comments)


SHOWN_FIELDS = ("id", "parent_id", "user_name", "comment", "submit_date")


def thread_for(article) -> Thread:
    """The published comments of ``article``, oldest first, replies under their comment.

    One query, joined from the article so that it answers even without comments: the editor's
    decision (``Discussion``) and every published comment. Remembered on the article, so the
    page's JSON-LD and its comment section read it once.
    """
    # The cached page showing them is refreshed when they change (comments/apps.py).
    caching.depends_on(comments_token(article.pk))
    memo = article.__dict__.get(_MEMO)
    if memo is not None:
        return memo
    # Readers never see the comments of an article that is not out (a preview, a takedown).
    published = article.is_published()
    state, comments = _read(article.pk) if published else (None, [])
    entries: dict[int, Entry] = {}
    for comment in comments:
        if comment.parent_id is None:
            entries[comment.pk] = Entry(comment)
    for comment in comments:
        if comment.parent_id is not None:
            entry = entries.setdefault(comment.parent_id, Entry(None))
            entry.replies.append(comment)
    # A thread whose first comment was removed sits where its first reply was written.
    ordered = sorted(
        entries.values(),
        key=lambda entry: (entry.comment or entry.replies[0]).submit_date,
    )
    thread = Thread(
        entries=ordered,
        comments=comments,
        is_open=published and Discussion.is_open_for(article, state),
    )
    article.__dict__[_MEMO] = thread
    return thread


def _read(article_pk) -> tuple[str | None, list[Comment]]:
    rows = (
        Article.objects.filter(pk=article_pk)
        .annotate(visible=FilteredRelation("comments", condition=shown_to_readers("comments__")))
        .order_by("visible__submit_date", "visible__id")
        .values_list("discussion__state", *(f"visible__{name}" for name in SHOWN_FIELDS))
    )
    rows = list(rows)  # one row with no comment when there is none
    state = rows[0][0] if rows else None
    comments = [
        Comment(article_id=article_pk, **dict(zip(SHOWN_FIELDS, values, strict=True)))
        for _, *values in rows
        if values[0] is not None
    ]
    return state, comments


def display_settings() -> dict:
    """What the comment templates need to know of the settings."""
    return {
        "premoderated": settings.COMMENTS_PREMODERATION,
        "linkify": settings.COMMENTS_LINKIFY,
    }
