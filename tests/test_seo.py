"""The optional search and social fields of an article: each used where it belongs, each
falling back to the story's own headline, summary and lead image."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_metadata import extract, node, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def story(make_article, make_credit, media, png_bytes):
    lead = make_credit(
        caption="Ships at dawn.",
        alt_text="Container ships",
        image=SimpleUploadedFile("lead.png", png_bytes),
    )
    return make_article(
        headline="Ports reopen after the storm",
        dek="Ships move again after a week of gales.",
        lead_image=lead,
    )


def shared_image_of(credit):
    """The link previews' picture of a credit: its 16:9 crop, never the upload."""
    return "http://testserver" + credit.picture.crops["16x9"]["url"]


def other_png():
    """A PNG with other pixels than ``png_bytes``: renditions are named by content."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "#1b5e20").save(buffer, format="PNG")
    return buffer.getvalue()


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html).group(1)


def meta(html, attribute, name):
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return unescape(found.group(1)) if found else None


def test_without_them_the_story_speaks_for_itself(client, story):
    """Empty fields: headline, summary and lead photo everywhere, as before."""
    url, html = page(client, story)
    assert title_of(html) == "Ports reopen after the storm · Newsroom"
    assert meta(html, "name", "description") == "Ships move again after a week of gales."
    og = extract(html, url)["opengraph"][0]
    assert og["og:title"] == meta(html, "name", "twitter:title") == story.headline
    assert og["og:description"] == "Ships move again after a week of gales."
    assert og["og:image"] == shared_image_of(story.lead_image)
    assert node(extract(html, url), "NewsArticle")["description"] == og["og:description"]


def test_search_and_social_fields_are_used_where_they_belong(client, story, make_credit, png_bytes):
    """<title> and meta description, OpenGraph and Twitter, JSON-LD; the headline stays the
    story's own in JSON-LD and on the page."""
    story.seo_title = "Busan port reopens: what changes for shipping"
    story.seo_description = "Busan's container port reopened on Tuesday after a week of gales."
    story.social_headline = "The port is open again"
    story.social_description = "Crews were back at work by noon."
    story.social_image = make_credit(
        caption="Crane at work.",
        alt_text="A crane lifting a container",
        image=SimpleUploadedFile("social.png", other_png()),
    )
    story.save()
    url, html = page(client, story)
    assert title_of(html) == "Busan port reopens: what changes for shipping · Newsroom"
    assert meta(html, "name", "description") == story.seo_description
    og = extract(html, url)["opengraph"][0]
    assert og["og:title"] == meta(html, "name", "twitter:title") == "The port is open again"
    assert og["og:description"] == "Crews were back at work by noon."
    assert meta(html, "name", "twitter:description") == "Crews were back at work by noon."
    assert (
        og["og:image"] == shared_image_of(story.social_image) != shared_image_of(story.lead_image)
    )
    assert og["og:image:alt"] == "A crane lifting a container"
    assert meta(html, "name", "twitter:image") == og["og:image"]
    article = node(extract(html, url), "NewsArticle")
    assert article["headline"] == "Ports reopen after the storm"
    assert article["description"] == story.seo_description
    assert ">Ports reopen after the storm</h1>" in html


def test_social_text_falls_back_to_the_search_description(client, story):
    story.seo_description = "A search snippet."
    story.save()
    url, html = page(client, story)
    assert extract(html, url)["opengraph"][0]["og:description"] == "A search snippet."


def test_a_social_image_without_a_photo_falls_back_to_the_lead_image(client, story, make_credit):
    story.social_image = make_credit(caption="Credit line only, no file")
    story.save()
    url, html = page(client, story)
    assert extract(html, url)["opengraph"][0]["og:image"] == shared_image_of(story.lead_image)


def test_metadata_in_any_script_is_escaped_not_broken(client, story):
    """Korean and quotes in the fields come out whole and escaped."""
    story.seo_title = '북한 "미사일" 발사'
    story.social_headline = "Россия </script> & co"
    story.save()
    url, html = page(client, story)
    assert title_of(html) == "북한 &quot;미사일&quot; 발사 · Newsroom"
    assert extract(html, url)["opengraph"][0]["og:title"] == "Россия </script> & co"
    assert node(extract(html, url), "NewsArticle")["headline"] == story.headline


def test_the_article_page_costs_no_extra_query_for_them(client, story, make_credit, png_bytes):
    """The social image comes with the article's own row (a join, not a query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        client.get(story.get_absolute_url())  # the header's sections and banners cached
        with CaptureQueriesContext(connection) as captured:
            assert client.get(story.get_absolute_url()).status_code == 200
        return len(captured)

    without = queries()
    story.social_image = make_credit(image=SimpleUploadedFile("s.png", png_bytes))
    story.save()
    assert queries() == without
