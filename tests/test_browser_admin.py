"""End to end in a real browser: an editor logs in, uploads a photo, writes an article with a
byline, a credit and a related story, publishes it, and reads it on the public page.

Runs Debian's Chromium through Playwright for Python (``.ci/run`` installs it); skipped, saying
why, only where no Chromium is installed.
"""

import datetime as dt
import os
import re
import shutil

import pytest
from django.utils import timezone

from articles.models import Article
from tests.staff import PASSWORD, staff_user
from tests.test_images import jpeg_bytes, with_iptc

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package (.ci/run does)",
    ),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()


def choose_autocomplete(page, select_selector: str, text: str) -> None:
    """Open the admin's Select2 box next to ``select_selector``, type, and take the match."""
    page.locator(f"{select_selector} + .select2").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    option = page.locator(".select2-results__option", has_text=text).first
    option.wait_for()
    option.click()


@pytest.mark.django_db(transaction=True)
def test_editor_creates_and_publishes_an_article(
    live_server, browser_page, media_root, tmp_path, make_section, make_author, make_article
):
    """Login, photo upload with metadata, the article form with byline, credit and related
    story, publish, then the public page shows all of it."""
    world = make_section(name="World", slug="world")
    make_author(name="Jane Roe", slug="jane-roe")
    older = make_article(
        headline="Earlier talks ended without a deal",
        published_at=timezone.now() - dt.timedelta(days=2),
        section=world,
    )
    staff_user("Editor", username="erin")
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(
        with_iptc(
            jpeg_bytes((1600, 1000)),
            {(2, 120): "Boats at dawn in the harbour.", (2, 110): "Harbour Agency"},
        )
    )

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    # A photo, its caption and credit read from the file.
    page.goto(f"{live_server.url}/admin/articles/imagecredit/add/")
    page.set_input_files("#id_image", str(photo))
    page.fill("#id_alt_text", "Fishing boats moored in a calm harbour")
    page.click("input[name=_save]")
    page.get_by_text("Filled in from the photo's own metadata").wait_for()

    # The article.
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_headline").press_sequentially("Harbour reopens after the storm")
    assert page.input_value("#id_slug") == "harbour-reopens-after-the-storm"
    page.fill("#id_dek", "Fishing crews returned on Tuesday.")
    page.fill("#id_byline_note", "Harbour Agency contributed to this report.")
    editor_box = page.locator(".field-body [contenteditable=true]")
    editor_box.click()
    page.keyboard.type("The harbour reopened on Tuesday morning.")
    page.keyboard.press("Enter")
    page.keyboard.type("Crews began unloading by noon.")
    choose_autocomplete(page, "#id_byline_set-0-author", "Jane Roe")
    page.select_option("#id_section", label="World")
    choose_autocomplete(page, "#id_lead_image", "Boats at dawn")
    page.get_by_text("Add another Related story").click()
    choose_autocomplete(page, "#id_related_stories-0-target", "Earlier talks")
    page.select_option("#id_status", "published")
    page.locator("input[name=_save]").first.click()
    page.get_by_text("was added successfully").wait_for()

    article = Article.objects.get(slug="harbour-reopens-after-the-storm")
    assert article.is_published()
    assert "<p>The harbour reopened on Tuesday morning.</p>" in article.body

    # What a reader sees.
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert page.locator("h1.story__headline").inner_text() == "Harbour reopens after the storm"
    byline = page.locator(".byline").inner_text()
    assert "Jane Roe" in byline and "Harbour Agency contributed to this report." in byline
    figure = page.locator("figure.story__figure")
    assert "Boats at dawn in the harbour." in figure.inner_text()
    assert "Harbour Agency" in figure.inner_text()
    img = figure.locator("img")
    assert img.get_attribute("width") == "1600" and img.get_attribute("height") == "1000"
    assert "1600w" in figure.locator("source").get_attribute("srcset")
    related = page.locator(".rails a", has_text="Earlier talks ended without a deal")
    assert related.get_attribute("href") == older.get_absolute_url()
    assert "Crews began unloading by noon." in page.locator(".story__body").inner_text()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.django_db(transaction=True)
def test_reporter_saves_a_draft_with_the_prefilled_byline(
    live_server, browser_page, make_author, make_section
):
    """A linked reporter opens "Add article", leaves their pre-filled byline as it is, types a
    headline, a summary and a body, and saves: they are on the byline and can reopen the draft,
    where Editor's pick is shown but not offered to them."""
    me = make_author(name="Rita Reporter", slug="rita-reporter")
    staff_user("Reporter", username="rita", author=me)
    make_section(name="World", slug="world")

    page = browser_page
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    assert "Rita Reporter" in page.locator(".field-author").first.inner_text()
    page.locator("#id_headline").press_sequentially("Ferry service resumes")
    page.fill("#id_dek", "Crossings restart on Monday.")
    page.locator(".field-body [contenteditable=true]").click()
    page.keyboard.type("The first ferry leaves at six.")
    page.locator("input[name=_save]").first.click()
    page.get_by_text("was added successfully").wait_for()

    article = Article.objects.get(slug="ferry-service-resumes")
    assert list(article.authors.all()) == [me]
    assert article.headline == "Ferry service resumes"
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    assert page.locator("#id_headline").input_value() == "Ferry service resumes"
    assert page.locator("#id_editors_pick").count() == 0
