"""What search engines and link previews read, extracted with extruct and checked field by field."""

import datetime as dt
import json
import re

import extruct
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def extract(html, url):
    return extruct.extract(
        html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True, with_og_array=True
    )


def node(data, kind):
    found = [item for item in data["json-ld"] if item.get("@type") == kind]
    assert len(found) == 1, [item.get("@type") for item in data["json-ld"]]
    return found[0]


@pytest.fixture
def story(make_article, make_section, make_author, make_credit, settings, tmp_path, png_bytes):
    settings.MEDIA_ROOT = tmp_path
    world = make_section(name="World", slug="world")
    authors = [make_author(name="Jane Roe"), make_author(name="Omar Khan")]
    credit = make_credit(
        caption="Ships in the harbour at dawn.",
        alt_text="Container ships at a quay",
        image=SimpleUploadedFile("harbour.png", png_bytes),
    )
    published = timezone.make_aware(dt.datetime(2024, 11, 4, 18, 0))
    article = make_article(
        section=world,
        authors=authors,
        tags=["Russia", "Trade"],
        headline="Ports reopen </script><script>alert(1)</script> after the storm",
        dek="Ships move again after a week of gales.",
        lead_image=credit,
        published_at=published,
    )
    # A later correction, as the admin's save would record it.
    Article.objects.filter(pk=article.pk).update(updated_at=published + dt.timedelta(hours=3))
    article.refresh_from_db()
    return article


def page(client, article):
    url = ORIGIN + article.get_absolute_url()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return url, response.content.decode()


def test_news_article_json_ld_field_by_field(client, story):
    """headline, image, dates, every byline author with their page, publisher and more."""
    url, html = page(client, story)
    data = node(extract(html, url), "NewsArticle")
    assert data["@context"] in ("https://schema.org", "http://schema.org")
    assert data["headline"] == story.headline
    assert data["url"] == url
    assert data["mainEntityOfPage"]["@id"] == url
    assert data["description"] == "Ships move again after a week of gales."
    image = data["image"][0]  # the 16:9 crop, then 4:3 and 1:1
    assert image["url"].startswith(ORIGIN + "/media/renditions/")
    assert [(i["width"], i["height"]) for i in data["image"]] == [(40, 22), (40, 30), (30, 30)]
    assert image["caption"] == "Ships in the harbour at dawn."
    assert dt.datetime.fromisoformat(data["datePublished"]) == story.published_at
    assert dt.datetime.fromisoformat(data["dateModified"]) == story.published_at + dt.timedelta(
        hours=3
    )
    assert data["author"] == [
        {"@type": "Person", "name": "Jane Roe", "url": ORIGIN + "/author/jane-roe/"},
        {"@type": "Person", "name": "Omar Khan", "url": ORIGIN + "/author/omar-khan/"},
    ]
    publisher = data["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "Newsroom"
    assert publisher["url"] == ORIGIN + "/"
    assert publisher["logo"]["url"] == ORIGIN + "/static/articles/logo.png"
    assert data["articleSection"] == "World"
    assert data["keywords"] == ["Russia", "Trade"]
    assert data["inLanguage"] == "en"


def test_json_ld_cannot_break_out_of_its_script(client, story):
    """A headline with </script> stays inside the JSON-LD: < and > are escaped."""
    _, html = page(client, story)
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 2
    assert all("<" not in body and ">" not in body for body in scripts)
    assert json.loads(scripts[0])["headline"] == story.headline
    assert "<script>alert(1)</script>" not in html


def test_article_breadcrumbs(client, story):
    """Home › World › the story, as a BreadcrumbList with absolute URLs."""
    url, html = page(client, story)
    crumbs = node(extract(html, url), "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Home", ORIGIN + "/"),
        (2, "World", ORIGIN + "/section/world/"),
        (3, story.headline, url),
    ]


def test_opengraph_and_twitter_card(client, story):
    """og: article tags for link previews; a large Twitter card with the photo."""
    url, html = page(client, story)
    og = extract(html, url)["opengraph"][0]
    assert og["@type"] == "article"  # extruct's uniform form of og:type
    assert og["og:title"] == story.headline
    assert og["og:url"] == url
    assert og["og:site_name"] == "Newsroom"
    assert og["og:description"] == "Ships move again after a week of gales."
    assert og["og:image"].startswith(ORIGIN + "/media/renditions/")  # the 16:9 crop
    assert og["og:image:width"] == "40" and og["og:image:height"] == "22"
    assert og["og:image:alt"] == "Container ships at a quay"
    assert og["article:published_time"] == "2024-11-04T18:00:00+00:00"
    assert og["article:modified_time"] == "2024-11-04T21:00:00+00:00"
    assert og["article:section"] == "World"
    assert og["article:tag"] == ["Russia", "Trade"]
    assert og["article:author"] == [ORIGIN + "/author/jane-roe/", ORIGIN + "/author/omar-khan/"]
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{og["og:image"]}">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert html.count('rel="canonical"') == 1
    assert '<meta name="description" content="Ships move again after a week of gales.">' in html


def test_story_without_photo_or_dek_uses_share_image_and_body(client, make_article):
    """No photo: the site's share image; no dek: the lede paragraph, as plain text."""
    article = make_article(body="<p>First &amp; foremost.</p><p>Second paragraph.</p>")
    url, html = page(client, article)
    data = extract(html, url)
    og = data["opengraph"][0]
    assert og["og:image"] == ORIGIN + "/static/articles/share.png"
    assert node(data, "NewsArticle")["image"][0]["width"] == 1200
    assert og["og:description"] == "First & foremost."
    assert '<meta name="twitter:card" content="summary">' in html


def test_drafts_previewed_by_staff_are_noindex(admin_client, make_article):
    """A preview must never be indexed."""
    draft = make_article(status=Article.Status.DRAFT)
    html = admin_client.get(draft.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_section_page_breadcrumbs_and_canonical(client, make_article, make_section):
    """Section pages carry a BreadcrumbList, and page 2 is its own canonical page."""
    section = make_section(name="World", slug="world", description="News from abroad.")
    for _ in range(25):
        make_article(section=section)
    url = ORIGIN + "/section/world/"
    html = client.get("/section/world/").content.decode()
    crumbs = node(extract(html, url), "BreadcrumbList")["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [("Home", ORIGIN + "/"), ("World", url)]
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="News from abroad.">' in html
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    html = client.get("/section/world/?page=2&utm_source=x").content.decode()
    assert f'<link rel="canonical" href="{url}?page=2">' in html


def test_home_page_describes_the_site_and_its_search(client, make_article):
    """The home page has WebSite JSON-LD with a SearchAction pointing at /search/."""
    make_article()
    html = client.get("/").content.decode()
    data = node(extract(html, ORIGIN + "/"), "WebSite")
    assert data["url"] == ORIGIN + "/"
    assert data["potentialAction"]["target"]["urlTemplate"] == (ORIGIN + "/search/?q={search_term}")


def test_author_page_is_a_profile(client, make_article, make_author):
    """Author pages are a ProfilePage about a Person with the author's URL and bio."""
    author = make_author(name="Jane Roe", bio="Covers Russia.")
    make_article(authors=[author])
    url = ORIGIN + author.get_absolute_url()
    html = client.get(author.get_absolute_url()).content.decode()
    person = node(extract(html, url), "ProfilePage")["mainEntity"]
    assert person == {
        "@type": "Person",
        "name": "Jane Roe",
        "url": url,
        "description": "Covers Russia.",
    }


def test_search_pages_are_not_indexed(client, db):
    """Internal search results stay out of search engines."""
    html = client.get(reverse("articles:search"), {"q": "x"}).content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html
    assert 'rel="canonical"' not in html


@pytest.mark.parametrize(
    ("url", "title", "description"),
    [
        ("/", "Newsroom", "The latest stories from the Newsroom desk."),
        ("/section/world/", "World", "The latest World stories from Newsroom."),
        ("/author/jane-roe/", "Jane Roe", "Stories by Jane Roe for Newsroom."),
        ("/tag/ice/", "Ice", "Stories tagged Ice from Newsroom."),
    ],
)
def test_list_pages_have_description_and_social_card(
    client, make_article, make_section, make_author, url, title, description
):
    """Shared links to the home, a section, an author or a tag preview with title and image."""
    make_article(
        section=make_section(name="World", slug="world"),
        authors=[make_author(name="Jane Roe")],
        tags=["Ice"],
    )
    html = client.get(url).content.decode()
    og = extract(html, ORIGIN + url)["opengraph"][0]
    assert og["@type"] == "website"
    assert og["og:title"] == title
    assert og["og:description"] == description
    assert og["og:url"] == ORIGIN + url
    assert og["og:image"] == ORIGIN + "/static/articles/share.png"
    assert f'<meta name="description" content="{description}">' in html
