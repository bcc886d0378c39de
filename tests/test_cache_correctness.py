"""What a cached page shows is right: every rail story, photo licences, keys and headers.

Each test runs with the page cache in local memory and on the real test Redis.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.caching import policy
from articles.models import Article
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def outcome(response):
    return response["X-Page-Cache"]


def warm(client, url):
    client.get(url)
    assert outcome(client.get(url)) == "hit", url


@pytest.mark.parametrize("rail", ["Must-Reads", "Popular Now", "Latest Stories"])
def test_a_story_taken_down_leaves_every_automatic_rail(
    client, page_cache, make_article, make_section, rail
):
    """After a story is unpublished, no cached page keeps its headline or its dead link."""
    section = make_section(name="World")
    page = make_article(section=section, headline="The page being read")
    # A story is shown in the first rail that has it; "Latest Stories" takes the section's.
    shown = make_article(
        section=section if rail == "Latest Stories" else make_section(name="Sport"),
        headline="Soon taken down",
        editors_pick=rail == "Must-Reads",
        view_count=50 if rail == "Popular Now" else 0,
    )
    html = client.get(page.get_absolute_url()).content.decode()
    assert rail in html and "Soon taken down" in html
    warm(client, page.get_absolute_url())

    shown.status = Article.Status.DRAFT
    shown.save()
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Soon taken down" not in html
    assert shown.get_absolute_url() not in html


def test_a_renamed_rail_story_is_reprinted(client, page_cache, make_article, make_section):
    """An automatic rail's story renamed after the page was cached shows its new headline."""
    section = make_section(name="World")
    page = make_article(section=section)
    shown = make_article(section=section, headline="First wording")
    warm(client, page.get_absolute_url())
    shown.headline = "Second wording"
    shown.save()
    assert "Second wording" in client.get(page.get_absolute_url()).content.decode()


def test_repeated_parameters_keep_their_order_in_the_key(client, page_cache, make_article):
    """?page=2&page=5 is page 5 and ?page=5&page=2 page 2: they never share an entry."""
    for number in range(110):
        make_article(headline=f"Numbered story {number:03d}")
    home = reverse("articles:home")
    fifth = client.get(home + "?page=2&page=5").content.decode()
    second = client.get(home + "?page=5&page=2").content.decode()
    assert fifth != second
    assert "Numbered story 029" in fifth  # page 5 of 20 a page holds stories 80-99 from the top
    assert "Numbered story 089" in second
    assert client.get(home + "?page=5").content.decode() == fifth


def test_a_visitors_tracking_parameters_never_reach_other_readers(client, page_cache, make_article):
    """The pagination links of a page cached from ?utm_source=... carry no utm_source."""
    for _ in range(25):
        make_article()
    home = reverse("articles:home")
    first = client.get(home + "?utm_source=newsletter&utm_medium=email&fbclid=abc")
    assert outcome(first) == "miss"
    for response in (first, client.get(home)):
        html = response.content.decode()
        assert 'href="/?page=2"' in html
        assert "utm_" not in html and "fbclid" not in html
    assert outcome(client.get(home)) == "hit"


def test_responses_vary_by_cookie_on_hits_and_misses(client, page_cache, make_article):
    """Readers with a session get other pages: every answer says Vary: Cookie."""
    story = make_article()
    for url in (story.get_absolute_url(), reverse("articles:home"), reverse("articles:feed")):
        miss, hit = client.get(url), client.get(url)
        assert (outcome(miss), outcome(hit)) == ("miss", "hit")
        for response in (miss, hit):
            assert "Cookie" in response["Vary"], url


def test_a_photo_leaves_cached_pages_when_its_licence_ends(
    client, page_cache, make_article, make_credit, png_bytes, time_machine
):
    """At midnight after its last licensed day the photo is gone from the cached article,
    home page and feed, with no job and no write."""
    from django.core.files.base import ContentFile

    now = timezone.localtime().replace(hour=22, minute=0, second=0, microsecond=0)
    time_machine.move_to(now, tick=False)
    credit = make_credit(alt_text="The harbour", licence_ends_on=now.date())
    credit.image.save("harbour.png", ContentFile(png_bytes))
    story = make_article(lead_image=credit, published_at=now - dt.timedelta(hours=1))
    urls = [story.get_absolute_url(), reverse("articles:home"), reverse("articles:feed")]
    for url in urls:
        warm(client, url)
        assert "harbour" in client.get(url).content.decode().split("</header>", 1)[-1], url

    time_machine.move_to(now + dt.timedelta(hours=2, minutes=1), tick=False)
    for url in urls:
        html = client.get(url).content.decode()
        assert credit.image.name not in html, url
        assert 'alt="The harbour"' not in html, url


def test_the_release_does_not_depend_on_the_folder(settings, tmp_path):
    """Two identical servers in different folders share one cache release."""
    import shutil

    releases = []
    for folder in ("one", "two"):
        base = tmp_path / folder / "srv"
        for name in policy.CODE_FOLDERS:
            if (PROJECT_DIR / name).is_dir():
                shutil.copytree(
                    PROJECT_DIR / name, base / name, ignore=shutil.ignore_patterns("__pycache__")
                )
        static = tmp_path / folder / "static"
        static.mkdir()
        (static / "staticfiles.json").write_text('{"paths": {}}')
        settings.BASE_DIR, settings.STATIC_ROOT = base, static
        policy._code_fingerprint.cache_clear()
        releases.append(policy.release())
    policy._code_fingerprint.cache_clear()
    assert releases[0] == releases[1]
    assert Path(settings.BASE_DIR) != PROJECT_DIR


@pytest.mark.parametrize("folder", ["articles", "comments", "api", "webhooks", "templates"])
def test_a_code_change_in_any_app_starts_a_new_release(settings, tmp_path, folder):
    """Pages cached by the previous code are never served by the next, whichever app changed."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "staticfiles.json").write_text('{"paths": {}}')
    settings.BASE_DIR, settings.STATIC_ROOT = tmp_path, static
    settings.PAGE_CACHE_RELEASE = ""
    (tmp_path / folder).mkdir()
    code = tmp_path / folder / "views.py"
    releases = []
    for version in ("one", "two"):
        code.write_text(f"RELEASE = {version!r}\n")
        policy._code_fingerprint.cache_clear()
        releases.append(policy.release())
    policy._code_fingerprint.cache_clear()
    assert releases[0] != releases[1]
