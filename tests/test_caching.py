"""The page cache: hits, precise invalidation, conditional GET, view counts and query budgets."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.core.management import call_command
from django.db import OperationalError, ProgrammingError, connection, transaction
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag

from articles import caching, view_counts
from articles.caching import middleware, signals, versions
from articles.importers.parser import parse_article_page
from articles.importers.sidecar import read_sidecar
from articles.importers.writer import save_parsed_article
from articles.models import Article, ArticleQuerySet, RelatedStory
from tests.conftest import FIRST_SEED
from tests.pages import write_pages

# Pages are invalidated when a write commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, response.content.decode()


def outcome(response):
    return response["X-Page-Cache"]


@pytest.fixture
def story(make_article, make_author, make_section, make_credit, make_related):
    """A published article with two authors, two tags, a credit and a rail."""
    article = make_article(
        headline="Harbour reopens after storm",
        section=make_section(name="World"),
        authors=[make_author(name="Jane Roe"), make_author(name="Ali Khan")],
        tags=["Storms", "Ports"],
        lead_image=make_credit(caption="The harbour at dawn.", credit_line="Reuters"),
    )
    make_related(article, target=make_article(headline="Storm warning issued"))
    make_related(article, headline="A headline-only story")
    return article


# --- Hits and query budgets ------------------------------------------------------------------


def test_second_request_is_a_hit_with_no_query(client, story, django_assert_num_queries):
    """A cached article page makes no query: the view is counted in the cache, and the page
    shows the new count; the database has it once the counts are written."""
    first, _ = get(client, story.get_absolute_url())
    assert outcome(first) == "miss"
    with django_assert_num_queries(0):
        second, html = get(client, story.get_absolute_url())
    assert outcome(second) == "hit"
    assert "2 views" in html
    assert first.content.replace(b"1 view<", b"2 views<") == second.content
    story.refresh_from_db()
    assert story.view_count == 0
    view_counts.flush()
    story.refresh_from_db()
    assert story.view_count == 2


def test_uncached_article_page_budget_does_not_grow(
    client,
    make_article,
    make_author,
    make_related,
    warm_navigation,
    django_assert_max_num_queries,
):
    """At most seven queries on a miss (readers' comments are one), however many authors, tags
    and rail stories.

    The automatic rails are filled too: only "Related Stories" is curated here.
    """
    small = make_article(tags=["t0"])
    big = make_article(authors=[make_author() for _ in range(8)], tags=[f"t{n}" for n in range(10)])
    for _ in range(12):
        make_related(big, target=make_article(tags=["t1"]))
    warm_navigation()
    for article in (small, big):
        with django_assert_max_num_queries(7):
            response = client.get(article.get_absolute_url())
        assert outcome(response) == "miss"


def test_navigation_is_read_once_and_follows_section_changes(
    client, make_article, make_section, django_assert_num_queries
):
    """The header's sections cost one query on a cold cache, none after; a rename shows."""
    from articles.caching import navigation_sections

    section = make_section(name="Weather")
    with django_assert_num_queries(1):
        assert [s.name for s in navigation_sections()] == ["Weather"]
    with django_assert_num_queries(0):
        assert [s.name for s in navigation_sections()] == ["Weather"]
    section.name = "Climate"
    section.save()
    assert [s.name for s in navigation_sections()] == ["Climate"]
    assert ">Climate</a>" in client.get(reverse("articles:home")).content.decode()


def test_home_page_budget_miss_and_hit(
    client, make_article, make_author, django_assert_max_num_queries, django_assert_num_queries
):
    """Home: at most eight queries uncached with many authors and tags; none when cached."""
    for _ in range(25):
        make_article(authors=[make_author(), make_author()], tags=["a", "b", "c"])
    with django_assert_max_num_queries(8):
        assert outcome(client.get(reverse("articles:home"))) == "miss"
    with django_assert_num_queries(0):
        assert outcome(client.get(reverse("articles:home"))) == "hit"


@pytest.mark.parametrize("name", ["articles:section", "articles:tag", "articles:author"])
def test_list_pages_are_cached(client, story, name, django_assert_num_queries):
    """Section, tag and author pages are served from the cache with no query."""
    slug = {
        "articles:section": story.section.slug,
        "articles:tag": "storms",
        "articles:author": "jane-roe",
    }[name]
    url = reverse(name, kwargs={"slug": slug})
    assert outcome(client.get(url)) == "miss"
    with django_assert_num_queries(0):
        response, html = get(client, url)
    assert outcome(response) == "hit"
    assert story.headline in html


def test_a_repeated_hit_is_one_cache_round_trip(client, story, monkeypatch):
    """Once a process has served a page, a hit reads the page and its versions in one go."""
    client.get(story.get_absolute_url())
    client.get(story.get_absolute_url())  # learns what the page depends on
    calls = []
    backend = type(caches["default"])
    real_get_many = backend.get_many
    monkeypatch.setattr(
        backend,
        "get_many",
        lambda self, keys, **kw: calls.append(keys) or real_get_many(self, keys),
    )
    assert outcome(client.get(story.get_absolute_url())) == "hit"
    assert len(calls) == 1


def test_tracking_parameters_share_the_cached_article(client, story):
    """?utm_source= and ?fbclid= from shared links hit the same cached page."""
    client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url() + "?utm_source=x&fbclid=abc")
    assert outcome(response) == "hit"


def test_list_page_numbers_are_cached_separately(client, make_article):
    """Page 2 of the home page is its own cache entry, not page 1 again."""
    for number in range(25):
        make_article(headline=f"Numbered story {number:02d}")
    first = client.get(reverse("articles:home")).content.decode()
    second = client.get(reverse("articles:home") + "?page=2").content.decode()
    assert "Numbered story 24" in first and "Numbered story 24" not in second
    assert "Numbered story 00" in second


# --- Invalidation: the next request shows the change ---------------------------------------


def warm(client, *urls):
    for url in urls:
        assert client.get(url).status_code == 200
        assert outcome(client.get(url)) == "hit", url


def list_urls(article):
    return [
        reverse("articles:home"),
        article.section.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "storms"}),
        reverse("articles:author", kwargs={"slug": "jane-roe"}),
    ]


def test_editing_an_article_refreshes_it_and_every_list_showing_it(client, story):
    """A corrected headline appears on the article, home, section, tag and author pages."""
    urls = [story.get_absolute_url(), *list_urls(story)]
    warm(client, *urls)
    story.headline = "Harbour reopens after storm, officials confirm"
    story.save()
    for url in urls:
        response, html = get(client, url)
        assert outcome(response) == "miss", url
        assert "officials confirm" in html, url


def test_a_change_leaves_unrelated_pages_cached(client, story, make_article, make_section):
    """Editing one story keeps other stories and other sections' pages in the cache."""
    other = make_article(section=make_section(name="Sport"), headline="Cup final tonight")
    warm(client, other.get_absolute_url(), other.section.get_absolute_url())
    story.dek = "A new summary."
    story.save()
    assert outcome(client.get(other.get_absolute_url())) == "hit"
    assert outcome(client.get(other.section.get_absolute_url())) == "hit"


def test_publishing_adds_the_article_to_every_list(client, story, make_article, make_section):
    """A draft published later appears on the cached home, section, tag and author pages."""
    draft = make_article(
        headline="Late-breaking harbour news",
        section=story.section,
        authors=list(story.authors.all()),
        tags=["Storms"],
        status=Article.Status.DRAFT,
    )
    urls = list_urls(story)
    warm(client, *urls)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    for url in urls:
        assert "Late-breaking harbour news" in client.get(url).content.decode(), url


def test_unpublishing_removes_the_article_at_once(client, story):
    """An article taken down is a 404 and leaves the lists on the next request."""
    warm(client, story.get_absolute_url(), reverse("articles:home"))
    story.status = Article.Status.DRAFT
    story.save()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.headline not in client.get(reverse("articles:home")).content.decode()


def test_deleting_an_article_removes_it(client, story):
    """A deleted article is gone (410, it had been published) and leaves its author's page."""
    author_url = reverse("articles:author", kwargs={"slug": "jane-roe"})
    warm(client, story.get_absolute_url(), author_url)
    story.delete()
    assert client.get(story.get_absolute_url()).status_code == 410
    assert story.headline not in client.get(author_url).content.decode()


def test_author_rename_refreshes_article_and_cards(client, story):
    """An author's new name shows on their articles, cards elsewhere and their own page."""
    urls = [story.get_absolute_url(), reverse("articles:home")]
    warm(client, *urls)
    author = story.authors.get(name="Jane Roe")
    author.name = "Jane Roe-Smith"
    author.save()
    for url in [*urls, author.get_absolute_url()]:
        assert "Jane Roe-Smith" in client.get(url).content.decode(), url


def test_byline_change_refreshes_the_authors_pages(client, story, make_author):
    """Adding an author to the byline lists the article on that author's page."""
    newcomer = make_author(name="Sam Lee")
    warm(client, story.get_absolute_url(), newcomer.get_absolute_url())
    story.byline_set.create(author=newcomer, position=5)
    assert "Sam Lee" in client.get(story.get_absolute_url()).content.decode()
    assert story.headline in client.get(newcomer.get_absolute_url()).content.decode()


def test_credit_change_refreshes_the_article(client, story):
    """A corrected photo credit is printed on the next request."""
    warm(client, story.get_absolute_url())
    credit = story.lead_image
    credit.credit_line = "AP"
    credit.save()
    assert '<span class="credit">AP</span>' in client.get(story.get_absolute_url()).content.decode()


def test_rails_follow_their_stories(client, story, make_related):
    """A new rail entry, and a renamed rail target, show on the next request."""
    warm(client, story.get_absolute_url())
    make_related(story, headline="Fresh rail entry", rail="Popular Now")
    assert "Fresh rail entry" in client.get(story.get_absolute_url()).content.decode()
    target = RelatedStory.objects.get(article=story, target__isnull=False).target
    warm(client, story.get_absolute_url())
    target.headline = "Storm warning lifted"
    target.save()
    assert "Storm warning lifted" in client.get(story.get_absolute_url()).content.decode()


def test_section_rename_refreshes_the_navigation_everywhere(client, story):
    """Every page prints the sections, so a renamed section refreshes every page."""
    urls = [story.get_absolute_url(), reverse("articles:home")]
    warm(client, *urls)
    section = story.section
    section.name = "Worldwide"
    section.save()
    for url in urls:
        assert ">Worldwide</a>" in client.get(url).content.decode(), url


def test_tags_added_removed_and_renamed(client, story, make_article):
    """A new tag lists the article on its page; a removed one drops it; a rename shows."""
    make_article(tags=["Harbours"])
    tag_url = reverse("articles:tag", kwargs={"slug": "harbours"})
    warm(client, tag_url)
    story.tags.add("Harbours")
    assert story.headline in client.get(tag_url).content.decode()
    storms_url = reverse("articles:tag", kwargs={"slug": "storms"})
    warm(client, storms_url, story.get_absolute_url())
    story.tags.remove("Storms")
    assert story.headline not in client.get(storms_url).content.decode()
    warm(client, story.get_absolute_url())
    ports = Tag.objects.get(slug="ports")
    ports.name = "Seaports"
    ports.save()
    assert 'rel="tag">Seaports</a>' in client.get(story.get_absolute_url()).content.decode()


def test_scheduled_article_appears_when_its_time_comes(client, story, make_article, time_machine):
    """A cached home page expires when the next scheduled article goes live, with no write."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    make_article(headline="Embargoed report", published_at=now + dt.timedelta(minutes=2))
    warm(client, reverse("articles:home"))
    assert "Embargoed report" not in client.get(reverse("articles:home")).content.decode()
    time_machine.move_to(now + dt.timedelta(minutes=3), tick=False)
    assert "Embargoed report" in client.get(reverse("articles:home")).content.decode()


def test_rail_link_appears_when_its_scheduled_target_goes_live(
    client, make_article, make_related, time_machine
):
    """A scheduled story is kept off the rail (embargo) and linked once it goes live."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    article = make_article()
    target = make_article(headline="Coming soon", published_at=now + dt.timedelta(minutes=2))
    make_related(article, target=target)
    warm(client, article.get_absolute_url())
    assert "Coming soon" not in client.get(article.get_absolute_url()).content.decode()
    time_machine.move_to(now + dt.timedelta(minutes=3), tick=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{target.get_absolute_url()}">Coming soon</a>' in html


def test_import_refreshes_pages_whose_rails_now_link(
    client, make_article, make_related, make_section
):
    """Importing a story turns other cached pages' headline-only rail entries into links."""
    headline = "Putin Hosts North Korean Minister for a Surprising Sit-Down"
    make_section(name="World")  # so the import changes no navigation, which every page shows
    citing = make_article()
    make_related(citing, headline=headline)
    html = warm_and_read(client, citing.get_absolute_url())
    assert f"<span>{headline}</span>" in html
    cited = save_parsed_article(
        parsed=parse_article_page(FIRST_SEED.read_text(encoding="utf-8")),
        editorial=read_sidecar(FIRST_SEED),
    ).article
    html = client.get(citing.get_absolute_url()).content.decode()
    assert f'<a href="{cited.get_absolute_url()}">{headline}</a>' in html


def warm_and_read(client, url):
    warm(client, url)
    return client.get(url).content.decode()


def test_invalidation_waits_for_the_commit(client, story):
    """Until a transaction commits readers keep the cached page; right after, they get the edit."""
    warm(client, story.get_absolute_url())
    with transaction.atomic():
        story.headline = "Harbour reopens, then closes again"
        story.save()
        assert outcome(client.get(story.get_absolute_url())) == "hit"
    response, html = get(client, story.get_absolute_url())
    assert outcome(response) == "miss"
    assert "then closes again" in html


def test_one_cache_round_trip_per_transaction(story, make_author, monkeypatch):
    """However many rows a transaction touches, the cache is told once, after the commit."""
    bumps = []
    real_bump = versions._bump
    monkeypatch.setattr(versions, "_bump", lambda *a: bumps.append(a[0]) or real_bump(*a))
    with transaction.atomic():
        story.headline = "Many changes"
        story.save()
        story.tags.add("Tides", "Ships")
        story.byline_set.create(author=make_author(name="New Hand"), position=9)
        assert bumps == []
    assert len(bumps) == 1
    assert {caching.article_token(story.pk), "list:tag:tides", "list:author:new-hand"} <= bumps[0]


@pytest.mark.parametrize("count", [1, 12])
def test_bulk_changes_read_authors_and_tags_once(
    count, make_article, make_author, monkeypatch, django_assert_num_queries
):
    """A bulk write's articles cost the same few queries whether there is one or a dozen."""
    shared = make_author(name="Shared Hand")
    articles = [
        make_article(authors=[shared, make_author()], tags=[f"Topic {n}", "Bulk"])
        for n in range(count)
    ]
    bumps = []
    monkeypatch.setattr(versions, "_bump", lambda *a: bumps.append(a[0]) or True)
    # The articles, their authors, their tags, and the outbox check after delivering.
    with django_assert_num_queries(4):
        caching.articles_changed(article.pk for article in articles)
    expected = {"list:latest", "list:author:shared-hand", "list:tag:bulk"}
    for n, article in enumerate(articles):
        author = article.byline_set.exclude(author=shared).get().author
        expected |= {
            caching.article_token(article.pk),
            f"list:section:{article.section.slug}",
            f"list:author:{author.slug}",
            f"list:tag:topic-{n}",
        }
    assert bumps == [expected]


def test_new_articles_move_only_the_lists_they_join(make_article, monkeypatch):
    """A story first written in this transaction has no page of its own in the cache yet: a
    bulk write of new stories moves the lists, not a version per story."""
    old, fresh = make_article(), make_article()
    bumps = []
    monkeypatch.setattr(versions, "_bump", lambda *a: bumps.append(a[0]) or True)
    caching.articles_changed([old.pk], new=[fresh.pk])
    assert caching.article_token(old.pk) in bumps[0]
    assert caching.article_token(fresh.pk) not in bumps[0]
    assert {"list:latest", f"list:section:{fresh.section.slug}"} <= bumps[0]


def test_imported_stories_reach_the_cached_lists(client, story, make_section, tmp_path):
    """The cached home and section pages show stories an import adds, and the new story's
    page is served and cached like any other."""
    [page] = write_pages(tmp_path, 1, seed=4)
    section = make_section(name=parse_article_page(page.read_text(encoding="utf-8")).section)
    home, section_page = "/", section.get_absolute_url()
    warm(client, home, section_page)
    before = set(Article.objects.values_list("pk", flat=True))
    call_command("import_articles", page, status="published", stdout=io.StringIO())
    imported = Article.objects.exclude(pk__in=before).get()
    assert imported.section == section
    for url in (home, section_page):
        response, html = get(client, url)
        assert outcome(response) == "miss", url
        assert escape(imported.headline) in html
    warm(client, imported.get_absolute_url())


def test_rolled_back_change_keeps_the_cache(client, story):
    """A write that rolls back leaves the cached page in place."""
    warm(client, story.get_absolute_url())
    with pytest.raises(RuntimeError), transaction.atomic():
        story.headline = "Never published"
        story.save()
        raise RuntimeError
    response, html = get(client, story.get_absolute_url())
    assert outcome(response) == "hit"
    assert "Never published" not in html


def test_a_rolled_back_change_is_not_delivered_by_the_next_commit(
    make_article, make_author, monkeypatch
):
    """What a rolled-back transaction (or savepoint) touched is discarded with it, so the next
    commit moves only its own pages."""
    forgotten, kept, also_forgotten = make_article(), make_article(), make_article()
    bumps = []
    real_bump = versions._bump
    monkeypatch.setattr(versions, "_bump", lambda *a: bumps.append(a[0]) or real_bump(*a))
    with pytest.raises(RuntimeError), transaction.atomic():
        forgotten.headline = "Never published"
        forgotten.save()
        raise RuntimeError
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            also_forgotten.headline = "Never published either"
            also_forgotten.save()
            raise RuntimeError
        kept.headline = "Published"
        kept.save()
        with pytest.raises(RuntimeError), transaction.atomic():
            forgotten.headline = "Rolled back after the batch began"
            forgotten.save()
            raise RuntimeError
        with transaction.atomic():
            kept.tags.add("Kept")
    assert len(bumps) == 1
    assert {caching.article_token(kept.pk), "list:tag:kept"} <= bumps[0]
    assert caching.article_token(forgotten.pk) not in bumps[0]
    assert caching.article_token(also_forgotten.pk) not in bumps[0]


def test_loading_a_fixture_refreshes_every_page(client):
    """loaddata writes raw rows; every cached page is refreshed once it commits."""
    warm(client, reverse("articles:home"))
    assert "No stories here yet" in client.get(reverse("articles:home")).content.decode()
    call_command("loaddata", "seed", verbosity=0)
    response, html = get(client, reverse("articles:home"))
    assert outcome(response) == "miss"
    assert "Putin Hosts North Korean Minister" in html


def test_a_change_during_rendering_is_not_stored(client, story):
    """A page rendered while a write lands is served but not cached, so it cannot go stale."""

    def write_meanwhile(**kwargs):
        caching.invalidate([caching.article_token(story.pk)])

    template_rendered.connect(write_meanwhile, dispatch_uid="write-meanwhile")
    try:
        response = client.get(story.get_absolute_url())
    finally:
        template_rendered.disconnect(dispatch_uid="write-meanwhile")
    assert response.status_code == 200
    assert outcome(response) == "pass"
    assert outcome(client.get(story.get_absolute_url())) == "miss"


def test_a_new_release_does_not_serve_old_pages(client, story, settings):
    """Pages are kept per release, so a deploy never serves the previous release's HTML."""
    settings.PAGE_CACHE_RELEASE = "one"
    warm(client, story.get_absolute_url())
    settings.PAGE_CACHE_RELEASE = "two"
    assert outcome(client.get(story.get_absolute_url())) == "miss"


# --- Conditional GET ---------------------------------------------------------------------


def test_if_none_match_gives_304_and_still_counts(client, story):
    """A reader who has the page gets 304 Not Modified; the view is still counted."""
    etag = client.get(story.get_absolute_url())["ETag"]
    assert etag.startswith('W/"')
    response = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    view_counts.flush()
    story.refresh_from_db()
    assert story.view_count == 2


def test_etag_changes_with_the_content_not_the_count(client, story):
    """Views alone keep the ETag; an edit changes it and the old one gets a full page."""
    etag = client.get(story.get_absolute_url())["ETag"]
    assert client.get(story.get_absolute_url())["ETag"] == etag
    story.headline = "Harbour reopens"
    story.save()
    response = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_conditional_get_works_with_page_caching_off(client, story, settings):
    """With PAGE_CACHE_SECONDS=0 nothing is stored but ETags and 304s still work."""
    settings.PAGE_CACHE_SECONDS = 0
    etag = client.get(reverse("articles:home"))["ETag"]
    response = client.get(reverse("articles:home"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert outcome(response) == "pass"


@pytest.mark.parametrize("header", ['"unquoted', "W/", "*, garbage", "x" * 5000])
def test_malformed_if_none_match_is_harmless(client, story, header):
    """A broken If-None-Match header gets the page (or a 304 for *), never a 500."""
    client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=header)
    assert response.status_code in (200, 304)


def test_unknown_host_is_a_400_not_a_500(client, story):
    """A forged Host header is refused before the cache builds a key from it."""
    assert client.get(story.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


# --- What is never cached --------------------------------------------------------------------


def test_editors_always_get_a_fresh_private_page(client, story):
    """A signed-in editor bypasses the cache and the response is marked private."""
    warm(client, story.get_absolute_url())
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(editor)
    response = client.get(story.get_absolute_url())
    assert outcome(response) == "bypass"
    assert "private" in response["Cache-Control"]


def test_staff_preview_of_a_draft_is_never_served_to_readers(client, make_article):
    """A draft previewed by an editor stays a 404 for anonymous readers."""
    draft = make_article(status=Article.Status.DRAFT)
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    editor_client = Client()
    editor_client.force_login(editor)
    assert editor_client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_not_found_pages_are_not_cached(client, make_article):
    """A 404 is not stored: the article published a moment later is found."""
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 200


# --- View counts under concurrency -------------------------------------------------------


# --- Database outages ----------------------------------------------------------------------


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection refused")


def test_cached_article_is_served_while_the_database_is_down(client, story, settings, caplog):
    """A cached story is still read and counted while the database is away; the counts are
    written once it is back."""
    warm(client, story.get_absolute_url())
    settings.VIEW_COUNT_FLUSH_SECONDS = 0  # each response tries to write the counts
    with connection.execute_wrapper(database_down):
        for _ in range(2):
            response, html = get(client, story.get_absolute_url())
    assert response.status_code == 200
    assert outcome(response) == "hit"
    assert "Harbour reopens after storm" in html
    assert "4 views<" in html  # two to warm the cache, two while the database was down
    assert "View counts not written yet" in caplog.text
    view_counts.flush()
    story.refresh_from_db()
    assert story.view_count == 4


def test_cached_article_is_served_when_its_lost_count_cannot_be_read(client, story, caplog):
    """With the counter gone from the cache and the database away, the page is still served,
    with the count it was cached with; that one view goes uncounted."""
    warm(client, story.get_absolute_url())
    caches["default"].delete(f"views:{story.pk}")
    with connection.execute_wrapper(database_down):
        response, html = get(client, story.get_absolute_url())
    assert outcome(response) == "hit"
    assert "1 view<" in html
    assert "View not counted, database unavailable" in caplog.text


def test_uncached_page_is_a_503_while_the_database_is_down(client, db, monkeypatch):
    """A page that needs the database answers 503 with Retry-After, not a 500."""

    def unreachable(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ArticleQuerySet, "published", unreachable)
    response = client.get(reverse("articles:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert "Back in a moment" in response.content.decode()


def test_other_database_errors_stay_500s(db, monkeypatch):
    """Only connection failures become 503s; a broken query is still a server error."""

    def broken(self):
        raise ProgrammingError("syntax error")

    monkeypatch.setattr(ArticleQuerySet, "published", broken)
    response = Client(raise_request_exception=False).get(reverse("articles:home"))
    assert response.status_code == 500


def test_a_page_is_still_served_when_storing_it_fails(client, story, monkeypatch):
    """If the database drops while a rendered list page is being stored, the reader gets it."""

    def unreachable():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(middleware, "next_publication", unreachable)
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert outcome(response) == "pass"
    assert story.headline in response.content.decode()


def test_anything_pointing_at_an_article_refreshes_it():
    """Each model with a foreign key to Article is wired; a new one needs nothing."""
    children = signals.article_children()
    assert children[RelatedStory] == ["article_id", "target_id"]
    assert all(model in signals._TRACKED for model in children)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("articles:feed", {}),
        ("articles:feed_atom", {}),
        ("articles:section_feed", {"slug": "SECTION"}),
        ("articles:author_feed_atom", {"slug": "jane-roe"}),
        ("articles:tag_feed", {"slug": "storms"}),
    ],
)
def test_feeds_are_cached_and_refreshed_by_their_stories(
    client, story, name, kwargs, django_assert_num_queries
):
    """Feeds are served from the cache; editing a story in one brings the edit next time."""
    kwargs = {
        key: story.section.slug if value == "SECTION" else value for key, value in kwargs.items()
    }
    url = reverse(name, kwargs=kwargs)
    assert outcome(client.get(url)) == "miss"
    with django_assert_num_queries(0):
        response, body = get(client, url)
    assert outcome(response) == "hit" and story.headline in body
    story.headline = "Harbour reopens a day early"
    story.save()
    response, body = get(client, url)
    assert outcome(response) == "miss" and "Harbour reopens a day early" in body


def test_author_rename_refreshes_the_feed(client, story):
    """A feed names each story's authors, so renaming one refreshes it."""
    url = reverse("articles:feed")
    warm(client, url)
    author = story.authors.get(slug="jane-roe")
    author.name = "Jane Roe-Smith"
    author.save()
    assert "Jane Roe-Smith" in client.get(url).content.decode()


def test_section_page_miss_does_not_grow_with_its_most_read_list(
    client, make_article, make_section, warm_navigation, django_assert_max_num_queries
):
    """Storing a section page reads what it shows without loading deferred fields per story.

    Six queries for the page (section, count, page, bylines, most read, the live front) and
    one for the cache (when the next scheduled story goes live)."""
    section = make_section(name="Weather")
    # The oldest stories are the most read, so the "most read" list shows stories that are
    # not in the page's own (newest first) list.
    for number in range(30):
        make_article(section=section, view_count=100 - number)
    warm_navigation()
    with django_assert_max_num_queries(7):
        response = client.get(section.get_absolute_url())
    assert outcome(response) == "miss"
