"""End to end in a real browser: an editor logs in, uploads a photo, writes an article with a
byline, a credit and a related story, publishes it, and reads it on the public page; an editor
arranges the home page's front, renames a story, and gets back what a closed form had kept; an
editor adding a lead photo from the article form sees what the file's metadata proposes and
chooses what to use.

Runs Debian's Chromium through Playwright for Python (``.ci/run`` installs it); skipped, saying
why, only where no Chromium is installed.
"""

import datetime as dt
import os
import re
import shutil

import pytest
from django.db import connections
from django.utils import timezone

from articles.models import Article, ImageCredit, ImageSource
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
            # Under Playwright the test's code runs in a context of its own, with a database
            # connection of its own: closed here, or it stays open until the test database is
            # dropped (and PostgreSQL refuses to drop it).
            connections.close_all()


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
    page.get_by_role("button", name="Use all").click()
    page.click("input[name=_save]")
    page.get_by_text("was added successfully").wait_for()

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
    # The word count and reading time follow the typing.
    assert page.locator(".nr-word-count").inner_text() == "11 words · about 1 min read"
    choose_autocomplete(page, "#id_byline_set-0-author", "Jane Roe")
    page.select_option("#id_section", label="World")
    choose_autocomplete(page, "#id_lead_image", "Boats at dawn")
    # The chosen photo shows as itself: thumbnail, caption and credit.
    chosen = page.locator("#id_lead_image + .select2 .nr-photo-choice")
    assert chosen.inner_text() == "Boats at dawn in the harbour. — Harbour Agency"
    assert chosen.locator("img").evaluate("image => image.complete && image.naturalWidth > 0")
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


@pytest.mark.django_db(transaction=True)
def test_editor_arranges_the_home_page_and_renames_a_story(
    live_server, browser_page, make_section, make_article
):
    """The dashboard first; a front with two zones, stories pinned and reordered by dragging,
    live at once; the home page shows it; a renamed story's old URL still leads to it; leaving
    a form with unsaved changes asks first."""
    from articles.fronts.models import Front, Pin

    world = make_section(name="World", slug="world")
    now = timezone.now()
    stories = [
        make_article(headline=headline, section=world, published_at=now - dt.timedelta(hours=hours))
        for hours, headline in enumerate(
            ["Newest story", "Ferry service resumes", "Budget vote delayed", "Old feature"], 1
        )
    ]
    make_article(headline="Waiting for an editor", status=Article.Status.REVIEW, published_at=None)
    staff_user("Editor", username="erin")

    page = browser_page
    log_in(page, live_server, "erin")
    # The admin opens on the desk's work.
    review = page.locator("section.nr-panel--review")
    assert "Waiting for an editor" in review.inner_text()
    assert review.locator(".nr-panel__count").inner_text() == "1"

    # A front for the home page with two zones, live from now.
    page.goto(f"{live_server.url}/admin/articles/front/add/")
    page.fill("#id_name", "Morning edition")
    page.locator(".field-live_from .datetimeshortcuts a", has_text="Today").click()
    page.locator(".field-live_from .datetimeshortcuts a", has_text="Now").click()
    zones = [("Lead", "lead", "1"), ("Top stories", "cards", "3")]
    for index, (name, layout, size) in enumerate(zones):
        page.get_by_text("Add another Zone").click()
        page.fill(f"#id_zones-{index}-position", str(index))
        page.fill(f"#id_zones-{index}-name", name)
        page.select_option(f"#id_zones-{index}-layout", layout)
        page.fill(f"#id_zones-{index}-size", size)
    page.click("input[name=_continue]")
    page.get_by_text("was added successfully").wait_for()
    front = Front.objects.get()
    assert front.state == "live"

    # Top stories: pin two stories, then drag the second above the first.
    page.get_by_text("Pin stories (0 pinned)").nth(1).click()
    choose_autocomplete(page, "#id_pins-0-article", "Budget vote delayed")
    page.fill("#id_pins-0-slot", "1")
    page.get_by_text("Add another Pinned story").click()
    choose_autocomplete(page, "#id_pins-1-article", "Old feature")
    page.fill("#id_pins-1-slot", "2")
    rows = page.locator(".nr-sortable tbody tr.form-row:not(.empty-form)")
    rows.nth(1).drag_to(rows.nth(0), target_position={"x": 20, "y": 5})
    assert page.input_value("#id_pins-1-slot") == "1"
    assert page.input_value("#id_pins-0-slot") == "2"
    page.click("input[name=_continue]")
    page.get_by_text("was changed successfully").wait_for()
    assert list(Pin.objects.values_list("slot", "article__headline")) == [
        (1, "Old feature"),
        (2, "Budget vote delayed"),
    ]
    preview = page.locator(".nr-front-preview").inner_text()
    # The lead zone above takes the newest story: this one gets the next.
    assert "Old feature (pinned)" in preview
    assert "Ferry service resumes (automatic: newest)" in preview

    # What readers see.
    page.goto(live_server.url)
    zone = page.locator("section.zone--cards")
    assert zone.locator(".card__headline").all_inner_texts() == [
        "Old feature",
        "Budget vote delayed",
        "Ferry service resumes",
    ]
    assert page.locator("section.zone--lead .lead-story__headline").inner_text() == "Newest story"

    # Renaming a live story keeps its old address working.
    ferry = stories[1]
    page.goto(f"{live_server.url}/admin/articles/article/{ferry.pk}/change/")
    page.fill("#id_slug", "페리-운항-재개")
    page.locator("input[name=_save]").first.click()
    page.get_by_text("was changed successfully").wait_for()
    page.goto(f"{live_server.url}/news/{ferry.slug}/")
    assert page.locator("h1.story__headline").inner_text() == "Ferry service resumes"
    assert "/news/%ED%8E%98%EB%A6%AC" in page.url

    # Unsaved changes: leaving asks first.
    page.goto(f"{live_server.url}/admin/articles/article/{ferry.pk}/change/")
    page.locator("#id_headline").click()
    page.keyboard.press("End")
    page.keyboard.type(" (updated)")
    page.locator(".field-body [contenteditable=true]").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("A late paragraph nobody saved.")
    asked, leave = [], {"answer": False}

    def answer(dialog):
        asked.append(dialog.type)
        dialog.accept() if leave["answer"] else dialog.dismiss()

    page.on("dialog", answer)
    with pytest.raises(sync_api.Error):  # staying on the page cancels the navigation
        page.goto(f"{live_server.url}/admin/", wait_until="commit")
    assert asked == ["beforeunload"]
    assert page.input_value("#id_headline") == "Ferry service resumes (updated)"

    # What was typed is kept on the server; after the tab is closed it is offered back.
    page.locator("#nr-keep", has_text="Draft kept at").wait_for(timeout=20_000)
    leave["answer"] = True
    page.reload()
    assert page.input_value("#id_headline") == "Ferry service resumes"
    page.get_by_role("button", name="Restore them").click()
    assert page.input_value("#id_headline") == "Ferry service resumes (updated)"
    body = page.locator(".field-body [contenteditable=true]").inner_text()
    assert "A late paragraph nobody saved." in body
    page.locator("input[name=_save]").first.click()
    page.get_by_text("was changed successfully").wait_for()
    ferry.refresh_from_db()
    assert ferry.headline == "Ferry service resumes (updated)"
    assert "A late paragraph nobody saved." in ferry.body


@pytest.mark.django_db(transaction=True)
def test_typing_part_of_a_tag_takes_the_existing_tag(live_server, browser_page, make_article):
    """ "Budg" and Enter picks the existing "Budget"; a new tag is offered last, on purpose."""
    make_article(headline="Spending plans", tags=["Budget"])
    staff_user("Editor", username="erin")
    page = browser_page
    log_in(page, live_server, "erin")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator(".field-tags .select2").click()
    search = page.locator(".field-tags .select2-search__field")
    search.press_sequentially("Budg")
    options = page.locator(".select2-results__option:not(.loading-results)")
    options.first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.select2-results__option')]"
        ".some(o => o.textContent === 'Budget')"
    )
    assert options.all_inner_texts() == ["Budget", "New tag: Budg"]
    search.press("Enter")
    chosen = page.locator(".field-tags .select2-selection__choice").all_inner_texts()
    assert [text.strip("×\n ") for text in chosen] == ["Budget"]
    # A name that exists is never offered again as new.
    search.press_sequentially("budget")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.select2-results__option')]"
        ".some(o => o.textContent === 'Budget')"
    )
    assert "New tag: budget" not in options.all_inner_texts()


@pytest.mark.django_db(transaction=True)
def test_article_list_fits_1280_pixels(live_server, browser_page, make_article, make_author):
    """Publish time and views are on screen at 1280 px, with no sideways scroll."""
    byline = [make_author(name="Jane Roe-Kim"), make_author(name="Omar Khan")]
    for number in range(3):
        make_article(
            headline=f"A fairly long headline for a story about the harbour, number {number}",
            authors=byline,
        )
    staff_user("Editor", username="erin")
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "erin")
    page.goto(f"{live_server.url}/admin/articles/article/")
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth")
    for column in ("published_at", "view_count"):
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box["x"] + box["width"] <= 1280, column


@pytest.mark.django_db(transaction=True)
def test_editor_sees_a_photos_metadata_and_chooses_what_to_use(
    live_server, browser_page, media_root, tmp_path
):
    """From the article form's "+" next to the lead photo, the pop-up shows the file's caption
    and credit before anything is used; the editor uses the caption, keeps the credit they
    typed, fills the rest with "Use all" (the agency named in the file chosen as a source), and
    the saved photo becomes the article's lead."""
    staff_user("Editor", username="erin")
    yonhap = ImageSource.objects.create(name="Yonhap")
    ImageSource.objects.create(name="Reuters")
    photo = tmp_path / "rally.jpg"
    photo.write_bytes(
        with_iptc(
            jpeg_bytes((1200, 800)),
            {
                (2, 120): "서울 광화문 광장의 집회",
                (2, 110): "Yonhap",
                (2, 80): "Анна Иванова",
                (2, 90): "Seoul",
                (2, 101): "South Korea",
            },
        )
    )
    page = browser_page
    log_in(page, live_server, "erin")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    with page.expect_popup() as opened:
        page.click("#add_id_lead_image")
    popup = opened.value
    popup.fill("#id_credit_line", "Our own photographer")
    popup.set_input_files("#id_image", str(photo))

    proposals = popup.locator(".nr-photo-metadata")
    caption_row = proposals.locator("tr[data-field=caption]")
    credit_row = proposals.locator("tr[data-field=credit_line]")
    proposed = ".nr-photo-metadata__value"
    assert caption_row.locator(proposed).inner_text() == "서울 광화문 광장의 집회"
    assert credit_row.locator(proposed).inner_text() == "Yonhap"
    # Shown, not used: the fields are as the editor left them.
    assert popup.input_value("#id_caption") == ""
    assert popup.input_value("#id_credit_line") == "Our own photographer"
    assert credit_row.get_by_role("button").inner_text() == "Replace"

    caption_row.get_by_role("button", name="Use").click()
    assert popup.input_value("#id_caption") == "서울 광화문 광장의 집회"
    assert caption_row.get_by_role("button").is_disabled()
    proposals.get_by_role("button", name="Use all").click()
    assert popup.input_value("#id_creator") == "Анна Иванова"
    assert popup.input_value("#id_place") == "Seoul (South Korea)"
    assert popup.input_value("#id_credit_line") == "Our own photographer"
    assert popup.locator("#id_sources_to option").all_inner_texts() == ["Yonhap"]
    popup.fill("#id_alt_text", "A crowd fills the square.")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")

    credit = ImageCredit.objects.get()
    assert credit.caption == "서울 광화문 광장의 집회"
    assert (credit.credit_line, credit.creator) == ("Our own photographer", "Анна Иванова")
    assert credit.place == "Seoul (South Korea)"
    assert list(credit.sources.all()) == [yonhap]
    assert page.input_value("#id_lead_image") == str(credit.pk)
