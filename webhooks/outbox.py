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

from articles.bulk import insert_objects
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
    record_articles_saved([article], before={article.pk: before})


def record_articles_saved(articles, *, before: dict[int, tuple[str, dt.datetime | None]]) -> None:
    """The same for many stories written at once (an import batch), in a fixed number of
    queries. ``before`` has each replaced story's stored (status, published_at); a story
    missing from it is new."""
    now = timezone.now()
    was_live = {pk for pk, stored in before.items() if stored and is_live(*stored, now)}
    was_scheduled = [
        pk
        for pk, stored in before.items()
        if stored and stored[0] == Article.Status.PUBLISHED and pk not in was_live
    ]
    if was_scheduled:
        _future_go_lives(was_scheduled, now).delete()
    still_live = [a.pk for a in articles if a.pk in was_live and a.is_published()]
    update_waiting = set(
        _waiting(still_live, EventType.UPDATED, now).values_list("article_id", flat=True)
        if still_live
        else ()
    )
    events = []
    for article in articles:
        if article.is_published():
            if article.pk not in was_live:
                events.append(_event(EventType.PUBLISHED, article, due_at=now))
            elif article.pk not in update_waiting:
                events.append(_event(EventType.UPDATED, article, due_at=now))
        elif article.pk in was_live:
            events.append(
                _event(EventType.UNPUBLISHED, article, due_at=now, details=identity(article))
            )
        if article.is_scheduled():
            events.append(
                _event(
                    EventType.PUBLISHED,
                    article,
                    due_at=article.published_at,
                    details={"scheduled_for": article.published_at.isoformat()},
                )
            )
    insert_objects(events)


def record_article_deleted(article) -> None:
    now = timezone.now()
    _future_go_lives([article.pk], now).delete()
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
    _event(event_type, article, due_at=due_at, details=details).save()


def _event(event_type: str, article, *, due_at: dt.datetime, details: dict | None = None):
    return WebhookEvent(
        type=event_type, article_id=article.pk, due_at=due_at, details=details or {}
    )


def _waiting(article_ids: list[int], event_type: str, now: dt.datetime):
    return WebhookEvent.objects.filter(
        article_id__in=article_ids,
        type=event_type,
        state=WebhookEvent.State.WAITING,
        due_at__lte=now,
    )


def _future_go_lives(article_ids: list[int], now: dt.datetime):
    return WebhookEvent.objects.filter(
        article_id__in=article_ids,
        type=EventType.PUBLISHED,
        state=WebhookEvent.State.WAITING,
        due_at__gt=now,
    )
