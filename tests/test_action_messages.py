"""The article list's "Go" button with nothing to do says, in plain words, what to do; the
licence banner sits below the list's buttons; the Schedule page offers the admin's date and time
pickers."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.staff import staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


@pytest.fixture
def editor(db):
    return staff_user("Editor")


def messages_after(client, data) -> list[str]:
    response = client.post(reverse(CHANGELIST), data, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_go_without_an_action_says_what_to_do(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    # As the browser posts the list with a box ticked and the "---------" action left chosen.
    said = messages_after(
        client, {"action": "", "select_across": "0", "index": "0", "_selected_action": article.pk}
    )
    assert said == [
        "Nothing was changed: choose what to do in the “Action” list above the articles, tick "
        "at least one article, then press Go."
    ]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_go_without_a_ticked_article_says_what_to_do(client, editor, make_article):
    make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    said = messages_after(client, {"action": "publish_now", "select_across": "0", "index": "0"})
    assert len(said) == 1
    assert said[0].startswith("Nothing was changed: tick the box beside at least one article")
    assert not Article.objects.published().exists()


def test_licence_banner_comes_after_the_lists_buttons(client, editor, make_article, make_credit):
    make_article(lead_image=make_credit(licence_ends_on=dt.date(2020, 1, 1)))
    client.force_login(editor)
    html = client.get(reverse(CHANGELIST)).content.decode()
    tools = html.index('class="object-tools"')
    banner = html.index("nr-licence-warning")
    assert tools < banner
    assert "1 published article shows a lead image whose licence has ended" in html


def test_schedule_page_offers_date_and_time_pickers(client, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "schedule", "select_across": "0", "index": "0", "_selected_action": article.pk},
    )
    html = response.content.decode()
    # The admin's calendar and clock: their script, and the style sheet that draws their icons.
    assert "admin/js/admin/DateTimeShortcuts.js" in html
    assert re.search(r'href="/static/admin/css/forms\.css"', html)
    assert 'class="vDateField"' in html and 'class="vTimeField"' in html
