"""The article form and list in a real browser: the body editor checks spelling and its toolbar
shows no missing glyph, the "Search and social" preview follows the typing (falling back to the
article's own values), the licence banner leaves the list's buttons clear, and the Schedule page's
calendar and clock pick the time."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from tests.staff import staff_user
from tests.test_browser_admin import (  # noqa: F401  (the Chromium fixture and markers)
    browser_page,
    log_in,
    pytestmark,
)


@pytest.mark.django_db(transaction=True)
def test_spellcheck_and_share_preview_follow_the_typing(live_server, browser_page):  # noqa: F811
    staff_user("Editor", username="erin")
    page = browser_page
    log_in(page, live_server, "erin")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    editor_box = page.locator(".field-body [contenteditable=true]")
    editor_box.wait_for()
    assert editor_box.get_attribute("spellcheck") != "false"
    assert editor_box.evaluate("element => element.spellcheck") is True
    # The block-type menu's marker is drawn, not a character most fonts lack.
    marker = page.locator(".prose-menubar__selected").first.evaluate(
        "element => getComputedStyle(element, '::after').content"
    )
    assert "⏷" not in marker

    page.locator("#id_headline").press_sequentially("Harbour reopens")
    editor_box.click()
    page.keyboard.type("Fishing crews returned on Tuesday.")
    page.get_by_role("heading", name="Search and social").click()
    preview = page.locator(".nr-share-preview")
    assert preview.locator('[data-preview="title"]').inner_text() == "Harbour reopens"
    # No summary typed: the description is the body's first paragraph, as on the site.
    description = preview.locator('[data-preview="description"]')
    assert description.inner_text() == "Fishing crews returned on Tuesday."

    page.fill("#id_seo_title", "Busan harbour reopens after typhoon")
    page.fill("#id_social_headline", "부산항 다시 열렸다")
    page.fill("#id_dek", "Boats left Busan for the first time in a week.")
    assert preview.locator('[data-preview="title"]').inner_text() == (
        "Busan harbour reopens after typhoon"
    )
    assert preview.locator('[data-preview="social-title"]').inner_text() == "부산항 다시 열렸다"
    assert description.inner_text() == "Boats left Busan for the first time in a week."
    social = preview.locator('[data-preview="social-description"]')
    assert social.inner_text() == "Boats left Busan for the first time in a week."
    page.fill("#id_seo_title", "")
    assert preview.locator('[data-preview="title"]').inner_text() == "Harbour reopens"
    assert preview.locator('[data-preview="image-note"]').is_hidden()
    card_image = preview.locator("img.nr-card__image")
    assert card_image.evaluate("image => image.complete && image.naturalWidth > 0")


def overlap(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


@pytest.mark.django_db(transaction=True)
def test_licence_banner_and_schedule_pickers(
    live_server,
    browser_page,  # noqa: F811
    make_article,
    make_credit,
):
    make_article(
        headline="Old photo story", lead_image=make_credit(licence_ends_on=dt.date(2020, 1, 1))
    )
    draft = make_article(headline="Budget vote", status=Article.Status.DRAFT, published_at=None)
    staff_user("Editor", username="erin")
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "erin")
    page.goto(f"{live_server.url}/admin/articles/article/")
    banner = page.locator(".nr-licence-warning").bounding_box()
    for button in page.locator(".object-tools a").all():
        assert not overlap(banner, button.bounding_box())

    page.locator(f"input[name=_selected_action][value='{draft.pk}']").check()
    page.select_option("select[name=action]", "schedule")
    page.click("button[name=index]")
    calendar = page.locator("#calendarlink0")
    assert calendar.bounding_box()["width"] > 0  # the icon is drawn
    calendar.click()
    page.locator("#calendarbox0").get_by_text("Tomorrow").click()
    page.locator("#clocklink0").click()
    page.locator("#clockbox0").get_by_text("6 a.m.").click()
    page.click("input[name=apply]")
    page.get_by_text("Scheduled for").wait_for()
    draft.refresh_from_db()
    expected = (timezone.localtime() + dt.timedelta(days=1)).date()
    assert timezone.localtime(draft.published_at).date() == expected
    assert timezone.localtime(draft.published_at).hour == 6
