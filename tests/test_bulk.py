"""Bulk inserts: the rows they write are the rows ``save()`` would, on either database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from articles import bulk
from articles.models import Article, RelatedStory
from webhooks.models import WebhookEvent


@pytest.mark.django_db(transaction=True)
def test_inserted_objects_get_keys_defaults_and_auto_times(make_section):
    section = make_section(name="Мир")
    before = timezone.now()
    articles = [
        Article(headline=f"서울 {n}", slug=f"서울-{n}", body="<p>Текст.</p>", section=section)
        for n in range(3)
    ]
    with transaction.atomic():
        bulk.insert_objects(articles)
    assert all(article.pk and not article._state.adding for article in articles)
    stored = Article.objects.order_by("pk")
    assert [a.pk for a in stored] == [a.pk for a in articles]
    for article in stored:
        assert article.section == section
        assert article.status == Article.Status.DRAFT  # the field's default
        assert article.updated_at >= before  # auto_now, as a save sets it
        assert (article.view_count, article.lock_version) == (0, 0)
    # The sequence moved past the reserved keys: a plain save takes the next one.
    later = Article.objects.create(headline="Later", slug="later", body="<p>x</p>")
    assert later.pk > max(article.pk for article in articles)


@pytest.mark.django_db(transaction=True)
def test_json_and_dates_are_stored_as_given(make_article):
    article = make_article()
    due = timezone.now() + dt.timedelta(hours=2)
    events = [
        WebhookEvent(
            type="article.published",
            article_id=article.pk,
            due_at=due,
            details={"scheduled_for": due.isoformat(), "headline": "Кремль «сегодня»"},
        )
    ]
    with transaction.atomic():
        bulk.insert_objects(events)
    stored = WebhookEvent.objects.get(pk=events[0].pk)
    assert stored.details == {"scheduled_for": due.isoformat(), "headline": "Кремль «сегодня»"}
    assert stored.due_at == due
    assert stored.message_id == events[0].message_id


@pytest.mark.django_db(transaction=True)
def test_plain_rows_beyond_one_statement(make_article, monkeypatch):
    """More rows than one SQLite statement takes go in several, all of them."""
    monkeypatch.setattr(bulk, "SQLITE_CHUNK", 7)
    article = make_article()
    rows = [(article.pk, "Latest", n, None, f"Заголовок {n}\t", "") for n in range(50)]
    with transaction.atomic():
        bulk.insert_rows(
            RelatedStory,
            ("article_id", "rail", "position", "target_id", "headline", "section_label"),
            rows,
        )
    assert list(
        RelatedStory.objects.filter(article=article)
        .order_by("position")
        .values_list("position", "headline")
    ) == [(n, f"Заголовок {n}\t") for n in range(50)]


@pytest.mark.django_db
def test_values_as_a_table(make_article):
    found = bulk.with_values(
        "SELECT column1, column2 FROM ({values}) AS named ORDER BY column1",
        [(2, "둘"), (1, "один")],
        types=("bigint", "text"),
    )
    assert [tuple(row) for row in found] == [(1, "один"), (2, "둘")]
    assert bulk.with_values("SELECT 1 FROM ({values}) AS named", [], types=("text",)) == []
