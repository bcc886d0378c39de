"""Pieces many pages print (the header's sections, the breaking-news banner), rendered once and
kept in the cache: an edit or a banner's start and end time shows on the next page, whether the
page cache is on, off, or there is no cache at all."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.caching import invalidate, shared_fragment
from articles.fronts.models import BreakingNews
from articles.models import Section

# Fragments are refreshed when a write commits, so these tests commit for real.
committing = pytest.mark.django_db(transaction=True)

DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture(params=["page cache", "fragments only", "no cache"])
def caches_in_use(request, settings):
    """The page cache on; off with the cache itself on (a page nobody asked for lately); none."""
    if request.param == "fragments only":
        settings.PAGE_CACHE_SECONDS = 0
    elif request.param == "no cache":
        settings.CACHES = DUMMY
    return request.param


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def nav_of(html):
    start = html.index('<nav class="site-nav"')
    return html[start : html.index("</nav>", start)]


@committing
def test_section_edits_show_in_every_header_at_once(
    client, caches_in_use, make_section, make_article
):
    """Renamed, added, deleted: the header's sections follow on the next page of any kind."""
    world = make_section(name="World", slug="world")
    story = make_article(section=world)
    pages = [reverse("articles:home"), story.get_absolute_url(), world.get_absolute_url()]
    for url in pages:
        assert ">World</a>" in nav_of(html_of(client, url))
    world.name = "Мир"
    world.save()
    extra = make_section(name="Économie", slug="économie")
    for url in pages:
        nav = nav_of(html_of(client, url))
        assert ">Мир</a>" in nav and ">World</a>" not in nav and ">Économie</a>" in nav
    extra.delete()
    for url in pages:
        assert "Économie" not in nav_of(html_of(client, url))


@committing
def test_the_current_section_is_marked_in_its_own_header_only(client, caches_in_use, make_section):
    """Each section page marks itself; the home page marks none, cached or not."""
    world = make_section(name="World", slug="world")
    sport = make_section(name="Sport", slug="sport")
    for _ in range(2):  # rendered, then from the cache
        home = nav_of(html_of(client, reverse("articles:home")))
        assert "aria-current" not in home
        for section in (world, sport):
            nav = nav_of(html_of(client, section.get_absolute_url()))
            assert nav.count("aria-current") == 1
            assert f'aria-current="page">{section.name}</a>' in nav


@committing
def test_banner_shows_from_its_start_to_its_end(client, caches_in_use, make_article, time_machine):
    """Made live, scheduled ahead, ended: each shows or goes on the next page, with no edit."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    url = make_article().get_absolute_url()
    assert "breaking-news" not in html_of(client, url)
    BreakingNews.objects.create(
        text="Polls have closed", starts_at=now, ends_at=now + dt.timedelta(minutes=10)
    )
    BreakingNews.objects.create(text="Results at nine", starts_at=now + dt.timedelta(minutes=5))
    html = html_of(client, url)
    assert "Polls have closed" in html and "Results at nine" not in html
    time_machine.move_to(now + dt.timedelta(minutes=6), tick=False)
    # Both live: the latest to start is printed.
    assert "Results at nine" in html_of(client, url)
    BreakingNews.objects.filter(text="Results at nine").get().delete()
    assert "Polls have closed" in html_of(client, url)
    time_machine.move_to(now + dt.timedelta(minutes=11), tick=False)
    assert "breaking-news" not in html_of(client, url)


@committing
def test_a_page_rendered_again_reads_no_sections_or_banners(client, settings, make_section):
    """With the page cache off, the header's pieces come from the cache, not the database."""
    settings.PAGE_CACHE_SECONDS = 0
    make_section(name="World")
    BreakingNews.objects.create(text="Live now", starts_at=timezone.now())
    home = reverse("articles:home")
    html_of(client, home)
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client, home)
    assert "Live now" in html and ">World</a>" in html
    read = " ".join(query["sql"] for query in queries)
    assert f'FROM "{Section._meta.db_table}"' not in read
    assert BreakingNews._meta.db_table not in read


@committing
def test_a_change_during_the_render_is_never_kept():
    """Versions are read before the fragment renders: a write committed meanwhile makes the
    stored copy stale, so the next page renders it again."""

    def render_while_an_edit_commits():
        invalidate(["test-token"])
        return "old"

    assert shared_fragment("probe", ["test-token"], render_while_an_edit_commits) == "old"
    assert shared_fragment("probe", ["test-token"], lambda: "new") == "new"
    assert shared_fragment("probe", ["test-token"], lambda: "newer") == "new"


@pytest.mark.django_db
def test_a_fragment_expires_when_it_changes_by_itself(time_machine):
    """Kept until ``until()``, then rendered again."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    later = now + dt.timedelta(minutes=3)
    assert shared_fragment("clock", [], lambda: "before", until=lambda: later) == "before"
    assert shared_fragment("clock", [], lambda: "again", until=lambda: later) == "before"
    time_machine.move_to(later, tick=False)
    assert shared_fragment("clock", [], lambda: "after", until=lambda: None) == "after"


@committing
def test_banners_read_before_the_commit_are_forgotten_at_it(client, make_article):
    """A page rendered between a banner's save and its commit put the old rows back in the
    cache; the commit clears them, so the next page prints the banner."""
    from django.core.cache import cache
    from django.db import transaction

    from articles.fronts.banner import BANNERS_KEY

    url = make_article().get_absolute_url()
    html_of(client, url)
    with transaction.atomic():
        BreakingNews.objects.create(text="Bridge closed", starts_at=timezone.now())
        # What another connection, not seeing the new row yet, would have stored meanwhile.
        cache.set(BANNERS_KEY, {"banners": [], "read_at": timezone.now()})
    assert "Bridge closed" in html_of(client, url)
