"""The related-story picker: never the article itself, headlines before body matches, and each
choice naming its section, status and date."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.staff import browser_post_data, change_url, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return staff_user("Editor")


def picker_url_of(html: str) -> str:
    """The picker's address as the related-story row's autocomplete box carries it."""
    match = re.search(r'id="id_related_stories-__prefix__-target"[^>]*', html)
    assert match, "no related-story picker in the form"
    return re.search(r'data-ajax--url="([^"]+)"', match.group(0)).group(1).replace("&amp;", "&")


def pick(client, url: str, term: str) -> list[dict]:
    """What the box's script asks: its own address with the search appended, as jQuery does."""
    params = {"term": term, "app_label": "articles", "model_name": "relatedstory"}
    query = urlencode({**params, "field_name": "target"})
    return client.get(f"{url}{'&' if '?' in url else '?'}{query}").json()["results"]


def test_picker_leaves_out_the_article_and_puts_headlines_first(
    client, editor, make_article, make_section
):
    culture = make_section(name="Culture")
    article = make_article(headline="Budget talks stall", body="<p>Budget.</p>")
    body_match = make_article(
        headline="Harbour reopens",
        body="<p>The budget pays for it.</p>",
        published_at=timezone.now() - dt.timedelta(minutes=5),
    )
    headline_match = make_article(
        headline="Budget vote delayed",
        section=culture,
        status=Article.Status.DRAFT,
        published_at=None,
    )
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    results = pick(client, picker_url_of(html), "budget")

    ids = [int(result["id"]) for result in results]
    assert article.pk not in ids
    assert ids == [headline_match.pk, body_match.pk]
    assert results[0]["text"].startswith("Budget vote delayed — Culture · Draft · ")
    published = timezone.localtime(body_match.published_at).strftime("%-d %b %Y")
    assert results[1]["text"] == (
        f"Harbour reopens — {body_match.section.name} · Published · {published}"
    )


def test_picker_needs_staff(client):
    url = reverse("admin:articles_article_related_autocomplete")
    assert client.get(url, {"term": "x"}).status_code == 302


def test_chosen_story_is_described_and_saved_as_posted(client, editor, make_article, make_related):
    article = make_article(headline="Budget talks stall")
    target = make_article(headline="Earlier talks")
    make_related(article, target=target)
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert f"Earlier talks — {target.section.name} · Published" in html

    data = browser_post_data(html, "article_form", headline="Budget talks stall, again")
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(article.related_stories.values_list("target", flat=True)) == [target.pk]


def test_an_article_cannot_be_posted_as_related_to_itself(client, editor, make_article):
    article = make_article(headline="Budget talks stall")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    data = browser_post_data(
        html,
        "article_form",
        **{
            "related_stories-TOTAL_FORMS": "1",
            "related_stories-0-rail": "Related Stories",
            "related_stories-0-position": "0",
            "related_stories-0-target": str(article.pk),
        },
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "cannot be related to itself" in response.content.decode()
