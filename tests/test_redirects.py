"""Old addresses keep working: 301 after a slug change of an article, section, author or tag;
410 for a removed article; redirects listed and edited in the admin."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from articles.redirects.models import Redirect
from tests.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(request, settings):
    """The page cache refreshes on commit; only the test marked for it commits for real."""
    if "transaction" not in request.node.name and "cached" not in request.node.name:
        settings.PAGE_CACHE_SECONDS = 0


def moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, (old, response.status_code)
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_renamed_article_answers_301_with_its_query_string(client, make_article):
    """A live story's old URL leads to the new one, keeping ?utm_... for the newsletter."""
    article = make_article(slug="storm-hits-coast")
    article.slug = "storm-hits-east-coast"
    article.save()
    moved(client, "/news/storm-hits-coast/", "/news/storm-hits-east-coast/")
    response = client.get("/news/storm-hits-coast/?utm_source=mail")
    assert response["Location"] == "/news/storm-hits-east-coast/?utm_source=mail"


def test_slugs_in_any_script_redirect(client, make_article):
    """Korean and Cyrillic slugs, asked for percent-encoded as browsers send them."""
    article = make_article(slug="북한-미사일")
    article.slug = "북한-미사일-발사"
    article.save()
    response = client.get(quote("/news/북한-미사일/"))
    assert response.status_code == 301
    assert response["Location"] == quote("/news/북한-미사일-발사/")
    assert Redirect.objects.get().old_path == "/news/북한-미사일/"


def test_renamed_twice_leads_straight_to_the_newest_and_renamed_back_never_loops(
    client, make_article
):
    """No chains: both old URLs go to the newest; renaming back serves the page again."""
    article = make_article(slug="first")
    for slug in ("second", "third"):
        article.slug = slug
        article.save()
    moved(client, "/news/first/", "/news/third/")
    moved(client, "/news/second/", "/news/third/")
    article.slug = "first"
    article.save()
    assert client.get("/news/first/").status_code == 200
    moved(client, "/news/third/", "/news/first/")
    moved(client, "/news/second/", "/news/first/")


def test_a_draft_renamed_before_publication_leaves_no_redirect(client, make_article):
    """Readers never saw a draft's URL: nothing to keep."""
    article = make_article(slug="working-title", status=Article.Status.DRAFT)
    article.slug = "final-title"
    article.save()
    assert not Redirect.objects.exists()
    assert client.get("/news/working-title/").status_code == 404


def test_renamed_section_keeps_its_page_and_feeds(client, make_article, make_section):
    """The section page, its RSS and its Atom feed each lead to the new address."""
    section = make_section(name="World", slug="world")
    make_article(section=section)
    section.slug = "мир"
    section.save()
    new = quote("/section/мир/")
    moved(client, "/section/world/", new)
    moved(client, "/section/world/feed/", new + "feed/")
    moved(client, "/section/world/feed/atom/", new + "feed/atom/")


def test_renamed_author_and_tag_keep_their_pages(client, make_article, make_author):
    """Author and tag pages (and their feeds) answer 301 after a slug change."""
    author = make_author(name="Jane Roe", slug="jane-roe")
    make_article(authors=[author], tags=["Storms"])
    author.slug = "jane-roe-smith"
    author.save()
    moved(client, "/author/jane-roe/", "/author/jane-roe-smith/")
    moved(client, "/author/jane-roe/feed/", "/author/jane-roe-smith/feed/")
    tag = Tag.objects.get(name="Storms")
    tag.slug = "weather-storms"
    tag.save()
    moved(client, f"/tag/{quote('storms')}/", "/tag/weather-storms/")


def test_a_removed_article_answers_410_gone(client, make_article):
    """Deleted after publication: 410 with a page saying so, and old URLs leading to it too."""
    article = make_article(slug="retracted")
    article.slug = "retracted-story"
    article.save()
    article.status = Article.Status.DRAFT  # the admin deletes only what is unpublished
    article.save()
    article.delete()
    for url in ("/news/retracted-story/", "/news/retracted/"):
        response = client.get(url)
        assert response.status_code == 410, url
        assert "This page has been removed" in response.content.decode()


def test_a_deleted_draft_that_never_went_out_is_simply_not_found(client, make_article):
    article = make_article(slug="never-out", status=Article.Status.DRAFT, published_at=None)
    article.delete()
    assert client.get("/news/never-out/").status_code == 404


def test_a_live_page_is_never_shadowed_by_a_redirect(client, make_article):
    """Redirects answer only for pages not found; a story published at that address wins."""
    article = make_article(slug="taken")
    Redirect.objects.create(old_path="/news/taken/", new_path="/news/elsewhere/")
    assert client.get(article.get_absolute_url()).status_code == 200


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = staff_user("Editor")
    client.force_login(user)
    return user


def test_redirects_are_listed_in_the_admin(client, editor, make_article):
    """Recorded redirects show with what they answer; removed stories as 410 Gone."""
    article = make_article(slug="before")
    article.slug = "after"
    article.save()
    Redirect.objects.create(old_path="/old-gone/", new_path="")
    html = client.get(reverse("admin:articles_redirect_changelist")).content.decode()
    assert "/news/before/" in html and "301 → " in html and "410 Gone" in html
    assert "Article renamed" in html


@pytest.mark.parametrize(
    ("old", "new", "stored"),
    [
        ("/campaign/", "/news/after/", "/campaign/"),
        (
            "https://news.example/news/%EB%B6%81%ED%95%9C/?utm_source=x",
            "/news/after/",
            "/news/북한/",
        ),
        ("/promo/", "https://partner.example/offer", "/promo/"),
        ("/pulled/", "", "/pulled/"),
        # An encoded control character is dropped once decoded, never stored.
        ("/old%00-page/", "/news/after/", "/old-page/"),
    ],
)
def test_editor_adds_a_redirect_by_hand(client, editor, old, new, stored):
    """A pasted full link or an encoded address is stored as the site's decoded path."""
    response = client.post(
        reverse("admin:articles_redirect_add"), {"old_path": old, "new_path": new}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.new_path, redirect.created_by) == (stored, new, editor)
    answer = client.get(quote(stored))
    assert answer.status_code == (410 if not new else 301)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("/loop/", "/loop/", "cannot lead to itself"),
        ("/x/", "javascript:alert(1)", "full https:// address"),
        ("no-slash", "/news/a/", "starting with"),
        ("/admin/login/", "/", "admin"),
    ],
)
def test_bad_redirects_are_refused_with_the_reason(client, editor, old, new, error):
    response = client.post(
        reverse("admin:articles_redirect_add"), {"old_path": old, "new_path": new}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Redirect.objects.exists()


@pytest.mark.parametrize("path", ["/old%00-page/", "/news/%00/", "/%1b%00"])
def test_an_address_with_control_characters_is_simply_not_found(client, path):
    """No recorded address holds one: a plain 404 (PostgreSQL refuses a NUL in a query)."""
    Redirect.objects.create(old_path="/old-page/", new_path="/news/after/")
    assert client.get(path).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_cached_article_page_gives_way_to_the_redirect(client, make_article):
    """Cached before the rename, the old URL answers 301 on the next request."""
    article = make_article(slug="cached-slug")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    article.slug = "renamed-slug"
    article.save()
    assert client.get(url).status_code == 301
