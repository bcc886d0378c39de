"""Writing events about stories into the outbox, in the transaction that changes the story.

What readers could see before and after a save decides the event:

=====================  =====================  ==========================================
before                 after                  event
=====================  =====================  ==========================================
not live               live                   article.published
live                   live                   article.updated (one waiting is enough)
live                   not live               article.unpublished
any                    scheduled              article.published, due at the publish time
=====================  =====================  ==========================================

A scheduled go-live is an event due in the future: the delivery process sends it when its time
comes, with no editor action. Each save replaces the story's go-live that is not due yet, so a
story rescheduled or taken back before its time is announced once, at the right time, or never.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from articles.models import Article
from webhooks.models import EventType, WebhookEvent


def is_live(status: str | None, published_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Article.objects.published()'s rule, for values read before a save."""
    return status == Article.Status.PUBLISHED and published_at is not None and published_at <= now


def identity(article) -> dict:
    """What an event about a story that readers can no longer see still says of it."""
    return {"slug": article.slug, "headline": article.headline}


def record_article_saved(article, *, before: tuple[str, dt.datetime | None] | None) -> None:
    """``before`` is the stored (status, published_at) the save replaced; None for a new story."""
    now = timezone.now()
    was_live = before is not None and is_live(*before, now)
    was_scheduled = before is not None and before[0] == Article.Status.PUBLISHED and not was_live
    if was_scheduled:
        _future_go_lives(article.pk, now).delete()
    if article.is_published():
        if not was_live:
            _record(EventType.PUBLISHED, article, due_at=now)
        elif not _waiting(article.pk, EventType.UPDATED, now).exists():
            _record(EventType.UPDATED, article, due_at=now)
    elif was_live:
        _record(EventType.UNPUBLISHED, article, due_at=now, details=identity(article))
    if article.is_scheduled():
        _record(
            EventType.PUBLISHED,
            article,
            due_at=article.published_at,
            details={"scheduled_for": article.published_at.isoformat()},
        )


def record_article_deleted(article) -> None:
    now = timezone.now()
    _future_go_lives(article.pk, now).delete()
    if article.is_published():
        _record(EventType.UNPUBLISHED, article, due_at=now, details=identity(article))


def record_correction(correction) -> None:
    article = correction.article
    if article.is_published():
        _record(
            EventType.CORRECTED,
            article,
            due_at=timezone.now(),
            details={
                "correction": {
                    "kind": correction.kind,
                    "label": correction.get_kind_display(),
                    "text": correction.text,
                    "date": correction.created_at.isoformat(),
                }
            },
        )


def _record(event_type: str, article, *, due_at: dt.datetime, details: dict | None = None):
    WebhookEvent.objects.create(
        type=event_type, article_id=article.pk, due_at=due_at, details=details or {}
    )


def _waiting(article_id: int, event_type: str, now: dt.datetime):
    return WebhookEvent.objects.filter(
        article_id=article_id, type=event_type, state=WebhookEvent.State.WAITING, due_at__lte=now
    )


def _future_go_lives(article_id: int, now: dt.datetime):
    return WebhookEvent.objects.filter(
        article_id=article_id,
        type=EventType.PUBLISHED,
        state=WebhookEvent.State.WAITING,
        due_at__gt=now,
    )
