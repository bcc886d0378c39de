"""The admin opens on the editor's work: the dashboard, notes on drafts, and kept form drafts."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.desk.models import EditorialNote, FormDraft
from articles.models import Article
from tests.staff import article_form_data, change_url, staff_user

pytestmark = pytest.mark.django_db

DRAFT, REVIEW = Article.Status.DRAFT, Article.Status.REVIEW


@pytest.fixture
def desk(make_article, make_author, make_credit):
    """A reporter (Jane) and an editor, with articles in every state, some on Jane's byline."""
    jane = make_author(name="Jane Roe")
    reporter = staff_user("Reporter", username="jane", author=jane)
    editor = staff_user("Editor", username="erin")
    now = timezone.now()
    ended = make_credit(licence_ends_on=timezone.localdate() - dt.timedelta(days=1))

    def story(headline, age=0, **kwargs):
        article = make_article(headline=headline, **kwargs)
        Article.objects.filter(pk=article.pk).update(updated_at=now - dt.timedelta(hours=age))
        return article

    story("Review old", status=REVIEW, published_at=None, authors=[jane], age=5)
    story("Review new", status=REVIEW, published_at=None, age=1)
    story("Jane draft", status=DRAFT, published_at=None, authors=[jane])
    story("Other draft", status=DRAFT, published_at=None)
    story("Later", published_at=now + dt.timedelta(days=2))
    story("Sooner", published_at=now + dt.timedelta(hours=2), authors=[jane])
    story("Out yesterday", published_at=now - dt.timedelta(days=1), authors=[jane])
    story("Out today", published_at=now - dt.timedelta(hours=1), lead_image=ended)
    return {"reporter": reporter, "editor": editor, "jane": jane}


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {panel.key: panel for panel in response.context["panels"]}, response.content.decode()


def headlines(panel):
    return [article.headline for article in panel.articles]


def test_editor_dashboard_lists_the_desk_work_in_order_with_counts_and_links(client, desk):
    """In review oldest first, scheduled next first, own drafts, recently published, licences."""
    panels, html = dashboard(client, desk["editor"])
    assert headlines(panels["review"]) == ["Review old", "Review new"]
    assert headlines(panels["scheduled"]) == ["Sooner", "Later"]
    assert headlines(panels["drafts"]) == []
    assert headlines(panels["published"]) == ["Out today", "Out yesterday"]
    assert headlines(panels["licence"]) == ["Out today"]
    assert panels["review"].count == 2 and panels["licence"].count == 1
    assert panels["review"].link.endswith("?state=review")
    assert panels["licence"].link.endswith("?licence=ended")
    assert 'href="/admin/articles/article/?state=review"' in html
    # The admin's own list of models is still there below.
    assert "Newsroom content" in html


def test_a_reporter_sees_their_own_work(client, desk):
    """Every list holds only the articles on the reporter's byline."""
    panels, _ = dashboard(client, desk["reporter"])
    assert headlines(panels["review"]) == ["Review old"]
    assert headlines(panels["scheduled"]) == ["Sooner"]
    assert headlines(panels["drafts"]) == ["Jane draft"]
    assert headlines(panels["published"]) == ["Out yesterday"]
    assert headlines(panels["licence"]) == []
    assert panels["review"].link.endswith("?state=review&mine=1")


def test_dashboard_queries_do_not_grow(client, desk, make_article, django_assert_max_num_queries):
    """Two queries a list (count and rows) plus notes, however many articles wait."""
    for _ in range(12):
        article = make_article(status=REVIEW, published_at=None)
        EditorialNote.objects.create(article=article, text="Check the figures.")
    client.force_login(desk["editor"])
    # session, user, groups' permissions, then 10 for the lists, 2 for their notes and 1 for the
    # count of comments awaiting moderation
    with django_assert_max_num_queries(17):
        assert client.get(reverse("admin:index")).status_code == 200


def test_notes_go_between_reporter_and_editor_and_show_in_review(client, desk):
    """The editor's note is saved with its writer, shown read-only on the form, and on the
    dashboard's review list; a posted edit of an earlier note changes nothing."""
    article = Article.objects.get(headline="Review old")
    client.force_login(desk["editor"])
    data = article_form_data(article, notes=["Sources for the second paragraph, please."])
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    note = EditorialNote.objects.get()
    assert note.author == desk["editor"] and note.article == article

    client.force_login(desk["reporter"])
    form = client.get(change_url(article)).content.decode()
    assert "Sources for the second paragraph, please." in form
    assert "Editor Tester" in form
    article.refresh_from_db()
    data = article_form_data(article, notes=["Added two sources."])
    data["notes-0-text"] = "Rewritten by someone else"
    assert client.post(change_url(article), data).status_code == 302
    assert list(article.notes.values_list("text", "author__username")) == [
        ("Sources for the second paragraph, please.", "erin"),
        ("Added two sources.", "jane"),
    ]
    panels, html = dashboard(client, desk["editor"])
    assert "Note: “Added two sources.”" in html


def test_an_untouched_note_box_saves_nothing(client, desk):
    article = Article.objects.get(headline="Jane draft")
    client.force_login(desk["reporter"])
    assert client.post(change_url(article), article_form_data(article)).status_code == 302
    assert not EditorialNote.objects.exists()


# --- Kept form drafts -----------------------------------------------------------------------


def keep_url(article=None):
    if article is None:
        return reverse("admin:articles_formdraft_keep")
    return reverse("admin:articles_formdraft_keep", args=[article.pk])


def post_json(client, url, payload):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


def test_a_kept_draft_is_offered_back_until_the_article_is_saved(client, desk):
    """Typed text kept on the server comes back on the next visit; a save makes it stale."""
    article = Article.objects.get(headline="Jane draft")
    client.force_login(desk["reporter"])
    typed = {"headline": "Jane draft, rewritten", "body": "<p>새 문단.</p>", "tags": ["a", "b"]}
    assert post_json(client, keep_url(article), typed).status_code == 200
    offered = client.get(keep_url(article)).json()["draft"]
    assert offered["fields"] == typed
    # Someone else has their own drafts.
    client.force_login(desk["editor"])
    assert client.get(keep_url(article)).json()["draft"] is None
    # Saving the article: the draft is no longer offered.
    client.force_login(desk["reporter"])
    article.save()
    assert client.get(keep_url(article)).json()["draft"] is None
    assert not FormDraft.objects.exists()


def test_a_draft_of_a_new_article_and_discarding_it(client, desk):
    client.force_login(desk["reporter"])
    assert post_json(client, keep_url(), {"headline": "Brand new"}).status_code == 200
    assert client.get(keep_url()).json()["draft"]["fields"] == {"headline": "Brand new"}
    assert client.delete(keep_url()).status_code == 200
    assert client.get(keep_url()).json()["draft"] is None


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        ("[1, 2]", 400),
        ('{"headline": 3}', 400),
        ('{"tags": [{"a": 1}]}', 400),
    ],
)
def test_a_bad_draft_is_refused_with_the_reason(client, desk, payload, status):
    client.force_login(desk["reporter"])
    response = post_json(client, keep_url(), payload)
    assert response.status_code == status and response.json()["error"]
    assert not FormDraft.objects.exists()


def test_an_oversized_draft_is_refused(client, desk):
    client.force_login(desk["reporter"])
    response = post_json(client, keep_url(), {"body": "x" * (2 * 1024 * 1024 + 10)})
    assert response.status_code in (400, 413)
    assert not FormDraft.objects.exists()


def test_drafts_follow_the_editing_rules(client, desk):
    """A reporter keeps no draft of an article they may not edit."""
    other = Article.objects.get(headline="Other draft")
    client.force_login(desk["reporter"])
    assert post_json(client, keep_url(other), {"headline": "x"}).status_code == 403
    assert client.get(keep_url(other)).status_code == 403


def test_the_article_form_loads_the_draft_keeper(client, desk):
    article = Article.objects.get(headline="Jane draft")
    client.force_login(desk["reporter"])
    html = client.get(change_url(article)).content.decode()
    assert "keep_drafts.js" in html
    assert f'data-url="{keep_url(article)}"' in html


@pytest.mark.django_db(transaction=True)
def test_notes_and_kept_drafts_leave_cached_pages_alone(client, make_article):
    """Readers never see them: writing one (every few seconds while typing) keeps the cached
    article page."""
    article = make_article()
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    EditorialNote.objects.create(article=article, text="Fine.")
    FormDraft.objects.create(user=staff_user("Reporter"), article=article, fields={})
    assert client.get(url)["X-Page-Cache"] == "hit"
