"""Search pages in the page cache: one entry per search, fresh at once, bad ones never kept."""

import pytest
from django.urls import reverse

from articles import pagination
from articles.models import Article
from articles.pagination import ArticlePaginator, RankedArticlePaginator

# Pages are invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = reverse("articles:search")


def search(client, query):
    response = client.get(f"{SEARCH}?{query}")
    return response, response.content.decode()


def test_a_repeated_search_is_a_hit(client, make_article):
    """The second identical search is served from the cache, with noindex kept."""
    make_article(headline="Glacier melts early")
    first, _ = search(client, "q=glacier")
    second, html = search(client, "q=glacier")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert "Glacier melts early" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    # Endless variants a CDN could not be told to purge: kept here, never in a shared cache.
    for response in (first, second):
        assert "must-revalidate" in response["Cache-Control"]
        assert "s-maxage" not in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_parameter_order_and_empty_parameters_are_one_entry(client, make_article, make_section):
    """The same filters in another order, with empty fields or spaces, hit the same entry."""
    make_article(headline="Glacier melts early", section=make_section(name="World", slug="world"))
    first, _ = search(client, "q=glacier&section=world")
    assert first["X-Page-Cache"] == "miss"
    for query in (
        "section=world&q=glacier",
        "q=glacier&section=world&tag=&author=&published_after=&published_before=",
        "section=world&q=+glacier+&tag=",
    ):
        response, _ = search(client, query)
        assert response["X-Page-Cache"] == "hit", query


def test_a_new_story_shows_at_once(client, make_article):
    """A story published after a search was cached appears in that search straight away."""
    make_article(headline="Glacier melts early")
    search(client, "q=glacier")
    make_article(headline="Glacier collapses")
    response, html = search(client, "q=glacier")
    assert response["X-Page-Cache"] == "miss"
    assert "Glacier collapses" in html


def test_an_edited_story_changes_at_once(client, make_article):
    """A headline edited after a search was cached is shown edited, and leaves a search it
    no longer matches."""
    story = make_article(headline="Glacier melts early")
    search(client, "q=glacier")
    search(client, "q=avalanche")
    story.headline = "Avalanche closes the pass"
    story.save()
    _, glacier = search(client, "q=glacier")
    _, avalanche = search(client, "q=avalanche")
    assert "Avalanche closes the pass" not in glacier
    assert "Avalanche closes the pass" in avalanche


def test_an_unpublished_story_disappears_at_once(client, make_article):
    """A story taken back to draft leaves every cached search."""
    story = make_article(headline="Glacier melts early")
    _, html = search(client, "q=glacier")
    assert "Glacier melts early" in html
    story.status = Article.Status.DRAFT
    story.save()
    _, html = search(client, "q=glacier")
    assert "Glacier melts early" not in html


def test_a_tag_added_to_a_story_reaches_a_search_by_that_tag(client, make_article):
    """A search filtered by a tag follows that tag's list, which moves without an article save."""
    story = make_article(headline="Glacier melts early", tags=["Snow"])
    make_article(headline="Glacier ice", tags=["Ice"])
    _, html = search(client, "q=glacier&tag=ice")
    assert "Glacier melts early" not in html
    story.tags.add("Ice")
    _, html = search(client, "q=glacier&tag=ice")
    assert "Glacier melts early" in html


@pytest.mark.parametrize(
    "query",
    [
        "section=no-such-section",
        "published_after=yesterday",
        "published_after=2024-05-01&published_before=2024-01-01",
        "sort=sideways",
        "q=" + "x" * 201,
        "tag=%00",
    ],
)
def test_bad_parameters_get_the_form_error_and_are_never_cached(client, make_article, query):
    """A search the form refuses is a 400 with the form's message, never a 500, never kept."""
    make_article(headline="Glacier melts early")
    for _ in range(2):
        response, html = search(client, query)
        assert response.status_code == 400
        assert "Please correct your search" in html
        assert response.get("X-Page-Cache") != "hit"


def test_one_client_fills_a_limited_number_of_entries(client, make_article, settings):
    """Past SEARCH_CACHE_FILLS new entries, a client's searches are answered but not kept."""
    settings.SEARCH_CACHE_FILLS = "2/min"
    make_article(headline="Glacier melts early")
    outcomes = [search(client, f"q=glacier+{n}")[0]["X-Page-Cache"] for n in range(4)]
    assert outcomes == ["miss", "miss", "pass", "pass"]
    response, _ = search(client, "q=glacier+0")
    assert response["X-Page-Cache"] == "hit"


def test_lists_are_counted_only_as_far_as_readers_page(make_article, monkeypatch):
    """The count stops a few pages past the one asked for, and always leaves a next page."""
    monkeypatch.setattr(pagination, "LOOKAHEAD_PAGES", 1)
    for n in range(7):
        make_article(headline=f"Glacier {n}")
    first = ArticlePaginator(Article.objects.published(), 2)
    page = first.page(1)
    assert (first.count, first.more, first.num_pages, page.has_next()) == (4, True, 2, True)
    third = ArticlePaginator(Article.objects.published(), 2)
    page = third.page(3)
    assert (third.count, third.more, third.num_pages, page.has_next()) == (7, False, 4, True)


def test_ranked_pages_keep_the_rank_order(make_article):
    """A ranked page reads its cards after its ids, and keeps the ids' order."""
    stories = [make_article(headline=f"Glacier {n}") for n in range(5)]
    ranked = Article.objects.published().order_by("headline")
    page = RankedArticlePaginator(ranked, 2).page(2)
    assert [story.headline for story in page] == ["Glacier 2", "Glacier 3"]
    assert {story.pk for story in page} <= {story.pk for story in stories}
