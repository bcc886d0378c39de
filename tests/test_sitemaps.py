"""sitemap.xml and its parts, the Google News sitemap and robots.txt."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}
ORIGIN = "http://testserver"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def locations(root):
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


@pytest.fixture
def site(make_article, make_section, make_author, make_credit, settings, tmp_path, png_bytes):
    settings.MEDIA_ROOT = tmp_path
    world, empty = make_section(name="World"), make_section(name="Empty")
    jane, ghost = make_author(name="Jane Roe"), make_author(name="Ghost Writer")
    now = timezone.now()
    credit = make_credit(image=SimpleUploadedFile("a.png", png_bytes), alt_text="A photo")
    return {
        "fresh": make_article(
            section=world,
            authors=[jane],
            tags=["Russia"],
            headline="Fresh & new",
            published_at=now - dt.timedelta(hours=5),
            lead_image=credit,
        ),
        "old": make_article(
            section=world, authors=[jane], tags=["Russia"], published_at=now - dt.timedelta(days=9)
        ),
        "draft": make_article(
            section=empty, authors=[ghost], tags=["Secret"], status=Article.Status.DRAFT
        ),
        "review": make_article(section=empty, authors=[ghost], status=Article.Status.REVIEW),
        "scheduled": make_article(
            section=empty,
            authors=[ghost],
            tags=["Secret"],
            published_at=now + dt.timedelta(hours=2),
        ),
        "world": world,
        "empty": empty,
        "jane": jane,
        "ghost": ghost,
    }


def everything(client):
    """Every URL reached from the sitemap index."""
    index = xml(client, reverse("articles:sitemap_index"))
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    urls = []
    for part in locations(index):
        assert part.startswith(ORIGIN)
        urls += locations(xml(client, part.removeprefix(ORIGIN)))
    return urls


def test_sitemap_lists_every_live_page_once(client, site):
    """Home, live sections, authors, tags and articles, each once, absolute."""
    urls = everything(client)
    expected = {
        "/",
        site["world"].get_absolute_url(),
        site["jane"].get_absolute_url(),
        "/tag/russia/",
        site["fresh"].get_absolute_url(),
        site["old"].get_absolute_url(),
    }
    assert sorted(urls) == sorted(ORIGIN + path for path in expected)


def test_sitemap_never_lists_drafts_or_what_only_drafts_use(client, site):
    """No draft, review or scheduled story, nor a section, author or tag with none live."""
    urls = " ".join(everything(client))
    for key in ("draft", "review", "scheduled"):
        assert site[key].get_absolute_url() not in urls
    assert site["empty"].get_absolute_url() not in urls
    assert site["ghost"].get_absolute_url() not in urls
    assert "/tag/secret/" not in urls


def test_article_entries_have_lastmod_and_image(client, site):
    """Each article has its last change as <lastmod>, and its photo as an image entry."""
    root = xml(client, reverse("articles:sitemap", kwargs={"section": "articles"}))
    entries = {u.findtext("sm:loc", namespaces=NS): u for u in root.iterfind("sm:url", NS)}
    fresh = entries[ORIGIN + site["fresh"].get_absolute_url()]
    lastmod = dt.datetime.fromisoformat(fresh.findtext("sm:lastmod", namespaces=NS))
    assert abs(lastmod - site["fresh"].last_modified) < dt.timedelta(seconds=1)
    image = fresh.find("image:image/image:loc", NS).text
    assert image.startswith(ORIGIN + "/media/images/")
    assert entries[ORIGIN + site["old"].get_absolute_url()].find("image:image", NS) is None


def test_news_sitemap_has_the_last_two_days_in_google_news_format(client, site):
    """Only stories published in the last 48 hours, with publication, date and title."""
    root = xml(client, reverse("articles:news_sitemap"))
    urls = root.findall("sm:url", NS)
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [
        ORIGIN + site["fresh"].get_absolute_url()
    ]
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Fresh & new"
    published = dt.datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
    assert abs(published - site["fresh"].published_at) < dt.timedelta(seconds=1)


def test_news_sitemap_is_valid_when_empty(client, db):
    """A quiet two days still give a well-formed, empty urlset."""
    root = xml(client, reverse("articles:news_sitemap"))
    assert root.tag == f"{{{NS['sm']}}}urlset" and not root.findall("sm:url", NS)


def test_robots_txt_points_at_both_sitemaps(client, db):
    """robots.txt names the sitemap and the news sitemap by absolute URL, and keeps out /admin/."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
    assert f"Sitemap: {ORIGIN}/news-sitemap.xml" in lines


def test_unknown_sitemap_section_is_404(client, db):
    """A made-up sitemap name is a 404."""
    assert client.get("/sitemap-nope.xml").status_code == 404
    assert client.get("/sitemap-articles.xml?p=abc").status_code == 404
