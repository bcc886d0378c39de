"""The article form's "Search and social" fields and their preview, posted as a browser posts
the form: empty fields show the article's own values, typed ones are saved and used."""

import re

import pytest

from articles.models import Article
from tests.staff import add_url, browser_post_data, change_url, errors_of, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return staff_user("Editor")


def preview_text(html: str, name: str) -> str:
    return re.search(rf'data-preview="{name}"[^>]*>([^<]*)<', html).group(1)


def test_fieldset_is_collapsed_and_previews_the_articles_own_values(client, editor, make_article):
    article = make_article(headline="Harbour reopens", dek="Fishing crews returned on Tuesday.")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    # Folded away (a <details> the editor opens) until wanted.
    assert re.search(
        r'<fieldset class="module aligned collapse"[^>]*>\s*<details><summary>\s*'
        r"<h2[^>]*>Search and social</h2>",
        html,
    )
    for name in ("seo_title", "seo_description", "social_headline", "social_description"):
        assert f'name="{name}"' in html
    assert preview_text(html, "title") == "Harbour reopens"
    assert preview_text(html, "description") == "Fishing crews returned on Tuesday."
    assert preview_text(html, "social-title") == "Harbour reopens"
    assert preview_text(html, "social-description") == "Fishing crews returned on Tuesday."
    assert f"/{article.slug}/" in html
    # The preview script is the site's own file, not a third party's.
    assert re.search(r'<script src="/static/articles/admin/share_preview\.js"', html)


def test_typed_search_and_social_text_is_saved_previewed_and_used(client, editor, make_article):
    article = make_article(headline="Harbour reopens", dek="Crews returned.")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    data = browser_post_data(
        html,
        "article_form",
        seo_title="Busan harbour reopens after typhoon",
        seo_description="Fishing boats left Busan on Tuesday for the first time in a week.",
        social_headline="부산항 다시 열렸다",
        social_description="",
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.seo_title == "Busan harbour reopens after typhoon"
    assert article.social_headline == "부산항 다시 열렸다"

    html = client.get(change_url(article)).content.decode()
    assert preview_text(html, "title") == "Busan harbour reopens after typhoon"
    assert preview_text(html, "social-title") == "부산항 다시 열렸다"
    # No social text of its own: the card uses the search description.
    assert preview_text(html, "social-description").startswith("Fishing boats left Busan")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<title>Busan harbour reopens after typhoon" in page


def test_too_long_search_title_is_refused_and_nothing_is_lost(client, editor, make_article):
    article = make_article(headline="Harbour reopens")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    data = browser_post_data(html, "article_form", seo_title="x" * 71, dek="New summary")
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "at most 70 characters" in errors_of(response)
    assert "New summary" in response.content.decode()  # what was typed is shown back
    article.refresh_from_db()
    assert article.seo_title == "" and article.dek != "New summary"


def test_new_article_form_previews_without_a_saved_article(client, editor):
    client.force_login(editor)
    response = client.get(add_url())
    assert response.status_code == 200
    assert 'class="nr-share-preview"' in response.content.decode()
    assert Article.objects.count() == 0
