"""The API through the page cache: hits without queries, ETag and 304, and the same precise
invalidation as the site's pages (a change shows on the next request)."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article, Author

# Pages are invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/articles/"


@pytest.fixture
def story(make_article, make_author, make_section):
    return make_article(
        headline="Harbour reopens after storm",
        section=make_section(name="World"),
        authors=[make_author(name="Jane Roe")],
        tags=["Ports"],
    )


def detail(article):
    return f"/api/v1/articles/{article.slug}/"


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        f"{LIST}?section=world",
        "/api/v1/sections/",
        "/api/v1/authors/",
        "/api/v1/tags/",
        "/api/v1/authors/jane-roe/",
    ],
)
def test_second_request_is_a_hit_without_queries(client, story, url, django_assert_num_queries):
    """Lists, filtered lists, sections, authors and tags: a cached answer costs no query."""
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response.status_code == 200


def test_cached_story_costs_no_query_and_is_not_counted_as_a_view(
    client, story, django_assert_num_queries
):
    """The API is no reader: its requests leave the story's view count alone."""
    client.get(detail(story))
    with django_assert_num_queries(0):
        assert client.get(detail(story))["X-Page-Cache"] == "hit"
    assert Article.objects.get(pk=story.pk).view_count == 0


@pytest.mark.parametrize("cached", [False, True])
def test_etag_and_304(client, story, settings, cached):
    """A client that has the current version gets 304 Not Modified, cached or not."""
    if not cached:
        settings.PAGE_CACHE_SECONDS = 0
    first = client.get(detail(story))
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "max-age=0" in first["Cache-Control"]
    again = client.get(detail(story), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    story.headline = "Harbour reopens, traffic resumes"
    story.save()
    changed = client.get(detail(story), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["headline"] == "Harbour reopens, traffic resumes"


def test_an_edit_refreshes_the_story_and_the_lists(client, story):
    for url in (detail(story), LIST, f"{LIST}?tag=ports"):
        client.get(url)
    story.headline = "Harbour reopens, traffic resumes"
    story.save()
    assert client.get(detail(story)).json()["headline"] == "Harbour reopens, traffic resumes"
    for url in (LIST, f"{LIST}?tag=ports"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert response.json()["results"][0]["headline"] == "Harbour reopens, traffic resumes"


def test_a_renamed_author_is_reprinted(client, story):
    client.get(detail(story))
    client.get("/api/v1/authors/jane-roe/")
    author = Author.objects.get(slug="jane-roe")
    author.name = "Jane Roe-Smith"
    author.save()
    assert client.get(detail(story)).json()["authors"][0]["name"] == "Jane Roe-Smith"
    assert client.get("/api/v1/authors/jane-roe/").json()["name"] == "Jane Roe-Smith"


def test_publishing_and_unpublishing_show_at_once(client, story, make_article):
    client.get(LIST)
    client.get(detail(story))
    newcomer = make_article(headline="Ferry service resumes")
    assert client.get(LIST).json()["results"][0]["slug"] == newcomer.slug
    story.status = Article.Status.DRAFT
    story.save()
    assert client.get(detail(story)).status_code == 404
    assert story.slug not in [s["slug"] for s in client.get(LIST).json()["results"]]


def test_a_scheduled_story_joins_the_list_when_its_time_comes(
    client, story, make_article, time_machine
):
    """No write happens at go-live: the cached list expires at that moment."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    later = make_article(headline="Embargoed report", published_at=now + dt.timedelta(minutes=2))
    assert later.slug not in [s["slug"] for s in client.get(LIST).json()["results"]]
    assert client.get(LIST)["X-Page-Cache"] == "hit"
    time_machine.move_to(now + dt.timedelta(minutes=3), tick=False)
    assert client.get(LIST).json()["results"][0]["slug"] == later.slug
    assert client.get(detail(later)).status_code == 200
