"""The article admin as the desk uses it: the list, its filters and queries, the form's helpers,
the live preview, licence checks and the other content admins."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, ImageCredit, ImageSource
from tests.staff import article_form_data, change_url, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


@pytest.fixture
def editor(db):
    return staff_user("Editor")


def test_changelist_columns_and_states(client, editor, make_article, make_author):
    """Headline, section, status (all four states), byline, publish time and views are listed."""
    author = make_author(name="Jane Roe")
    make_article(headline="Live one", authors=[author])
    make_article(headline="Later one", published_at=timezone.now() + dt.timedelta(days=1))
    make_article(headline="Draft one", status=Article.Status.DRAFT)
    make_article(headline="Review one", status=Article.Status.REVIEW)
    client.force_login(editor)
    html = client.get(reverse(CHANGELIST)).content.decode()
    for text in ("Live one", "Jane Roe", "Scheduled", "Published", "Draft", "In review"):
        assert text in html
    for column in ("column-section", "column-state_badge", "column-byline", "column-view_count"):
        assert column in html


def test_changelist_queries_do_not_grow_with_rows(
    client, editor, make_article, make_author, django_assert_max_num_queries
):
    """Fifty articles with several authors each cost the same queries as one (no N+1)."""
    client.force_login(editor)
    make_article(authors=[make_author()])
    client.get(reverse(CHANGELIST))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse(CHANGELIST))
    for _ in range(30):
        make_article(authors=[make_author(), make_author()], tags=["a", "b"])
    with django_assert_max_num_queries(len(one) + 1):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=scheduled", {"Later one"}),
        ("state=published", {"Live one"}),
        ("state=draft", {"Draft one"}),
        ("q=Roe", {"Live one"}),
        ("q=zeppelin", {"Draft one"}),
        ("tag=russia", {"Later one"}),
    ],
)
def test_changelist_filters_and_search(client, editor, make_article, make_author, query, expected):
    """Status (including scheduled), search over body and author names, and tag filters."""
    make_article(headline="Live one", authors=[make_author(name="Jane Roe")])
    make_article(
        headline="Later one", published_at=timezone.now() + dt.timedelta(days=1), tags=["Russia"]
    )
    make_article(headline="Draft one", status=Article.Status.DRAFT, body="<p>A zeppelin.</p>")
    client.force_login(editor)
    response = client.get(reverse(CHANGELIST) + "?" + query)
    shown = {a.headline for a in response.context["cl"].result_list}
    assert shown == expected


def test_my_articles_filter(client, make_article, make_author):
    """ "My articles" lists the articles on whose byline the user's author profile stands."""
    mine = make_author(name="Me")
    user = staff_user("Reporter", author=mine)
    make_article(headline="Mine", authors=[mine], status=Article.Status.DRAFT)
    make_article(headline="Not mine", status=Article.Status.DRAFT)
    client.force_login(user)
    response = client.get(reverse(CHANGELIST) + "?mine=1")
    assert [a.headline for a in response.context["cl"].result_list] == ["Mine"]


def test_change_form_has_editor_helpers(client, editor, make_article):
    """Slug prepopulation, autocompletes, ordered inlines, preview and view-on-site."""
    article = make_article()
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert "admin-autocomplete" in html  # authors, lead image, related articles
    assert "tag-autocomplete" in html
    assert "byline_set-0-position" in html and "related_stories-TOTAL_FORMS" in html
    assert "formaction=" in html and "Preview" in html
    assert "View on site" in html
    draft = make_article(status=Article.Status.DRAFT)
    html = client.get(change_url(draft)).content.decode()
    assert "View on site" not in html
    assert "Preview saved draft" in html
    add_form = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "data-prepopulated-fields" in add_form and "#id_headline" in add_form


def test_renaming_a_published_slug_keeps_the_old_url_working(client, editor, make_article):
    """An editor may rename a live story's slug; its old URL then answers 301 to the new one."""
    article = make_article(slug="old-slug")
    client.force_login(editor)
    data = article_form_data(article, slug="new-slug")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.slug == "new-slug"
    client.logout()
    response = client.get("/news/old-slug/")
    assert response.status_code == 301 and response["Location"] == "/news/new-slug/"


def test_tag_autocomplete_and_new_tags(client, editor, make_article):
    """The tag search finds existing tags; a new name typed in the form is created."""
    article = make_article(tags=["Russia", "North Korea"], status=Article.Status.DRAFT)
    client.force_login(editor)
    found = client.get(reverse("admin:articles_article_tag_autocomplete"), {"term": "rus"}).json()
    assert [r["id"] for r in found["results"]] == ["Russia"]
    data = article_form_data(article)
    data["tags"] = ["Russia", "Kremlin talks"]
    assert client.post(change_url(article), data).status_code == 302
    assert sorted(t.name for t in article.tags.all()) == ["Kremlin talks", "Russia"]


def test_tag_autocomplete_needs_staff(client, make_article):
    """Anonymous users are sent to log in."""
    assert client.get(reverse("admin:articles_article_tag_autocomplete")).status_code == 302


def test_live_preview_renders_unsaved_changes_and_saves_nothing(client, editor, make_article):
    """Preview shows the typed headline in the real article template; the database keeps the
    old one and no revision is made."""
    from reversion.models import Version

    article = make_article(status=Article.Status.DRAFT, headline="Saved headline")
    client.force_login(editor)
    data = article_form_data(article, headline="Typed but unsaved", byline_note="With AP.")
    response = client.post(reverse("admin:articles_article_preview", args=[article.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="story__headline">Typed but unsaved</h1>' in html
    assert "Preview of unsaved changes" in html and "With AP." in html
    assert "no-store" in response["Cache-Control"]
    article.refresh_from_db()
    assert article.headline == "Saved headline"
    assert not Version.objects.get_for_object(article).exists()


def test_preview_of_a_new_article(client, editor, make_section, make_author):
    """The add form previews too, and nothing is created."""
    client.force_login(editor)
    data = article_form_data(
        headline="Brand new",
        slug="brand-new",
        body="<p>Fresh.</p>",
        section=make_section().pk,
        status="draft",
        authors=[make_author()],
    )
    response = client.post(reverse("admin:articles_article_preview"), data)
    assert "Brand new" in response.content.decode()
    assert not Article.objects.filter(slug="brand-new").exists()


def test_preview_is_staff_only(client, make_article):
    """Readers cannot use the preview."""
    article = make_article()
    response = client.post(reverse("admin:articles_article_preview", args=[article.pk]), {})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_licence_ended_list(client, editor, make_article, make_credit):
    """Published articles whose lead image licence has ended are counted and listed."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ended = make_credit(licence_ends_on=yesterday)
    fine = make_credit(licence_ends_on=timezone.localdate() + dt.timedelta(days=365))
    make_article(headline="Expired photo", lead_image=ended)
    make_article(headline="Expired but draft", lead_image=ended, status=Article.Status.DRAFT)
    make_article(headline="Fine photo", lead_image=fine)
    assert [a.headline for a in Article.objects.with_ended_image_licence()] == ["Expired photo"]
    client.force_login(editor)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert "1 published article shows a lead image whose licence has ended" in html
    response = client.get(reverse(CHANGELIST) + "?licence=ended")
    assert [a.headline for a in response.context["cl"].result_list] == ["Expired photo"]


def test_publishing_refused_when_lead_image_licence_has_ended(
    client, editor, make_article, make_credit
):
    """An editor cannot publish an article whose photo may no longer be shown."""
    credit = make_credit(licence_ends_on=timezone.localdate() - dt.timedelta(days=2))
    article = make_article(status=Article.Status.REVIEW, lead_image=credit)
    client.force_login(editor)
    response = client.post(change_url(article), article_form_data(article, status="published"))
    assert response.status_code == 200 and "licence" in response.content.decode()


def test_image_source_lists_credit_counts(client, editor, make_credit):
    """Each agency or photographer shows how many images it is credited on."""
    reuters = ImageSource.objects.create(name="Reuters")
    for _ in range(3):
        make_credit().sources.add(reuters)
    client.force_login(editor)
    response = client.get(reverse("admin:articles_imagesource_changelist"))
    assert response.context["cl"].result_list[0].credit_count == 3
    assert f"?sources__id__exact={reuters.pk}" in response.content.decode()


def test_reporter_add_form_starts_with_own_byline(client, make_author):
    """A reporter's new article has them on the byline already."""
    me = make_author(name="Rita Reporter")
    reporter = staff_user("Reporter", author=me)
    client.force_login(reporter)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    assert f'<option value="{me.pk}" selected>Rita Reporter</option>' in html
    # Reporters are offered only draft and review.
    assert 'value="published"' not in html


@pytest.mark.parametrize("when", ["live", "scheduled"])
def test_editor_cannot_delete_a_live_article_and_is_told_why(client, editor, make_article, when):
    """Live and scheduled articles must be unpublished before anyone can delete them, and the
    editor is told so in words: no bare 403, no "related objects" page."""
    hours = 1 if when == "scheduled" else -1
    article = make_article(
        headline="Still out", published_at=timezone.now() + dt.timedelta(hours=hours)
    )
    client.force_login(editor)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    for response in (
        client.get(delete, follow=True),
        client.post(delete, {"post": "yes"}, follow=True),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert f"“Still out” is {when}: unpublish it first" in html
        assert "related objects" not in html
    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
        follow=True,
    )
    html = response.content.decode()
    assert "Nothing was deleted." in html and "unpublish it first" in html
    assert "related objects" not in html
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_deletes_a_draft_and_is_told_why_a_corrected_one_stays(client, editor, make_article):
    """A draft goes; an unpublished article carrying corrections stays, with the reason."""
    draft = make_article(status=Article.Status.DRAFT)
    corrected = make_article(headline="Corrected once")
    Correction.objects.create(article=corrected, text="A name was misspelt.")
    Article.objects.filter(pk=corrected.pk).update(status=Article.Status.DRAFT)
    client.force_login(editor)
    delete = reverse("admin:articles_article_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()
    delete = reverse("admin:articles_article_delete", args=[corrected.pk])
    html = client.post(delete, {"post": "yes"}, follow=True).content.decode()
    assert "part of the public record" in html
    assert Article.objects.filter(pk=corrected.pk).exists()


def test_image_credit_admin_has_rights_fields(client, editor):
    """Copyright, licence terms and licence end date are on the credit form."""
    client.force_login(editor)
    html = client.get(reverse("admin:articles_imagecredit_add")).content.decode()
    for name in ("copyright_notice", "licence_terms", "licence_ends_on", "creator"):
        assert f'name="{name}' in html
    assert ImageCredit.objects.count() == 0
