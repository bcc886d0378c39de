"""WCAG 2.2 AA in a real browser: axe-core in headless Chromium against the live server.

The home, article (with readers' comments and the comment form), section, search and author
pages, and the comment form handed back with errors, are checked at a desktop width and at
320 px (WCAG's reflow width) with axe-core's WCAG 2.0-2.2 A/AA and best-practice rules, target
size included: no violation is allowed. Other tests drive the keyboard, read the page with
JavaScript off, print it, and watch that no request leaves for another host.

axe-core is a test asset committed under tests/data/vendor/axe-core/ (MPL-2.0, licence kept),
so these tests need nothing from the network. Chromium is Debian's, found on PATH; where none
is installed the tests are skipped with a message (``.ci/run`` installs it).
"""

import datetime as dt
import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comments.models import Comment
from tests.conftest import DATA_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = DATA_DIR / "vendor" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}


def find_chromium():
    for candidate in (
        os.environ.get("CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "No Chromium installed: `apt-get install chromium` (as .ci/run does) to run the "
            "axe-core accessibility checks"
        )
    # Playwright's sync API keeps an asyncio loop on this thread, which Django takes for async
    # code around the database work of these tests (data set-up, flush); there is none here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable)
            yield chromium
            chromium.close()


@pytest.fixture
def site(
    make_article,
    make_section,
    make_author,
    make_credit,
    make_related,
    settings,
    tmp_path,
    png_bytes,
):
    """A small newsroom with everything the pages can show: photo, bio, tags, rails, pages."""
    settings.MEDIA_ROOT = tmp_path
    world = make_section(name="World", slug="world", description="News from abroad.")
    sport = make_section(name="Sport", slug="sport")
    jane = make_author(
        name="Jane Roe",
        bio="Jane covers Russia and the Koreas.",
        email="jane@example.com",
        photo=SimpleUploadedFile("jane.png", png_bytes),
    )
    omar = make_author(name="Omar Khan")
    credit = make_credit(
        caption="Ships in the harbour at dawn.",
        place="Busan",
        alt_text="Container ships at a quay",
        image=SimpleUploadedFile("harbour.png", png_bytes),
    )
    article = make_article(
        section=world,
        authors=[jane, omar],
        tags=["Russia", "Trade"],
        headline="Ports reopen after the storm",
        dek="Ships move again after a week of gales.",
        body="<p>First paragraph with <a href='https://example.com/report'>a report</a>.</p>"
        "<h2>What comes next</h2><p>Second paragraph.</p><blockquote>A quote.</blockquote>",
        lead_image=credit,
        published_at=timezone.now() - dt.timedelta(hours=1),
    )
    make_related(article, rail="Related Stories", headline="A story from the source page")
    first = Comment.objects.create(
        article=article,
        user_name="김민아",
        user_email="a@example.com",
        is_public=True,
        comment="Good to see the port open again.\nA second line with <b>markup</b>.",
    )
    Comment.objects.create(
        article=article,
        user_name="Иван",
        user_email="b@example.com",
        is_public=True,
        comment="Agreed.",
        parent=first,
    )
    for n in range(24):
        make_article(
            section=world if n % 2 else sport,
            authors=[jane],
            tags=["Trade"],
            headline=f"Harbour story {n}",
            view_count=n,
            editors_pick=n % 5 == 0,
            published_at=timezone.now() - dt.timedelta(hours=n + 2),
        )
    # A breaking-news banner on every page, and the desk's front on the Sport page.
    from articles.fronts.models import BreakingNews, Front, Pin, Zone

    BreakingNews.objects.create(text="Storm warning for the south coast", link="/section/world/")
    front = Front.objects.create(section=sport, name="Cup week", live_from=timezone.now())
    for position, (name, layout, size) in enumerate(
        [("Lead", "lead", 2), ("Top stories", "cards", 3), ("Picks", "headlines", 4)]
    ):
        zone = Zone.objects.create(
            front=front, name=name, layout=layout, size=size, position=position
        )
    Pin.objects.create(zone=zone, slot=2, article=article)
    return {"article": article}


PAGES = {
    "home": lambda site: "/",
    "article": lambda site: site["article"].get_absolute_url(),
    "section": lambda site: "/section/world/",
    "section front": lambda site: "/section/sport/",
    "search": lambda site: "/search/?q=harbour&section=world&tag=trade",
    "author": lambda site: "/author/jane-roe/",
}


def open_page(browser, url, viewport=DESKTOP, **context_options):
    """A page on ``url``; requests to any other host are recorded and refused."""
    context = browser.new_context(viewport=viewport, **context_options)
    page = context.new_page()
    origin = urlsplit(url).netloc
    foreign = []

    def guard(route):
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    response = page.goto(url)
    assert response.status == 200, url
    page.foreign_requests = foreign
    return page


def axe_violations(page):
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(browser, live_server, site, name, viewport):
    """axe-core finds nothing at WCAG 2.2 A/AA (and best practice), on a desktop and a phone."""
    # axe-core is injected as an inline script, which the site's CSP rightly refuses; the
    # policy itself is tested in tests/test_settings.py.
    page = open_page(browser, live_server.url + PAGES[name](site), viewport, bypass_csp=True)
    try:
        assert axe_violations(page) == []
        # Reflow: nothing wider than the screen, even at 320 px.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert page.foreign_requests == []
    finally:
        page.context.close()


def test_axe_does_find_violations(browser, live_server, site):
    """The check itself works: a broken page does fail it."""
    page = open_page(browser, live_server.url + "/", bypass_csp=True)
    try:
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend', "
            '\'<img src="/x.png"><p style="color:#bbb">faint</p>\')'
        )
        found = " ".join(axe_violations(page))
        assert "image-alt" in found and "color-contrast" in found
    finally:
        page.context.close()


def test_skip_link_is_first_and_moves_focus_to_the_story(browser, live_server, site):
    """The first Tab shows the skip link; Enter takes keyboard focus to the main content."""
    page = open_page(browser, live_server.url + site["article"].get_absolute_url())
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        box = page.locator(".skip-link").bounding_box()
        assert box["y"] >= 0 and box["height"] > 0  # on screen, not parked off it
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        page.context.close()


@pytest.mark.parametrize("name", ["article", "search"])
def test_every_control_is_reachable_by_keyboard_with_visible_focus(
    browser, live_server, site, name
):
    """Tab visits every link, field and button in order, each with a visible focus outline."""
    page = open_page(browser, live_server.url + PAGES[name](site))
    try:
        focusable = page.evaluate(
            """() => {
                const controls = [...document.querySelectorAll(
                    'a[href], button, input, select, textarea, summary')]
                    .filter(el => !el.disabled && el.getClientRects().length);
                controls.forEach((el, index) => { el.dataset.kbd = index; });
                return controls.length;
            }"""
        )
        seen = []
        # Date fields take one Tab per part (day, month, year): allow for that, then stop.
        for _ in range(focusable * 4):
            page.keyboard.press("Tab")
            state = page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return {
                        index: el.dataset.kbd === undefined ? null : Number(el.dataset.kbd),
                        outline: style.outlineStyle !== 'none'
                            && parseFloat(style.outlineWidth) >= 2,
                    };
                }"""
            )
            if state["index"] is None or (seen and state["index"] < seen[-1]["index"]):
                break  # left the page's controls: back to the browser or round again
            if not seen or state["index"] != seen[-1]["index"]:
                seen.append(state)
        # Every control, once each, in the order of the page: no trap, no skipped control.
        assert [s["index"] for s in seen] == list(range(focusable))
        assert [s for s in seen if not s["outline"]] == []
    finally:
        page.context.close()


def test_search_works_from_the_keyboard(browser, live_server, site):
    """Type in the header's search box and press Enter: the results page shows the query."""
    page = open_page(browser, live_server.url + "/")
    try:
        page.keyboard.press("Tab")  # skip link
        page.keyboard.press("Tab")  # site name
        page.keyboard.press("Tab")  # search field
        page.keyboard.type("harbour")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=harbour")
        assert "Results for “harbour”" in page.content()
    finally:
        page.context.close()


def test_article_reads_without_javascript(browser, live_server, site):
    """With JavaScript off the whole story is there: headline, photo, body, rails."""
    page = open_page(
        browser, live_server.url + site["article"].get_absolute_url(), java_script_enabled=False
    )
    try:
        assert page.locator("h1").inner_text() == "Ports reopen after the storm"
        assert page.locator(".story__body").inner_text().startswith("First paragraph")
        # The photo loaded (with srcset and sizes, naturalWidth is density-corrected).
        assert page.locator(".story__figure img").evaluate(
            "img => img.complete && img.naturalWidth > 0"
        )
        assert page.locator(".rails").is_visible()
        assert page.foreign_requests == []
    finally:
        page.context.close()


def test_print_shows_the_story_alone(browser, live_server, site):
    """In print, navigation, search, share buttons, rails and the footer are gone."""
    page = open_page(browser, live_server.url + site["article"].get_absolute_url())
    try:
        page.emulate_media(media="print")
        for hidden in (".site-nav", ".site-search", ".share", ".rails", ".site-footer"):
            assert not page.locator(hidden).is_visible(), hidden
        for shown in (".story__headline", ".story__body", ".story__figure", ".signoff"):
            assert page.locator(shown).is_visible(), shown
        assert page.pdf()[:4] == b"%PDF"
    finally:
        page.context.close()


def test_comment_form_handed_back_with_errors_has_no_axe_violations(browser, live_server, site):
    """The form a reader gets back with a wrong field passes axe-core too."""
    page = open_page(browser, live_server.url + site["article"].get_absolute_url(), bypass_csp=True)
    try:
        page.fill("#id_name", "Mina Park")
        page.fill("#id_email", "not an email")
        page.fill("#id_comment", "Words kept.")
        page.evaluate("document.querySelector('#id_email').type = 'text'")  # past the browser
        page.click("text=Post comment")
        page.wait_for_url("**/comments/post/")
        assert "Words kept." in page.locator("#id_comment").input_value()
        assert page.locator("#id_email[aria-invalid=true]").count() == 1
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_reader_posts_a_comment_from_the_cached_page(browser, live_server, site, settings):
    """With JavaScript: the live count runs, the token is fetched, the comment is received."""
    settings.COMMENTS_MIN_SECONDS = 0
    url = live_server.url + site["article"].get_absolute_url()
    open_page(browser, url).context.close()  # the next reader gets the cached page
    page = open_page(browser, url)
    try:
        page.fill("#id_name", "Mina Park")
        page.fill("#id_email", "mina@example.com")
        page.fill("#id_comment", "Thank you for this.\nSecond line.")
        assert page.locator("[data-comment-count]").inner_text() == "268 characters left"
        page.click("text=Post comment")
        page.wait_for_url("**/comments/posted/**")
        assert "once an editor has read it" in page.content()
        assert Comment.objects.get(user_name="Mina Park").comment.endswith("Second line.")
        assert page.foreign_requests == []
    finally:
        page.context.close()


def test_reader_without_javascript_confirms_and_posts(browser, live_server, site, settings):
    """Without JavaScript the post comes back filled in; posting again saves it."""
    settings.COMMENTS_MIN_SECONDS = 0
    page = open_page(
        browser, live_server.url + site["article"].get_absolute_url(), java_script_enabled=False
    )
    try:
        page.fill("#id_name", "No Script")
        page.fill("#id_email", "noscript@example.com")
        page.fill("#id_comment", "Plain old form.")
        page.click("text=Post comment")
        assert "post it again" in page.content()
        page.click("text=Post comment")
        page.wait_for_url("**/comments/posted/**")
        assert Comment.objects.filter(comment="Plain old form.").count() == 1
    finally:
        page.context.close()


def test_story_headline_is_in_the_first_screen_on_a_phone(browser, live_server, site, make_section):
    """At 390 × 844 with a dozen sections, the header takes one row for the name and search and
    one for the sections (scrolling sideways), and the whole headline shows before any scroll."""
    for name in ("National", "North Korea", "Politics", "Business", "Science", "Culture"):
        make_section(name=name)
    phone = {"width": 390, "height": 844}
    page = open_page(browser, live_server.url + site["article"].get_absolute_url(), phone)
    try:
        header = page.locator(".site-header").bounding_box()
        headline = page.locator(".story__headline").bounding_box()
        assert header["height"] <= 110, header
        assert headline["y"] + headline["height"] <= phone["height"] / 2, headline
        # Every section stays reachable: the row scrolls, the page does not.
        last = page.locator(".site-nav li").last
        last.locator("a").focus()
        assert last.bounding_box()["x"] + last.bounding_box()["width"] <= phone["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"]
    finally:
        page.context.close()
