"""Cache-Control for a CDN or Varnish in front: public pages may be kept there, private never."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.cache import get_max_age

# Pages are invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SHARED = "public, max-age=0, s-maxage=60, stale-while-revalidate=300"


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def story(make_article):
    return make_article(tags=["Storms"])


def public_urls(story):
    return [
        reverse("articles:home"),
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "storms"}),
        story.authors.get().get_absolute_url(),
        reverse("articles:feed"),
        reverse("articles:sitemap_index"),
        reverse("articles:sitemap", kwargs={"section": "articles"}),
        reverse("articles:news_sitemap"),
        "/api/v1/articles/",
        f"/api/v1/articles/{story.slug}/",
    ]


def test_public_pages_may_be_kept_by_a_shared_cache_on_a_miss_and_on_a_hit(client, story):
    """Browsers ask every time; a CDN keeps the page a minute, then serves it stale a while."""
    for url in public_urls(story):
        miss = client.get(url)
        hit = client.get(url)
        assert (miss.status_code, miss["X-Page-Cache"]) == (200, "miss"), url
        assert hit["X-Page-Cache"] == "hit", url
        for response in (miss, hit):
            assert directives(response) == set(SHARED.split(", ")), url
            assert get_max_age(response) == 0
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"])
        assert not_modified.status_code == 304
        assert directives(not_modified) == set(SHARED.split(", ")), url


def test_the_shared_cache_lifetimes_are_settings(client, story, settings):
    settings.CDN_MAX_AGE, settings.CDN_STALE_WHILE_REVALIDATE = 15, 45
    for response in (client.get("/"), client.get("/")):
        assert {"s-maxage=15", "stale-while-revalidate=45"} <= directives(response)


def test_cdn_max_age_zero_lets_no_shared_cache_keep_a_page(client, story, settings):
    """The site behind nothing, or a CDN that must always ask: every cache revalidates."""
    settings.CDN_MAX_AGE = 0
    for response in (client.get("/"), client.get("/")):
        assert directives(response) == {"public", "max-age=0", "must-revalidate"}


def test_uncached_public_pages_still_carry_the_shared_lifetimes(client, story, settings):
    """With the page cache off the pages are as public as ever."""
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "pass"
    assert "s-maxage=60" in directives(response)


def test_private_and_uncacheable_responses_never_reach_a_shared_cache(client, story):
    """A signed-in editor's pages, the admin, search and errors carry no s-maxage."""
    warm = [client.get(url) for url in public_urls(story)]
    assert all("s-maxage=60" in directives(response) for response in warm)
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    search = client.get(reverse("articles:search"), {"q": "harbour"})
    for response in (not_found, search, client.get("/admin/login/")):
        assert not any(d.startswith("s-maxage") for d in directives(response)), response
        assert "public" not in directives(response)
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(editor)
    for url in public_urls(story):
        response = client.get(url)
        assert response["X-Page-Cache"] == "bypass", url
        assert "private" in directives(response), url
        assert not any(d.startswith(("s-maxage", "stale-")) for d in directives(response)), url
