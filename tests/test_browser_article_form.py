"""The article form in a real browser: the body editor checks spelling, and the "Search and
social" preview follows the typing, falling back to the article's own values."""

import pytest

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
