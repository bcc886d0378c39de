"""The API documentation page in a real browser: it works from the site's own files, under the
site's Content-Security-Policy, with no request leaving for another host."""

from urllib.parse import urlsplit

import pytest

from tests.test_accessibility import browser  # noqa: F401 (the shared Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_run_a_request_with_no_policy_violation(browser, live_server, make_article):  # noqa: F811
    make_article(headline="Harbour reopens")
    page = browser.new_page()
    console, hosts = [], set()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == 6
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table .response")
    assert "Harbour reopens" in page.locator(".live-responses-table").inner_text()
    page.locator(".model-box-control").first.click()
    page.wait_for_timeout(300)
    page.close()
    assert console == []  # a policy violation is reported on the console
    assert hosts == {urlsplit(live_server.url).netloc}
