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
