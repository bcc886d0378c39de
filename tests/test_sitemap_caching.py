"""Sitemaps through the page cache: hits, refreshes on the feeds' dependencies, 304, lastmod."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article

# Pages are invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ORIGIN = "http://testserver"
INDEX = "/sitemap.xml"
NEWS = "/news-sitemap.xml"
SITEMAPS = [INDEX, NEWS] + [
    f"/sitemap-{part}.xml" for part in ("home", "sections", "articles", "authors", "tags")
]


def outcome(response):
    return response["X-Page-Cache"]


def entries(response):
    """Each <url>'s <loc> and <lastmod>, from a well-formed urlset."""
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.iterfind("sm:url", NS)
    }


@pytest.fixture
def story(make_article, make_author, make_section):
    return make_article(
        headline="Harbour reopens",
        section=make_section(name="World"),
        authors=[make_author(name="Jane Roe")],
        tags=["Storms"],
        published_at=timezone.now() - dt.timedelta(hours=3),
    )


@pytest.mark.parametrize("url", SITEMAPS)
def test_sitemap_is_served_from_the_cache_and_refreshed_by_a_publish(
    client, story, make_article, make_author, make_section, url, django_assert_num_queries
):
    """The second request costs no query; a story going live brings a fresh sitemap."""
    first = client.get(url)
    assert first.status_code == 200 and outcome(first) == "miss"
    with django_assert_num_queries(0):
        cached = client.get(url)
    assert outcome(cached) == "hit" and cached.content == first.content
    assert cached["X-Robots-Tag"] == first["X-Robots-Tag"]
    make_article(
        headline="Ferry back on schedule",
        section=make_section(name="Ports"),
        authors=[make_author(name="Ali Khan")],
        tags=["Ferries"],
    )
    fresh = client.get(url)
    assert outcome(fresh) == "miss" and fresh.content != first.content


def test_unpublishing_takes_a_story_out_of_the_cached_sitemap(client, story):
    url = "/sitemap-articles.xml"
    client.get(url)
    assert ORIGIN + story.get_absolute_url() in entries(client.get(url))
    story.status = Article.Status.DRAFT
    story.save()
    response = client.get(url)
    assert outcome(response) == "miss"
    assert ORIGIN + story.get_absolute_url() not in entries(response)


def test_renaming_an_author_or_a_tag_refreshes_their_sitemap(client, story):
    """The authors and tags a sitemap names are its dependencies, like a feed's."""
    client.get("/sitemap-authors.xml"), client.get("/sitemap-tags.xml")
    author = story.authors.get()
    author.slug = "jane-roe-smith"
    author.save()
    tag = Tag.objects.get(slug="storms")
    tag.name, tag.slug = "Шторм", "шторм"
    tag.save()
    authors = client.get("/sitemap-authors.xml")
    assert outcome(authors) == "miss"
    assert list(entries(authors)) == [f"{ORIGIN}/author/jane-roe-smith/"]
    tags = client.get("/sitemap-tags.xml")
    assert outcome(tags) == "miss"
    assert list(entries(tags)) == [ORIGIN + reverse("articles:tag", kwargs={"slug": "шторм"})]


@pytest.mark.parametrize("url", [INDEX, "/sitemap-articles.xml", NEWS])
def test_conditional_get_is_answered_304_on_a_miss_and_on_a_hit(client, story, make_article, url):
    """A crawler sending back the ETag or the Last-Modified date is told nothing changed."""
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    for _ in ("miss", "hit"):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    cached = client.get(url)
    assert outcome(cached) == "hit" and cached["Last-Modified"] == modified
    not_modified = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert not_modified.status_code == 304 and outcome(not_modified) == "hit"
    make_article(headline="Ferry back on schedule")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_author_and_tag_entries_carry_their_newest_live_story(
    client, story, make_article, make_author
):
    """<lastmod> is when the newest live story went live; a scheduled one does not count."""
    jane = story.authors.get()
    newer = make_article(
        authors=[jane], tags=["Storms"], published_at=timezone.now() - dt.timedelta(hours=1)
    )
    make_article(
        authors=[jane], tags=["Storms"], published_at=timezone.now() + dt.timedelta(hours=2)
    )
    make_article(
        authors=[make_author(name="Ali Khan")],
        tags=["Ports"],
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    for url, page in (
        ("/sitemap-authors.xml", jane.get_absolute_url()),
        ("/sitemap-tags.xml", reverse("articles:tag", kwargs={"slug": "storms"})),
    ):
        found = entries(client.get(url))
        assert all(found.values()), found
        lastmod = dt.datetime.fromisoformat(found[ORIGIN + page])
        assert abs(lastmod - newer.published_at) < dt.timedelta(seconds=1)


def test_news_sitemap_without_a_recent_story_is_a_valid_empty_urlset(client, make_article):
    """Stories older than the window leave a well-formed urlset, cached like any sitemap."""
    make_article(published_at=timezone.now() - dt.timedelta(days=5))
    first = client.get(NEWS)
    assert first.status_code == 200 and entries(first) == {}
    cached = client.get(NEWS)
    assert outcome(cached) == "hit" and entries(cached) == {}
