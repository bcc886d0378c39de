"""The article form as the browser posts it: pre-filled rows kept, edit conflicts that also
change the status, and the tag search with any page number; never a 500."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.staff import (
    add_url,
    article_form_data,
    browser_post_data,
    change_url,
    errors_of,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("group", ["Reporter", "Editor"])
def test_prefilled_byline_row_is_saved(client, make_author, group):
    """A linked user opens "Add article", sees themselves on the byline, types a headline and
    saves: the untouched pre-filled row is saved, and a reporter can open their draft."""
    me = make_author(name="Rita Reporter")
    user = staff_user(group, author=me)
    client.force_login(user)
    html = client.get(add_url()).content.decode()
    data = browser_post_data(
        html, "article_form", headline="Harbour reopens", slug="harbour-reopens", _save="Save"
    )
    assert data["byline_set-0-author"] == str(me.pk)
    response = client.post(add_url(), data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(slug="harbour-reopens")
    assert list(article.authors.all()) == [me]
    assert client.get(change_url(article)).status_code == 200


def test_editor_cannot_publish_a_prefilled_byline_away(client, make_author, make_section):
    """Publishing straight from the add form keeps the pre-filled author on the byline."""
    me = make_author(name="Ed Itor")
    client.force_login(staff_user("Editor", author=me))
    html = client.get(add_url()).content.decode()
    data = browser_post_data(
        html,
        "article_form",
        headline="Out at once",
        slug="out-at-once",
        body="<p>Text.</p>",
        section=str(make_section().pk),
        status="published",
        _save="Save",
    )
    response = client.post(add_url(), data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(slug="out-at-once")
    assert article.is_published() and list(article.authors.all()) == [me]


@pytest.mark.parametrize(("stored", "posted"), [("published", "draft"), ("draft", "published")])
def test_edit_conflict_that_changes_the_status_is_a_message_not_a_500(
    client, make_article, stored, posted
):
    """Another editor saved first; this save also changes the status: the conflict message,
    the form as typed, and nothing saved."""
    editor = staff_user("Editor")
    article = make_article(headline="Original", status=stored)
    stale = article_form_data(article, headline="Mine", status=posted)
    client.force_login(staff_user("Editor"))
    assert (
        client.post(change_url(article), article_form_data(article, headline="Theirs")).status_code
        == 302
    )
    client.force_login(editor)
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    assert "NOT been saved" in errors_of(response)
    article.refresh_from_db()
    assert article.headline == "Theirs" and article.status == stored


@pytest.mark.parametrize(
    "page", ["99999999999999999999999999", "9" * 5000, "²", "-1", "abc", "3", ""]
)
def test_tag_search_answers_any_page_number(client, make_article, page):
    """Select2's page parameter, however large or odd, gives a page (empty past the end)."""
    make_article(tags=["Russia", "Rugby"])
    client.force_login(staff_user("Editor"))
    url = reverse("admin:articles_article_tag_autocomplete")
    response = client.get(url, {"term": "ru", "page": page})
    assert response.status_code == 200
    names = [result["id"] for result in response.json()["results"]]
    assert names == (["Rugby", "Russia"] if page in ("²", "-1", "abc", "") else [])


def test_every_desk_admin_form_strips_control_characters(rf):
    """Each content admin and each of its inlines builds its form on DeskModelForm (the staff
    accounts' forms are Django's own and never reach readers)."""
    from django.contrib import admin

    from articles.forms import DeskModelForm

    request = rf.get("/admin/")
    request.user = staff_user("Editor")
    request.user.is_superuser = True
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "auth":
            continue
        assert issubclass(model_admin.get_form(request), DeskModelForm), model
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            assert issubclass(formset.form, DeskModelForm), (model, inline)


def test_control_characters_never_stored_from_the_article_form(
    client, make_author, make_section, make_article
):
    """Headline, summary, body, byline line, tags and a related story's headline, typed with
    control characters, are stored without them (tabs and line breaks kept)."""
    client.force_login(staff_user("Editor"))
    other = make_article()
    data = article_form_data(
        headline="North\x0b Korea\x00 talks",
        slug="north-korea-talks",
        dek="Line one\nline\x1b two\tend",
        body="<p>Body\x0c text\x7f.</p>",
        byline_note="With\x08 AP.",
        section=make_section().pk,
        status="draft",
        tags=["Kim\x0b Jong Un", "Seoul"],
        authors=[make_author()],
        related=[other],
    )
    data["related_stories-TOTAL_FORMS"] = 2
    data.update(
        {
            "related_stories-1-rail": "Must\x0b-Reads",
            "related_stories-1-position": 1,
            "related_stories-1-headline": "Elsewhere\x0b today",
        }
    )
    response = client.post(add_url(), data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(slug="north-korea-talks")
    assert article.headline == "North Korea talks"
    assert article.dek == "Line one\nline two\tend"
    assert article.body == "<p>Body text.</p>"
    assert article.byline_note == "With AP."
    assert sorted(tag.name for tag in article.tags.all()) == ["Kim Jong Un", "Seoul"]
    unlinked = article.related_stories.get(target=None)
    assert (unlinked.rail, unlinked.headline) == ("Must-Reads", "Elsewhere today")


@pytest.mark.parametrize(
    ("app", "model", "typed", "field", "expected"),
    [
        ("articles", "section", {"name": "Wor\x0bld", "slug": "world"}, "name", "World"),
        ("articles", "author", {"name": "Jane", "slug": "j", "bio": "A\x0b bio."}, "bio", "A bio."),
        (
            "articles",
            "imagecredit",
            {"caption": "Boats\x0b.", "alt_text": "B"},
            "caption",
            "Boats.",
        ),
        ("articles", "imagesource", {"name": "Harbour\x1b Agency"}, "name", "Harbour Agency"),
        ("taggit", "tag", {"name": "Caf\x0bé", "slug": "cafe"}, "name", "Café"),
    ],
)
def test_control_characters_never_stored_from_other_admins(
    client, app, model, typed, field, expected
):
    """Sections, authors, photo credits, image sources and tags are cleaned the same way."""
    from django.apps import apps

    user = staff_user("Editor")
    user.is_superuser = True
    user.save()
    client.force_login(user)
    url = reverse(f"admin:{app}_{model}_add")
    html = client.get(url).content.decode()
    response = client.post(url, browser_post_data(html, f"{model}_form", **typed))
    assert response.status_code == 302, errors_of(response)
    assert getattr(apps.get_model(app, model).objects.get(), field) == expected


def test_unlinked_reporter_is_told_what_to_do(client, make_section):
    """A reporter whose account has no author page is told so on opening "Add article" and on
    saving, instead of a bare "This field is required."."""
    client.force_login(staff_user("Reporter"))
    page = client.get(add_url(), follow=True)
    assert "not linked to an author page" in page.content.decode()
    data = browser_post_data(
        page.content.decode(), "article_form", headline="Mine", slug="mine", _save="Save"
    )
    response = client.post(add_url(), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "not linked to an author page" in errors and "Staff account" in errors
    assert "This field is required." not in errors
    assert not Article.objects.exists()


def test_history_never_shows_the_lock_field(client, make_article):
    """The revision's change message names what the editor changed, not loaded_version."""
    from reversion.models import Version

    article = make_article(status=Article.Status.DRAFT)
    client.force_login(staff_user("Editor"))
    response = client.post(change_url(article), article_form_data(article, headline="New one"))
    assert response.status_code == 302, errors_of(response)
    comment = Version.objects.get_for_object(article).get().revision.get_comment()
    assert "Headline" in comment and "oaded" not in comment
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "oaded" not in history.content.decode().lower().replace("downloaded", "")


def test_reporter_cannot_set_editors_pick(client, reporter, reporter_author, make_article):
    """Editor's pick is shown to a reporter but not editable, and a crafted POST is ignored."""
    article = make_article(status=Article.Status.DRAFT, authors=[reporter_author])
    client.force_login(reporter)
    html = client.get(change_url(article)).content.decode()
    assert 'name="editors_pick"' not in html and "Editor" in html
    response = client.post(change_url(article), article_form_data(article, editors_pick="on"))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.editors_pick is False
