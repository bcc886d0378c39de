"""Restoring a revision brings back content only: never the workflow state or the publish time,
and never onto a live or scheduled article by a reporter. Posted as the browser posts the
restore form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests.staff import (
    article_form_data,
    browser_post_data,
    change_url,
    errors_of,
)

pytestmark = pytest.mark.django_db


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def drafted_then_published(client, reporter, editor, article, published_at):
    """The reporter saves a draft (revision 1), the editor rewrites and publishes it (2)."""
    client.force_login(reporter)
    response = client.post(change_url(article), article_form_data(article, body="<p>Draft.</p>"))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    client.force_login(editor)
    data = article_form_data(
        article,
        headline="Edited headline",
        body="<p>Edited.</p>",
        status="published",
        published_at=published_at,
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    return Version.objects.get_for_object(article).order_by("pk").first()


@pytest.mark.parametrize("when", ["live", "scheduled"])
def test_restore_keeps_the_workflow_state_and_publish_time(
    client, reporter, reporter_author, editor, make_article, when
):
    """An editor restores the draft-time revision of a live (or scheduled) story: the text
    comes back, the story stays out at its original publish time and its URL keeps working."""
    published_at = (timezone.now() + dt.timedelta(hours=-3 if when == "live" else 3)).replace(
        microsecond=0, second=0
    )
    article = make_article(
        headline="Drafted headline", status=Article.Status.DRAFT, authors=[reporter_author]
    )
    first = drafted_then_published(client, reporter, editor, article, published_at)
    assert article.published_at == published_at

    page = client.get(revision_url(article, first))
    assert page.status_code == 200
    data = browser_post_data(page.content.decode(), "article_form", _save="Save")
    response = client.post(revision_url(article, first), data)
    assert response.status_code == 302, errors_of(response)

    article.refresh_from_db()
    assert article.headline == "Drafted headline" and article.body == "<p>Draft.</p>"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == published_at
    if when == "live":
        client.logout()
        assert client.get(article.get_absolute_url()).status_code == 200


def test_a_crafted_restore_cannot_change_the_state(
    client, reporter, reporter_author, editor, make_article
):
    """Even a restore POST that names another status or time leaves both as they are."""
    published_at = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0, second=0)
    article = make_article(status=Article.Status.DRAFT, authors=[reporter_author])
    first = drafted_then_published(client, reporter, editor, article, published_at)
    data = article_form_data(
        article, status="draft", published_at=timezone.now() + dt.timedelta(days=9)
    )
    response = client.post(revision_url(article, first), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at == published_at


def test_reporter_cannot_restore_onto_a_live_article(
    client, reporter, reporter_author, editor, make_article
):
    """The reporter once drafted it, and the old revision has them on the byline and the
    story in draft: the stored, live row decides, and it is an editor's."""
    published_at = timezone.now() - dt.timedelta(hours=1)
    article = make_article(
        headline="Drafted headline", status=Article.Status.DRAFT, authors=[reporter_author]
    )
    first = drafted_then_published(client, reporter, editor, article, published_at)
    client.force_login(reporter)
    for response in (
        client.get(revision_url(article, first), follow=True),
        client.post(revision_url(article, first), article_form_data(article), follow=True),
    ):
        assert "Only an editor can restore a revision of a live or scheduled article." in (
            response.content.decode()
        )
    article.refresh_from_db()
    assert article.headline == "Edited headline" and article.is_published()
    assert Version.objects.get_for_object(article).count() == 2


def test_reporter_restores_own_draft(client, reporter, reporter_author, make_article):
    """On their own draft a reporter restores as before."""
    article = make_article(headline="First", status=Article.Status.DRAFT, authors=[reporter_author])
    client.force_login(reporter)
    assert client.post(change_url(article), article_form_data(article)).status_code == 302
    article.refresh_from_db()
    data = article_form_data(article, headline="Second")
    assert client.post(change_url(article), data).status_code == 302
    first = Version.objects.get_for_object(article).order_by("pk").first()
    page = client.get(revision_url(article, first))
    data = browser_post_data(page.content.decode(), "article_form", _save="Save")
    response = client.post(revision_url(article, first), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "First" and article.status == Article.Status.DRAFT


def test_restore_keeps_a_live_story_url(client, reporter, reporter_author, editor, make_article):
    """The draft had another slug: restoring its revision keeps the live URL working."""
    article = make_article(
        slug="draft-slug", status=Article.Status.DRAFT, authors=[reporter_author]
    )
    client.force_login(reporter)
    assert client.post(change_url(article), article_form_data(article)).status_code == 302
    article.refresh_from_db()
    client.force_login(editor)
    data = article_form_data(
        article, slug="live-slug", status="published", published_at=timezone.now()
    )
    assert client.post(change_url(article), data).status_code == 302
    first = Version.objects.get_for_object(article).order_by("pk").first()
    page = client.get(revision_url(article, first))
    # The edit form lets an editor rename a live story (its old URL answers 301); the restore
    # form shows the slug read-only, and a crafted POST of the old slug is ignored too.
    assert 'name="slug"' in client.get(change_url(article)).content.decode()
    assert 'name="slug"' not in page.content.decode()
    data = browser_post_data(page.content.decode(), "article_form", _save="Save")
    response = client.post(revision_url(article, first), {**data, "slug": "draft-slug"})
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.slug == "live-slug" and article.is_published()
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 200
