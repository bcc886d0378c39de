"""RSS 2.0 and Atom feeds for the site, each section, author and tag, read by feedparser."""

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(make_article, make_section, make_author, make_credit, settings, tmp_path, png_bytes):
    settings.MEDIA_ROOT = tmp_path
    world = make_section(name="World", slug="world")
    jane, omar = make_author(name="Jane Roe"), make_author(name="Omar Khan")
    credit = make_credit(
        caption="Ships in the harbour.",
        credit_line="Reuters",
        alt_text="Container ships",
        image=SimpleUploadedFile("harbour.png", png_bytes, content_type="image/png"),
    )
    live = make_article(
        section=world,
        authors=[jane, omar],
        tags=["Russia", "Trade"],
        headline="Ports reopen after the storm & Q&A",
        dek="Ships <move> again.",
        lead_image=credit,
        published_at=timezone.now() - dt.timedelta(hours=2),
    )
    other = make_article(
        authors=[omar], tags=["Trade"], published_at=timezone.now() - dt.timedelta(hours=1)
    )
    draft = make_article(
        section=world, authors=[jane], tags=["Russia"], status=Article.Status.DRAFT
    )
    scheduled = make_article(
        section=world,
        authors=[jane],
        tags=["Russia"],
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    return {
        "live": live,
        "other": other,
        "hidden": [draft, scheduled],
        "world": world,
        "jane": jane,
        "omar": omar,
    }


FEEDS = [
    ("articles:feed", {}, {"live", "other"}),
    ("articles:section_feed", {"slug": "world"}, {"live"}),
    ("articles:author_feed", {"slug": "jane-roe"}, {"live"}),
    ("articles:author_feed", {"slug": "omar-khan"}, {"live", "other"}),
    ("articles:tag_feed", {"slug": "trade"}, {"live", "other"}),
    ("articles:tag_feed", {"slug": "russia"}, {"live"}),
]


def fetch(client, name, kwargs, atom=False):
    response = client.get(reverse(name + ("_atom" if atom else ""), kwargs=kwargs))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
@pytest.mark.parametrize(("name", "kwargs", "expected"), FEEDS)
def test_feeds_are_valid_and_list_only_live_stories(client, newsroom, name, kwargs, expected, atom):
    """Each feed parses cleanly and holds exactly the published stories it should."""
    response = fetch(client, name, kwargs, atom)
    assert response["Content-Type"].startswith(
        "application/atom+xml" if atom else "application/rss+xml"
    )
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("atom10" if atom else "rss20")
    links = {entry.link for entry in feed.entries}
    assert links == {"http://testserver" + newsroom[key].get_absolute_url() for key in expected}
    for entry in feed.entries:
        assert entry.title and entry.link and entry.published_parsed and entry.author
        assert entry.summary
    for hidden in newsroom["hidden"]:
        assert hidden.get_absolute_url().encode() not in response.content


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_entry_fields(client, newsroom, atom, png_bytes):
    """Title, link, date, every byline author, summary, categories and the lead image."""
    feed = feedparser.parse(fetch(client, "articles:feed", {}, atom).content)
    entry = next(e for e in feed.entries if "ports-reopen" in e.link)
    live = newsroom["live"]
    assert entry.title == "Ports reopen after the storm & Q&A"
    assert entry.link == "http://testserver" + live.get_absolute_url()
    assert dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC) == live.published_at.replace(
        microsecond=0
    )
    assert [a.name for a in entry.authors] == ["Jane Roe", "Omar Khan"]
    assert "Ships <move> again." in entry.summary or "Ships &lt;move&gt; again." in entry.summary
    assert {t.term for t in entry.tags} == {"World", "Russia", "Trade"}
    enclosure = entry.enclosures[0]
    assert enclosure.href.startswith("http://testserver/media/images/")
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == len(png_bytes)
    if atom:
        assert [a.href for a in entry.authors] == [
            "http://testserver/author/jane-roe/",
            "http://testserver/author/omar-khan/",
        ]
    else:
        media = entry.media_content[0]
        assert media["url"] == enclosure.href and media["medium"] == "image"
        assert entry.media_credit[0]["content"] == "Reuters"


def test_rss_is_rss_2_with_namespaces(client, newsroom):
    """The RSS feed is RSS 2.0 XML with dc: and media: declared and a self link."""
    root = ET.fromstring(fetch(client, "articles:feed", {}).content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "Newsroom"
    assert channel.findtext("link") == "http://testserver/"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("href") == "http://testserver/feeds/latest/"
    item = next(i for i in channel.findall("item") if "ports-reopen" in i.findtext("link"))
    creators = item.findall("{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators] == ["Jane Roe", "Omar Khan"]
    assert item.find("{http://search.yahoo.com/mrss/}content") is not None
    assert item.find("enclosure").get("type") == "image/png"


def test_feed_titles_name_the_section_author_and_tag(client, newsroom):
    """A reader subscribed to several feeds can tell them apart."""
    for name, kwargs, title in [
        ("articles:section_feed", {"slug": "world"}, "World · Newsroom"),
        ("articles:author_feed", {"slug": "jane-roe"}, "Jane Roe · Newsroom"),
        ("articles:tag_feed", {"slug": "trade"}, "Trade · Newsroom"),
    ]:
        feed = feedparser.parse(fetch(client, name, kwargs).content)
        assert feed.feed.title == title


@pytest.mark.parametrize("name", ["section_feed", "author_feed", "tag_feed"])
def test_unknown_feed_objects_are_404(client, db, name):
    """A feed for a section, author or tag that does not exist is a 404."""
    for suffix in ("", "_atom"):
        url = reverse(f"articles:{name}{suffix}", kwargs={"slug": "nope"})
        assert client.get(url).status_code == 404


def test_empty_feed_is_still_valid(client, db):
    """A site with no stories yet serves an empty but valid feed."""
    for atom in (False, True):
        feed = feedparser.parse(fetch(client, "articles:feed", {}, atom).content)
        assert not feed.bozo and feed.entries == []


def test_feed_query_count_does_not_grow(client, make_article, settings, django_assert_num_queries):
    """Three queries (stories, bylines, tags) for 1 story or 30 (the feed's own work, uncached)."""
    settings.PAGE_CACHE_SECONDS = 0
    make_article(tags=["a"])
    with django_assert_num_queries(3):
        fetch(client, "articles:feed", {})
    for _ in range(35):
        make_article(tags=["a", "b"])
    with django_assert_num_queries(3):
        feed = feedparser.parse(fetch(client, "articles:feed", {}).content)
    assert len(feed.entries) == 30


def test_pages_announce_their_feeds(client, newsroom):
    """Home, section, author and tag pages link their feeds in the head for feed readers."""
    for url, feed in [
        ("/", "/feeds/latest/"),
        ("/section/world/", "/section/world/feed/"),
        ("/author/jane-roe/", "/author/jane-roe/feed/atom/"),
        ("/tag/trade/", "/tag/trade/feed/"),
    ]:
        html = client.get(url).content.decode()
        assert f'href="{feed}"' in html, url
        assert 'type="application/rss+xml"' in html
