"""The reader's pages: the article page above all, then section, author and tag lists."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import view_counts
from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("loaddata", "seed", stdout=io.StringIO())
    return Article.objects.get(slug__startswith="putin-wont")


def positions(html, *needles):
    found = []
    for needle in needles:
        index = html.find(needle)
        assert index >= 0, f"{needle!r} is not on the page"
        found.append(index)
    return found


def test_article_page_shows_every_element_in_order(client, seeded):
    """Header, headline, byline, date, views, figure, body, sign-off, tags, share, rails."""
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    order = positions(
        html,
        '<a class="skip-link" href="#main"',
        '<nav class="site-nav" aria-label="Sections">',
        "<article",
        '<h1 class="story__headline">Putin Won’t Sit Down with North Korean Foreign Minister',
        '<a href="/author/daniel-kim/" rel="author">Daniel Kim</a>',
        '<time datetime="2024-10-29T18:00:00+00:00">29 October 2024',
        "1 view",
        "<figure",
        "Putin held a press conference in Kazan, Russia, on October 24.",
        "Kazan (Russia) / Reuters",
        "</figcaption>",
        "<p>The Kremlin spokesman announced on Tuesday",
        "<p>Speculation surrounding her visit",
        '<a href="mailto:content@viewusglobal.com">content@viewusglobal.com</a>',
        'rel="tag">North Korea</a>',
        'aria-label="Share this story"',
        "</article>",
        '<h2 class="rail__title">Related Stories</h2>',
        '<h2 class="rail__title">Latest Stories</h2>',
        '<h2 class="rail__title">You May Also Like</h2>',
        '<h2 class="rail__title">Popular Now</h2>',
    )
    assert order == sorted(order)
    # The source page's "Must-Reads" repeated its "You May Also Like" headline for headline:
    # a story is shown once, so that rail has nothing left to show.
    assert '<h2 class="rail__title">Must-Reads</h2>' not in html


def test_article_page_has_none_of_the_clutter(client, seeded):
    """No navigation junk, comment widgets, repeated rails or third-party scripts."""
    html = client.get(seeded.get_absolute_url()).content.decode()
    for clutter in (
        "Quick access to main page",
        "Comments0",
        ">300<",
        "Share it on...",
        "&amp;nbsp",
    ):
        assert clutter not in html
    assert html.count('<h2 class="rail__title">Popular Now</h2>') == 1
    assert html.count("Feeling Drained No Matter How Much You Sleep?") == 1
    # No script runs: the only script elements are JSON-LD data for search engines.
    assert html.count("<script") == html.count('<script type="application/ld+json">')
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    # Only share links leave the site, and they are plain links, never loaded resources.
    loaded = re.findall(
        r'<(?:img|iframe|source)[^>]+src="https?://|<link rel="stylesheet"[^>]+href="https?://',
        html,
    )
    assert not loaded
    assert all(
        url.startswith(
            ("https://twitter.com/", "https://www.facebook.com/", "https://www.linkedin")
        )
        for url in external
        if "testserver" not in url
    )


def test_semantic_markup(client, seeded):
    """article, header, figure/figcaption, time datetime=, address, a skip link to main."""
    html = client.get(seeded.get_absolute_url()).content.decode()
    for tag in ('<main id="main"', '<header class="story__header">', "<figcaption>", "<address"):
        assert tag in html
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html


def test_rail_links_internal_and_headline_only_entries_are_not_links(client, seeded):
    """The related seed story is a working link; headline-only entries are plain text."""
    html = client.get(seeded.get_absolute_url()).content.decode()
    other = Article.objects.get(slug__startswith="putin-hosts")
    assert f'<a href="{other.get_absolute_url()}">{other.headline}</a>' in html
    assert "<span>Porsche Taycan GTS Breaks Guinness Record" in html
    assert client.get(other.get_absolute_url()).status_code == 200


def test_first_seed_figure_has_caption_and_agency_credit(client, seeded):
    """The Reuters-Yonhap credit and its caption are printed under the figure."""
    other = Article.objects.get(slug__startswith="putin-hosts")
    html = client.get(other.get_absolute_url()).content.decode()
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert "Russian President Vladimir Putin met with North Korean Foreign Minister" in figure
    assert '<span class="credit">Reuters-Yonhap</span>' in figure


def test_each_view_increments_the_count(client, make_article):
    """Every reader view adds one: shown at once, in the database once the counts are written."""
    article = make_article()
    client.get(article.get_absolute_url())
    response = client.get(article.get_absolute_url())
    assert "2 views" in response.content.decode()
    view_counts.flush()
    article.refresh_from_db()
    assert article.view_count == 2


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, -1),
        (Article.Status.REVIEW, -1),
        (Article.Status.PUBLISHED, +1),  # scheduled
    ],
)
def test_drafts_and_scheduled_are_404_for_readers(client, make_article, status, offset):
    """Readers get a 404 for an article that is not live; its count does not move."""
    article = make_article(status=status, published_at=timezone.now() + dt.timedelta(hours=offset))
    assert client.get(article.get_absolute_url()).status_code == 404
    article.refresh_from_db()
    assert article.view_count == 0


def test_staff_preview_of_a_draft(client, make_article):
    """A user who may change articles previews a draft, marked as such, without counting."""
    article = make_article(status=Article.Status.DRAFT)
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this article is not published" in response.content.decode()
    article.refresh_from_db()
    assert article.view_count == 0


def test_article_query_count_does_not_grow(
    client, make_article, make_author, make_related, django_assert_max_num_queries
):
    """Eight queries whether the article has one author, tag and story or many.

    Seven for the article itself (article with section and photo, bylines, tags, curated rails,
    readers' comments, the view count, the navigation), one for the breaking-news banners (both
    read once, then cached) and one for the automatic rails the editor left empty;
    tests/test_rails.py checks the seven when every rail is curated.
    """
    small = make_article(tags=["one"])
    make_related(small, target=make_article())
    big = make_article(
        authors=[make_author() for _ in range(6)], tags=[f"tag {n}" for n in range(8)]
    )
    for _ in range(6):
        make_related(big, target=make_article())
        make_related(big, rail="Popular Now")
    for article in (small, big):
        with django_assert_max_num_queries(9):
            assert client.get(article.get_absolute_url()).status_code == 200


def test_list_pages_show_only_published(client, make_article, make_section, make_author):
    """Section, author, tag and home pages list live stories and hide the rest."""
    section = make_section(name="World")
    author = make_author(name="Jane Roe")
    live = make_article(section=section, authors=[author], tags=["Russia"], headline="Live one")
    make_article(
        section=section,
        authors=[author],
        tags=["Russia"],
        headline="Hidden draft",
        status=Article.Status.DRAFT,
    )
    for url in (
        reverse("articles:home"),
        section.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "russia"}),
    ):
        html = client.get(url).content.decode()
        assert live.headline in html, url
        assert "Hidden draft" not in html, url


def test_author_page_shows_profile(client, make_author, make_article):
    """The author's page carries the bio and email above their stories."""
    author = make_author(name="Jane Roe", bio="Covers Russia.", email="jane@example.com")
    make_article(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    assert "Covers Russia." in html and "jane@example.com" in html


@pytest.mark.parametrize("query", ["?page=abc", "?page=999999", "?page=-1"])
def test_bad_page_numbers_are_404_not_500(client, make_article, query):
    """A hostile page number is a 404."""
    make_article()
    assert client.get(reverse("articles:home") + query).status_code == 404


def test_unknown_section_author_tag_are_404(client, db):
    """Unknown slugs are 404s."""
    for name in ("articles:section", "articles:author", "articles:tag", "articles:detail"):
        assert client.get(reverse(name, kwargs={"slug": "nope"})).status_code == 404
