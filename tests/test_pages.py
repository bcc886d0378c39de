"""The reader's list pages (home, section, tag, author), the error pages and page weight."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.views import server_error

pytestmark = pytest.mark.django_db


def hours_ago(hours):
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def newsroom(make_article, make_section, make_author):
    world = make_section(name="World", slug="world", position=0)
    sport = make_section(name="Sport", slug="sport", position=1)
    make_section(name="Empty", slug="empty", position=2)
    jane = make_author(name="Jane Roe")
    stories = [
        make_article(
            section=world if n % 2 else sport,
            authors=[jane],
            headline=f"Story {n:02d}",
            published_at=hours_ago(n + 1),
        )
        for n in range(30)
    ]
    make_article(section=world, headline="Unpublished draft", status=Article.Status.DRAFT)
    return {"stories": stories, "world": world, "sport": sport, "jane": jane}


def test_home_leads_with_the_newest_story(client, newsroom):
    """Page one opens with the newest story as the lead, then the latest list."""
    response = client.get("/")
    html = response.content.decode()
    assert response.context["lead"] == newsroom["stories"][0]
    lead = html[html.index('<article class="lead-story">') :]
    assert '<h2 class="lead-story__headline"><a href="/news/story-00/">Story 00</a>' in lead
    latest = [a.headline for a in response.context["latest"]]
    assert latest == [f"Story {n:02d}" for n in range(1, 20)]
    assert "Unpublished draft" not in html


def test_home_shows_the_latest_of_each_section_not_already_on_the_page(client, newsroom):
    """Section blocks in navigation order, newest first, none repeating the page's stories."""
    response = client.get("/")
    blocks = [
        (section.name, [a.headline for a in stories])
        for section, stories in response.context["section_blocks"]
    ]
    # Stories 00-19 are on the page: the blocks carry on from there, four per section.
    assert blocks == [
        ("World", ["Story 21", "Story 23", "Story 25", "Story 27"]),
        ("Sport", ["Story 20", "Story 22", "Story 24", "Story 26"]),
    ]
    html = response.content.decode()
    assert (
        '<a href="/section/world/">More World<span class="visually-hidden"> stories</span>' in html
    )


def test_home_page_two_continues_the_list(client, newsroom):
    """Page two lists the next stories, without lead or section blocks."""
    response = client.get("/?page=2")
    assert response.status_code == 200
    assert [a.headline for a in response.context["latest"]] == [
        f"Story {n:02d}" for n in range(20, 30)
    ]
    html = response.content.decode()
    assert "lead-story" not in html and "section-block" not in html
    assert '<a rel="prev" href="/">' in html
    assert "<title>Latest stories, page 2 · Newsroom</title>" in html


def test_empty_site_home_page(client, db):
    """A new site says so instead of failing."""
    response = client.get("/")
    assert response.status_code == 200
    assert "No stories here yet." in response.content.decode()


def test_section_page_lists_its_stories_paginated(client, newsroom):
    """Section page: its own live stories, newest first, 20 a page, marked current in the nav."""
    response = client.get("/section/world/")
    html = response.content.decode()
    world = [a for a in newsroom["stories"] if a.section == newsroom["world"]]
    assert [a.headline for a in response.context["object_list"]] == [a.headline for a in world]
    assert '<a href="/section/world/" aria-current="page">World</a>' in html
    assert "/section/world/feed/" in html


def test_author_and_tag_pages(client, newsroom, make_article):
    """Author page: profile and stories; tag page: tagged stories; both paginated."""
    jane = newsroom["jane"]
    response = client.get(jane.get_absolute_url())
    assert response.context["paginator"].count == 30
    assert "Stories by Jane Roe" in response.content.decode()
    make_article(tags=["Ice"], headline="Tagged one")
    html = client.get(reverse("articles:tag", kwargs={"slug": "ice"})).content.decode()
    assert "Tagged “Ice”" in html and "Tagged one" in html


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # count, page, bylines, the live front (none here), section blocks
        ("/", 5),
        ("/?page=2", 3),
        # section, count, page, bylines, most read in the section, the live front (none here)
        ("/section/world/", 6),
        # author or tag, count, page, bylines
        ("/author/jane-roe/", 4),
        ("/tag/common/", 4),
    ],
)
def test_list_page_queries_do_not_grow(
    client,
    make_article,
    make_section,
    make_author,
    warm_navigation,
    settings,
    url,
    queries,
    django_assert_num_queries,
):
    """The same number of queries for 21 stories as for 45 with many authors each.

    The page cache is off: this counts the page's own work (tests/test_caching.py counts the
    cache's), with the header's sections already cached as on any running site.
    """
    settings.PAGE_CACHE_SECONDS = 0
    world = make_section(name="World", slug="world")
    others = [make_section() for _ in range(4)]
    jane = make_author(name="Jane Roe")
    for count in (21, 45):
        while Article.objects.count() < count:
            n = Article.objects.count()
            make_article(
                section=world if n % 2 else others[n % 4],
                authors=[jane, *(make_author() for _ in range(n % 4))],
                tags=["common", f"tag{n}"],
            )
        warm_navigation()
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_home_page_within_the_cache_budget(client, newsroom, django_assert_max_num_queries):
    """Issue 5 needs the uncached home page in at most eight queries."""
    with django_assert_max_num_queries(8):
        client.get("/")


def test_404_page_is_in_the_site_design(client, db):
    """A missing page: the site's header, a search box and a way home, status 404."""
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/articles/site.css">' in html
    assert "We can’t find that page" in html
    assert 'action="/search/"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_500_page_is_in_the_site_design_without_the_database(
    client, django_assert_num_queries, settings
):
    """The server-error page renders with no query, styled like the site."""
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert '<link rel="stylesheet" href="/static/articles/site.css">' in html
    assert "<title>Something went wrong · Newsroom</title>" in html


def test_error_handlers_are_wired():
    """Django uses the site's own 400 and 500 views."""
    from newsroom import urls

    assert urls.handler400 == "articles.views.bad_request"
    assert urls.handler500 == "articles.views.server_error"


def test_disallowed_host_gets_the_400_page(client, db):
    """A request for a host name the site does not serve: the 400 page, not a crash."""
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not understand that request" in html
    assert "<title>Bad request · Newsroom</title>" in html
    assert "evil.example" not in html


def test_article_page_weight_and_no_other_host(client, make_article, make_author, make_related):
    """HTML plus CSS under 32 KB for a long story with rails, its comment form included;
    nothing loaded from another host."""
    article = make_article(
        authors=[make_author() for _ in range(3)],
        tags=[f"tag {n}" for n in range(8)],
        dek="A dek of a sentence or two. " * 3,
        body="".join(f"<p>{'A sentence of a long story. ' * 12}</p>" for _ in range(12)),
    )
    for rail in ("Related Stories", "Latest Stories", "Popular Now", "Must-Reads"):
        for _ in range(5):
            make_related(article, rail=rail, headline=f"A related headline of usual length {_}")
    html = client.get(article.get_absolute_url()).content
    with open(finders.find("articles/site.css"), "rb") as css:
        weight = len(html) + len(css.read())
    assert weight < 32 * 1024, f"{len(html)} bytes of HTML + {weight - len(html)} of CSS"
    text = html.decode()
    # JSON-LD data and the site's own comment form script, nothing else; no script,
    # stylesheet, image or frame from elsewhere.
    assert text.count("<script") == text.count('<script type="application/ld+json">') + 1
    assert '<script src="/static/comments/comments.js" defer></script>' in text
    loaded = re.findall(r'<(?:img|iframe|source|script|link)\b[^>]*?(?:src|href)="([^"]+)"', text)
    assert loaded  # the stylesheet at least
    for url in loaded:
        assert url.startswith("http://testserver/") or (
            url.startswith("/") and not url.startswith("//")
        ), url


def test_print_stylesheet_keeps_only_the_story(client):
    """The print styles hide navigation, rails, share buttons and the footer."""
    with open(finders.find("articles/site.css")) as css:
        text = css.read()
    print_rules = text[text.index("@media print") :]
    for selector in (".site-nav", ".share", ".rails", ".site-footer", ".site-search"):
        assert selector in print_rules


@pytest.mark.parametrize("page", ["abc", "999999", "-1", "0", "1.5", "%00", "9" * 400])
@pytest.mark.parametrize("url", ["/", "/section/world/", "/author/jane-roe/", "/tag/trade/"])
def test_bad_page_numbers_are_404(client, make_article, make_section, make_author, url, page):
    """A page number that is no page is a 404 on every list, never a 500."""
    make_article(
        section=make_section(name="World", slug="world"),
        authors=[make_author(name="Jane Roe")],
        tags=["Trade"],
    )
    assert client.get(f"{url}?page={page}").status_code == 404


@pytest.mark.parametrize("url", ["/", "/section/world/", "/news/story/"])
def test_stray_parameters_are_ignored_and_never_echoed(client, make_article, make_section, url):
    """Unknown parameters, HTML included, change nothing and never reach the page."""
    make_article(section=make_section(name="World", slug="world"), headline="Story")
    response = client.get(url, {"q": "<script>alert(1)</script>", "utm_source": "'\"><b>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert(1)" not in html and "<b>" not in html


def test_section_page_side_column_has_its_most_read(client, make_article, make_section, settings):
    """Beside the list: the section's most read stories of the week, most read first."""
    settings.NEWSROOM_POPULAR_DAYS = 7
    world, sport = make_section(name="World", slug="world"), make_section(name="Sport")
    make_article(section=world, headline="Read a lot", view_count=90)
    make_article(section=world, headline="Read most", view_count=300)
    make_article(section=world, headline="Unread", view_count=0)
    make_article(section=world, headline="Old", view_count=999, published_at=hours_ago(24 * 8))
    make_article(section=sport, headline="Other section", view_count=500)
    response = client.get("/section/world/")
    assert [a.headline for a in response.context["most_read"]] == ["Read most", "Read a lot"]
    assert "Most read in World" in response.content.decode()


def test_favicon_ico_redirects_to_the_site_icon(client):
    """/favicon.ico, asked for by pages without an icon link, leads to the site's icon."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("articles/favicon.svg")
