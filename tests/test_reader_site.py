"""The reader's site answers for any content: names in any script, stray control characters,
unsanitized bodies, HEAD requests, one origin for every absolute URL, and photos whose licence
has ended."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from unittest import mock

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import view_counts
from articles.models import Article, Author, Section

pytestmark = pytest.mark.django_db

FEED_NAMES = ["articles:feed", "articles:feed_atom"]


def wellformed(response):
    assert response.status_code == 200, response.status_code
    return ET.fromstring(response.content)


# --- Names in any script -----------------------------------------------------------------------

NAMES = ["Café", "Россия", "북한", "!!!", "?!", "Café!!"]


@pytest.mark.parametrize("name", NAMES)
def test_every_tag_name_gets_a_working_url(client, make_article, name):
    """A tag named in any script, or with no letter at all, links from its article to its page,
    its feeds and the tag sitemap."""
    story = make_article(tags=[name])
    tag = Tag.objects.get(name=name)
    assert tag.slug.strip("-_")
    html = client.get(story.get_absolute_url()).content.decode()
    tag_url = reverse("articles:tag", kwargs={"slug": tag.slug})
    assert f'href="{tag_url}"' in html
    page = client.get(tag_url)
    assert page.status_code == 200 and story.headline in page.content.decode()
    for feed in ("articles:tag_feed", "articles:tag_feed_atom"):
        wellformed(client.get(reverse(feed, kwargs={"slug": tag.slug})))
    sitemap = wellformed(client.get(reverse("articles:sitemap", kwargs={"section": "tags"})))
    locations = [
        loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert "http://testserver" + tag_url in locations


def test_two_tags_without_letters_get_two_urls(make_article):
    """ "!!!" and "???" are two tags with two different working slugs."""
    make_article(tags=["!!!", "???"])
    slugs = set(Tag.objects.values_list("slug", flat=True))
    assert slugs == {"tag", "tag-2"}


def test_a_stored_empty_tag_slug_breaks_no_page(client, make_article):
    """A tag row that reached the database with no slug keeps its article page and the tag
    sitemap answering."""
    story = make_article(tags=["Kept"])
    Tag.objects.filter(name="Kept").update(slug="")
    assert client.get(story.get_absolute_url()).status_code == 200
    wellformed(client.get(reverse("articles:sitemap", kwargs={"section": "tags"})))


@pytest.mark.parametrize("name", ["Café", "Россия", "북한"])
def test_sections_and_authors_in_any_script(client, make_article, name):
    """Sections and authors with non-Latin names have pages, feeds and sitemap entries."""
    from articles.text import make_slug

    slug = make_slug(name, max_length=80, fallback="x")
    section = Section.objects.create(name=name, slug=slug)
    author = Author.objects.create(name=name, slug=slug)
    make_article(section=section, authors=[author])
    for url in (section.get_absolute_url(), author.get_absolute_url()):
        assert client.get(url).status_code == 200, url
    for part in ("sections", "authors"):
        wellformed(client.get(reverse("articles:sitemap", kwargs={"section": part})))


# --- Control characters never break XML --------------------------------------------------------


@pytest.fixture
def controlled(make_article, make_author, make_section):
    """A live story whose stored text holds control characters, as a raw write could leave."""
    story = make_article(
        tags=["Trade"],
        section=make_section(name="World"),
        authors=[make_author(name="Jane Roe")],
    )
    Article.objects.filter(pk=story.pk).update(
        headline="Ports\x0b reopen\x01 after\x1f storm",
        dek="Ships\x0c move again.",
        body="<p>Text\x0b here.</p>",
    )
    Author.objects.update(name="Jane\x08 Roe")
    Tag.objects.update(name="Tr\x1bade")
    return Article.objects.get(pk=story.pk)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("articles:feed", {}),
        ("articles:feed_atom", {}),
        ("articles:author_feed", {"slug": "jane-roe"}),
        ("articles:tag_feed_atom", {"slug": "trade"}),
        ("articles:section_feed", {"slug": "world"}),
    ],
)
def test_feeds_stay_wellformed_with_control_characters(client, controlled, name, kwargs):
    """Every feed listing the story is valid XML, with the text minus its control characters."""
    response = client.get(reverse(name, kwargs=kwargs))
    wellformed(response)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert parsed.entries[0].title == "Ports reopen after storm"


@pytest.mark.parametrize("url_name", ["articles:news_sitemap", "articles:sitemap_index"])
def test_sitemaps_stay_wellformed_with_control_characters(client, controlled, url_name):
    """The news sitemap prints the headline without its control characters."""
    root = wellformed(client.get(reverse(url_name)))
    if url_name == "articles:news_sitemap":
        titles = [
            t.text for t in root.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")
        ]
        assert titles == ["Ports reopen after storm"]


# --- Bodies are sanitized on the way out as well ------------------------------------------------


@pytest.mark.parametrize(
    "attack",
    [
        '<blockquote cite="javascript:alert(1)">Quote</blockquote>',
        '<q cite="JaVaScRiPt:alert(1)">Quote</q>',
        '<a href="java\tscript:alert(1)">Link</a>',
        '<blockquote cite="jav&#x61;script:alert(1)">Quote</blockquote>',
    ],
)
def test_saved_bodies_keep_no_javascript_url(make_article, attack):
    """Every URL-bearing attribute drops javascript: on save, whatever its spelling."""
    story = make_article(body=f"<p>Intro.</p>{attack}")
    story.refresh_from_db()
    assert "script:" not in story.body.lower().replace("&#x61;", "a")
    assert "Quote" in story.body or "Link" in story.body


def test_a_body_written_around_save_is_printed_sanitized(client, make_article):
    """A body put in by a raw UPDATE (or loaddata) is cleaned as it is printed."""
    story = make_article()
    Article.objects.filter(pk=story.pk).update(
        body='<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<blockquote cite="javascript:alert(2)">Q</blockquote><img src=x onerror=alert(3)>'
    )
    html = client.get(story.get_absolute_url()).content.decode()
    body = html.split('class="story__body">', 1)[1].split("</div>", 1)[0]
    for bad in ("onclick", "<script", "javascript:", "onerror", "<img"):
        assert bad not in body
    assert "Hi" in body and "<blockquote>Q</blockquote>" in body


# --- HEAD works on every public page ------------------------------------------------------------


def test_head_works_on_every_public_page(client, make_article):
    """HEAD answers 200 with no body wherever GET does, robots.txt included."""
    story = make_article(tags=["Trade"])
    author = story.authors.get()
    urls = [
        reverse("articles:home"),
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "trade"}),
        reverse("articles:search") + "?q=storm",
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:section_feed", kwargs={"slug": story.section.slug}),
        reverse("articles:author_feed_atom", kwargs={"slug": author.slug}),
        reverse("articles:tag_feed", kwargs={"slug": "trade"}),
        reverse("articles:sitemap_index"),
        reverse("articles:sitemap", kwargs={"section": "articles"}),
        reverse("articles:news_sitemap"),
        reverse("articles:robots_txt"),
    ]
    for url in urls:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b"", url


def test_head_requests_are_not_counted_as_views(client, make_article):
    """A link checker's HEAD, cached or not, leaves the view count alone."""
    story = make_article()
    for _ in range(3):
        assert client.head(story.get_absolute_url()).status_code == 200
    client.get(story.get_absolute_url())
    client.get(story.get_absolute_url())
    assert client.head(story.get_absolute_url())["X-Page-Cache"] == "hit"
    view_counts.flush()
    story.refresh_from_db()
    assert story.view_count == 2


# --- One origin for every absolute URL ----------------------------------------------------------

ORIGIN = "https://news.example"


@pytest.fixture
def origin(settings):
    settings.SITE_URL = ORIGIN
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "news.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


REQUESTS = [
    {"HTTP_HOST": "localhost"},
    {"HTTP_HOST": "127.0.0.1"},
    {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_PROTO": "https"},
]


def absolute_urls(text: str) -> set[str]:
    import re

    return set(re.findall(r"https?://[^\s\"'<>]+", text))


def test_feed_ids_and_links_come_from_the_site_origin(client, origin, make_article):
    """One entry has one Atom id and link, whichever host or scheme the request used."""
    make_article()
    ids = []
    for headers in REQUESTS:
        atom = feedparser.parse(client.get(reverse("articles:feed_atom"), **headers).content)
        rss = feedparser.parse(client.get(reverse("articles:feed"), **headers).content)
        ids.append((atom.feed.id, atom.entries[0].id, atom.entries[0].link, rss.entries[0].link))
    assert len(set(ids)) == 1
    assert all(value.startswith(ORIGIN + "/") for value in ids[0])


@pytest.mark.parametrize(
    "url_name", ["articles:sitemap_index", "articles:news_sitemap", "articles:robots_txt"]
)
def test_sitemaps_and_robots_come_from_the_site_origin(client, origin, make_article, url_name):
    """Sitemaps and robots.txt give addresses on SITE_URL only."""
    make_article()
    bodies = {client.get(reverse(url_name), **headers).content for headers in REQUESTS}
    assert len(bodies) == 1
    urls = absolute_urls(bodies.pop().decode()) - {
        "http://www.sitemaps.org/schemas/sitemap/0.9",
        "http://www.google.com/schemas/sitemap-news/0.9",
    }
    assert urls and all(url.startswith(ORIGIN + "/") for url in urls), urls


def test_page_metadata_comes_from_the_site_origin(client, origin, make_article):
    """Canonical, OpenGraph, share links and JSON-LD point at SITE_URL, on every host."""
    story = make_article()
    for url in (story.get_absolute_url(), reverse("articles:home")):
        for headers in REQUESTS:
            html = client.get(url, **headers).content.decode()
            assert f'<link rel="canonical" href="{ORIGIN}{url}">' in html
            for found in absolute_urls(html):
                assert "localhost" not in found and "127.0.0.1" not in found, found
    scripts = html.split('<script type="application/ld+json">')[1:]
    assert json.loads(scripts[0].split("</script>")[0])["url"] == f"{ORIGIN}/"


# --- Media on a bucket -------------------------------------------------------------------------


def test_bucket_image_urls_are_not_doubled(client, make_article, make_credit, settings, png_bytes):
    """With S3 (absolute storage URLs) the sitemap, feed and metadata print the bucket's URL."""
    from django.core.files.storage import storages

    class BucketStorage(type(storages["default"])):
        def url(self, name):
            return f"https://bucket.s3.amazonaws.com/media/{name}"

    settings.MEDIA_ROOT = settings.BASE_DIR / ".pytest_cache" / "media"
    credit = make_credit(image=SimpleUploadedFile("a.png", png_bytes), alt_text="Photo")
    story = make_article(lead_image=credit)
    field = type(credit)._meta.get_field("image")
    original = field.storage
    bucket = BucketStorage(location=settings.MEDIA_ROOT)
    field.storage = bucket
    try:
        # The renditions and crops live in the default storage: the same bucket.
        with mock.patch("articles.images.default_storage", bucket):
            texts = [
                client.get(reverse("articles:sitemap", kwargs={"section": "articles"})).content,
                client.get(reverse("articles:feed")).content,
                client.get(story.get_absolute_url()).content,
            ]
    finally:
        field.storage = original
    for text in texts:
        assert b"https://bucket.s3.amazonaws.com/media/" in text
        assert b"testserverhttps" not in text and b"http://testserverhttp" not in text


# --- Photos whose licence has ended --------------------------------------------------------------


def test_a_photo_whose_licence_ended_is_shown_nowhere(
    client, make_article, make_credit, settings, tmp_path, png_bytes
):
    """Article, home, feeds, sitemap, JSON-LD and OpenGraph all drop the photo once its
    licence has ended, and its modified time is the moment it left."""
    settings.MEDIA_ROOT = tmp_path
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    credit = make_credit(
        image=SimpleUploadedFile("lapsed.png", png_bytes),
        alt_text="Lapsed photo",
        licence_ends_on=yesterday,
    )
    story = make_article(lead_image=credit, published_at=timezone.now() - dt.timedelta(days=3))
    Article.objects.filter(pk=story.pk).update(updated_at=story.published_at)
    urls = [
        story.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:sitemap", kwargs={"section": "articles"}),
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert "lapsed" not in text and "Lapsed photo" not in text, url
    atom = feedparser.parse(client.get(reverse("articles:feed_atom")).content)
    ended = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    assert dt.datetime.fromisoformat(atom.entries[0].updated) == ended


def test_replacing_a_lead_photo_moves_the_modified_time(
    client, make_article, make_credit, settings, tmp_path, png_bytes, time_machine
):
    """A new file in the lead photo's credit moves dateModified, Atom updated and lastmod."""
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now().replace(microsecond=0)
    time_machine.move_to(start, tick=False)
    credit = make_credit(image=SimpleUploadedFile("first.png", png_bytes), alt_text="Photo")
    story = make_article(lead_image=credit, published_at=start - dt.timedelta(hours=2))
    time_machine.move_to(start + dt.timedelta(hours=1), tick=False)
    credit.image = SimpleUploadedFile("second.png", png_bytes)
    credit.save()
    moved = (start + dt.timedelta(hours=1)).isoformat()

    atom = feedparser.parse(client.get(reverse("articles:feed_atom")).content)
    assert dt.datetime.fromisoformat(atom.entries[0].updated).isoformat() == moved
    html = client.get(story.get_absolute_url()).content.decode()
    ld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert dt.datetime.fromisoformat(ld["dateModified"]).isoformat() == moved
    sitemap = client.get(reverse("articles:sitemap", kwargs={"section": "articles"}))
    lastmod = wellformed(sitemap).find(".//{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod")
    assert dt.datetime.fromisoformat(lastmod.text).isoformat() == moved
