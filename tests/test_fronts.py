"""Front pages editors arrange: zones, pinned stories, automatic fill, scheduling, the banner,
and the page cache following all of them."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.fronts.models import BreakingNews, Front, Pin, Zone
from articles.models import Article

# Pages are refreshed when a write commits, so the cache tests commit for real.
committing = pytest.mark.django_db(transaction=True)


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def headlines_in(html):
    """The lead and card headlines in ``html``, in order."""
    return re.findall(r'class="(?:lead-story|card)__headline"><a href="[^"]+">([^<]+)</a>', html)


def zone_html(html, name):
    start = html.index(f">{name}</h2>")
    end = html.find("</section>", start)
    return html[start:end]


def make_front(*, section=None, live_from=None, zones=()):
    """A front with ``zones``: (name, layout, size, {slot: article}) tuples."""
    front = Front.objects.create(
        section=section,
        name="Morning",
        live_from=live_from or timezone.now() - dt.timedelta(minutes=5),
    )
    for position, (name, layout, size, pins) in enumerate(zones):
        zone = Zone.objects.create(
            front=front, name=name, layout=layout, size=size, position=position
        )
        for slot, article in pins.items():
            Pin.objects.create(zone=zone, slot=slot, article=article)
    return front


@pytest.fixture
def stories(make_article, make_section):
    """Six live stories, newest first: "Story 1" is the newest."""
    world = make_section(name="World", slug="world")
    now = timezone.now()
    return [
        make_article(headline=f"Story {n}", section=world, published_at=now - dt.timedelta(hours=n))
        for n in range(1, 7)
    ]


@pytest.mark.django_db
def test_home_keeps_todays_look_when_nothing_is_curated(client, stories):
    """No front: the newest story leads, the rest follow as the latest stories; no zones."""
    html = html_of(client, reverse("articles:home"))
    assert 'class="lead-story"' in html
    assert "zone--" not in html
    assert headlines_in(html)[:2] == ["Story 1", "Story 2"]


@pytest.mark.django_db
def test_pinned_stories_lead_and_the_rest_fill_with_the_newest_once_per_page(client, stories):
    """Pinned stories stay in their slots, free slots take the newest, nothing shows twice."""
    make_front(
        zones=[
            ("Lead", Zone.Layout.LEAD, 1, {1: stories[4]}),
            ("Top stories", Zone.Layout.CARDS, 3, {2: stories[5]}),
        ]
    )
    html = html_of(client, reverse("articles:home"))
    top = zone_html(html, "Top stories")
    assert headlines_in(html)[0] == "Story 5"
    assert headlines_in(top) == ["Story 1", "Story 6", "Story 2"]
    latest = zone_html(html, "Latest stories")
    assert headlines_in(latest) == ["Story 3", "Story 4"]
    for story in stories:
        assert html.count(f">{story.headline}</a>") == 1, story.headline


@pytest.mark.django_db
@pytest.mark.parametrize("trouble", ["draft", "scheduled", "duplicate"])
def test_a_pinned_story_that_is_not_live_falls_back_to_the_automatic_fill(
    client, stories, make_article, trouble
):
    """Unpublished, not yet live, or already pinned above: the slot is filled, no dead link."""
    if trouble == "duplicate":
        pinned = stories[3]
    else:
        pinned = make_article(
            headline="Held back",
            status=Article.Status.DRAFT if trouble == "draft" else Article.Status.PUBLISHED,
            published_at=timezone.now() + dt.timedelta(hours=2),
        )
    make_front(
        zones=[
            ("Lead", Zone.Layout.LEAD, 1, {1: stories[3]}),
            ("Top stories", Zone.Layout.CARDS, 2, {1: pinned}),
        ]
    )
    html = html_of(client, reverse("articles:home"))
    assert headlines_in(zone_html(html, "Top stories")) == ["Story 1", "Story 2"]
    assert "Held back" not in html
    assert html.count(">Story 4</a>") == 1


@pytest.mark.django_db
def test_draft_and_scheduled_fronts_are_not_shown_and_the_latest_live_one_is(client, stories):
    """The page shows the front that went live most recently; drafts and future ones wait."""
    now = timezone.now()
    make_front(live_from=now - dt.timedelta(hours=3), zones=[("Old", "cards", 1, {})])
    make_front(live_from=now - dt.timedelta(hours=1), zones=[("Current", "cards", 1, {})])
    make_front(live_from=now + dt.timedelta(hours=1), zones=[("Tomorrow", "cards", 1, {})])
    draft = make_front(zones=[("Draft", "cards", 1, {})])
    draft.live_from = None
    draft.save()
    html = html_of(client, reverse("articles:home"))
    assert ">Current</h2>" in html
    for name in ("Old", "Tomorrow", "Draft"):
        assert f">{name}</h2>" not in html


@pytest.mark.django_db
def test_section_front_fills_from_its_own_section(client, stories, make_article, make_section):
    """A section's front takes its automatic stories from that section only."""
    sport = make_section(name="Sport", slug="sport")
    match = make_article(headline="Cup final tonight", section=sport)
    make_front(section=sport, zones=[("Sport now", "headlines", 3, {})])
    html = html_of(client, sport.get_absolute_url())
    zone = zone_html(html, "Sport now")
    assert "Cup final tonight" in zone and "Story 1" not in zone
    # Shown once: not again in the section's list below the zones.
    assert html.count(">Cup final tonight</a>") == 1
    assert match.get_absolute_url() in zone


@pytest.mark.django_db
def test_a_zone_can_fill_from_another_section_on_the_home_page(
    client, stories, make_article, make_section
):
    """A "Sport" zone on the home page shows sport, whatever is newest elsewhere."""
    sport = make_section(name="Sport", slug="sport")
    make_article(
        headline="Cup final tonight",
        section=sport,
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    front = make_front(zones=[("Sport", "headlines", 2, {})])
    Zone.objects.filter(front=front).update(fill_section=sport)
    html = html_of(client, reverse("articles:home"))
    zone = zone_html(html, "Sport")
    assert "Cup final tonight" in zone and "Story 1" not in zone


@pytest.mark.django_db
def test_curated_home_page_query_budget(
    client,
    stories,
    make_article,
    make_author,
    warm_navigation,
    settings,
    django_assert_max_num_queries,
):
    """Ten queries with a front, however many zones and pinned stories with many authors:
    count, page, bylines, front, zones, pins, pinned bylines, section blocks, and two for a
    zone filled from another section (its stories and their bylines)."""
    settings.PAGE_CACHE_SECONDS = 0
    pinned = [make_article(authors=[make_author() for _ in range(3)]) for _ in range(6)]
    other = pinned[0].section
    front = make_front(
        zones=[
            ("Lead", "lead", 2, {1: pinned[0], 2: pinned[1]}),
            ("Top", "cards", 4, {1: pinned[2], 3: pinned[3]}),
            ("Picks", "headlines", 4, {2: pinned[4], 4: pinned[5]}),
            ("Elsewhere", "headlines", 3, {}),
        ]
    )
    Zone.objects.filter(front=front, name="Elsewhere").update(fill_section=other)
    warm_navigation()
    with django_assert_max_num_queries(10):
        html = html_of(client, reverse("articles:home"))
    assert all(f">{story.headline}</a>" in html for story in pinned)


@pytest.mark.django_db
def test_banner_is_printed_on_every_page_while_live(client, stories):
    """Text and link across the top of the home and article pages; not before or after."""
    now = timezone.now()
    BreakingNews.objects.create(
        text="Earthquake hits Busan", link=stories[0].get_absolute_url(), starts_at=now
    )
    BreakingNews.objects.create(text="Not yet", starts_at=now + dt.timedelta(hours=1))
    BreakingNews.objects.create(
        text="Over", starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )
    for url in (reverse("articles:home"), stories[2].get_absolute_url(), "/search/"):
        html = html_of(client, url)
        assert 'class="breaking-news"' in html, url
        assert f'<a href="{stories[0].get_absolute_url()}">Earthquake hits Busan</a>' in html
        assert "Not yet" not in html and "Over" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("/news/북한-미사일/", True),
        ("https://example.org/live", True),
        ("", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("news/no-slash", False),
    ],
)
def test_banner_links_are_site_paths_or_web_addresses(link, ok):
    """Only a path on this site or an http(s) address is accepted as the banner's link."""
    from django.core.exceptions import ValidationError

    banner = BreakingNews(text="Live", link=link, starts_at=timezone.now())
    if ok:
        banner.full_clean()
    else:
        with pytest.raises(ValidationError, match="site"):
            banner.full_clean()


# --- Through the page cache ----------------------------------------------------------------


def cached(client, url):
    html_of(client, url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return response


@committing
def test_arranging_a_zone_reaches_the_cached_home_page_on_the_next_request(client, stories):
    """Pinning a story, editing its headline and removing the front each show at once."""
    home = reverse("articles:home")
    cached(client, home)
    front = make_front(zones=[("Top stories", "cards", 2, {})])
    assert ">Top stories</h2>" in html_of(client, home)
    cached(client, home)
    zone = front.zones.get()
    Pin.objects.create(zone=zone, slot=1, article=stories[5])
    assert headlines_in(zone_html(html_of(client, home), "Top stories"))[0] == "Story 6"
    cached(client, home)
    stories[5].headline = "Story 6, updated"
    stories[5].save()
    assert "Story 6, updated" in zone_html(html_of(client, home), "Top stories")
    cached(client, home)
    front.delete()
    html = html_of(client, home)
    assert "zone--" not in html and 'class="lead-story"' in html


@committing
def test_a_scheduled_front_goes_live_on_cached_pages_at_its_time(client, stories, time_machine):
    """Prepared ahead, it appears at its time with no edit, although the page was cached."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    make_front(live_from=now + dt.timedelta(minutes=30), zones=[("Election night", "cards", 2, {})])
    home = reverse("articles:home")
    section = stories[0].section.get_absolute_url()
    for url in (home, section):
        cached(client, url)
        assert ">Election night</h2>" not in client.get(url).content.decode()
    time_machine.move_to(now + dt.timedelta(minutes=31), tick=False)
    assert ">Election night</h2>" in html_of(client, home)
    # The section page has no front of its own; it was refreshed and still has none.
    assert "zone--" not in html_of(client, section)


@committing
def test_banner_reaches_cached_pages_when_made_and_leaves_at_its_end(client, stories, time_machine):
    """A new banner shows on the next request of every cached page and goes at its end time."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    urls = [reverse("articles:home"), stories[1].get_absolute_url()]
    for url in urls:
        cached(client, url)
    BreakingNews.objects.create(
        text="Polls have closed", starts_at=now, ends_at=now + dt.timedelta(minutes=10)
    )
    for url in urls:
        assert "Polls have closed" in html_of(client, url)
        cached(client, url)
    time_machine.move_to(now + dt.timedelta(minutes=11), tick=False)
    for url in urls:
        assert "Polls have closed" not in html_of(client, url)


@committing
def test_a_scheduled_banner_goes_up_on_cached_pages_at_its_time(client, stories, time_machine):
    """Scheduled for later, it is absent from the cached page, then present at its time."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    BreakingNews.objects.create(text="Results at nine", starts_at=now + dt.timedelta(minutes=5))
    url = stories[1].get_absolute_url()
    cached(client, url)
    assert "Results at nine" not in client.get(url).content.decode()
    time_machine.move_to(now + dt.timedelta(minutes=6), tick=False)
    assert "Results at nine" in html_of(client, url)


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    from tests.staff import staff_user

    user = staff_user("Editor")
    client.force_login(user)
    return user


def local(moment):
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


@pytest.mark.django_db
def test_editor_prepares_a_scheduled_front_with_zones(client, editor):
    """The front form with two zones, posted as the browser posts it, schedules the front."""
    when = timezone.now() + dt.timedelta(hours=3)
    date, time = local(when)
    response = client.post(
        reverse("admin:articles_front_add"),
        {
            "section": "",
            "name": "Election night",
            "live_from_0": date,
            "live_from_1": time,
            "zones-TOTAL_FORMS": "2",
            "zones-INITIAL_FORMS": "0",
            "zones-0-position": "0",
            "zones-0-name": "Lead",
            "zones-0-layout": "lead",
            "zones-0-size": "1",
            "zones-0-fill_section": "",
            "zones-1-position": "1",
            "zones-1-name": "Results",
            "zones-1-layout": "headlines",
            "zones-1-size": "6",
            "zones-1-fill_section": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    front = Front.objects.get()
    assert front.state == "scheduled" and front.updated_by == editor
    assert [z.name for z in front.zones.all()] == ["Lead", "Results"]
    listing = client.get(reverse("admin:articles_front_changelist")).content.decode()
    assert "Election night" in listing and "Scheduled" in listing


@pytest.mark.django_db
def test_editor_pins_stories_and_sees_what_readers_get(client, editor, stories, make_article):
    """Pins posted with the untouched blank row; the zone shows each slot as readers get it."""
    front = make_front(zones=[("Top stories", "cards", 3, {})])
    zone = front.zones.get()
    held = make_article(headline="Held back", status=Article.Status.DRAFT)
    url = reverse("admin:articles_zone_change", args=[zone.pk])
    form = client.get(url).content.decode()
    assert "sortable.js" in form and "Pinned stories" in form
    data = {
        "name": "Top stories",
        "layout": "cards",
        "size": "3",
        "fill_section": "",
        "position": "0",
        "pins-TOTAL_FORMS": "3",
        "pins-INITIAL_FORMS": "0",
        "pins-0-slot": "1",
        "pins-0-article": str(stories[4].pk),
        "pins-1-slot": "2",
        "pins-1-article": str(held.pk),
        "pins-2-slot": "",
        "pins-2-article": "",
    }
    response = client.post(url, data | {"_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(zone.pins.values_list("slot", "article__headline")) == [
        (1, "Story 5"),
        (2, "Held back"),
    ]
    html = client.get(url).content.decode()
    preview = html[html.index("nr-front-preview") :]
    assert "Story 5</strong> <em>(pinned)" in preview
    assert "the pinned “Held back” is not live" in preview


@pytest.mark.django_db
def test_a_pin_beyond_the_zones_slots_is_refused_with_the_reason(client, editor, stories):
    front = make_front(zones=[("Top stories", "cards", 2, {})])
    zone = front.zones.get()
    response = client.post(
        reverse("admin:articles_zone_change", args=[zone.pk]),
        {
            "name": "Top stories",
            "layout": "cards",
            "size": "2",
            "fill_section": "",
            "position": "0",
            "pins-TOTAL_FORMS": "1",
            "pins-INITIAL_FORMS": "0",
            "pins-0-slot": "5",
            "pins-0-article": str(stories[0].pk),
        },
    )
    assert response.status_code == 200
    assert "This zone has 2 slots: choose 1 to 2." in response.content.decode()
    assert not Pin.objects.exists()


@pytest.mark.django_db
def test_copying_a_front_prepares_the_next_edition_as_a_draft(client, editor, stories):
    front = make_front(zones=[("Lead", "lead", 1, {1: stories[2]}), ("Top", "cards", 3, {})])
    response = client.post(
        reverse("admin:articles_front_changelist"),
        {"action": "copy_as_draft", "_selected_action": [front.pk]},
    )
    assert response.status_code == 302
    copy = Front.objects.exclude(pk=front.pk).get()
    assert copy.live_from is None and copy.name == "Copy of Morning"
    assert [(z.name, [p.article_id for p in z.pins.all()]) for z in copy.zones.all()] == [
        ("Lead", [stories[2].pk]),
        ("Top", []),
    ]


@pytest.mark.django_db
def test_editor_runs_the_banner_and_a_reporter_cannot(client, editor, stories):
    """An editor puts a banner up (bad links refused) and takes it down; reporters only look."""
    from tests.staff import staff_user

    add = reverse("admin:articles_breakingnews_add")
    date, time = local(timezone.now())
    data = {"text": "Earthquake hits Busan", "starts_at_0": date, "starts_at_1": time}
    refused = client.post(add, data | {"link": "javascript:alert(1)"})
    assert refused.status_code == 200 and "a full https:// address" in refused.content.decode()
    assert client.post(add, data | {"link": "/news/story-1/"}).status_code == 302
    banner = BreakingNews.objects.get()
    assert banner.is_live() and banner.created_by == editor
    client.post(
        reverse("admin:articles_breakingnews_changelist"),
        {"action": "end_now", "_selected_action": [banner.pk]},
    )
    banner.refresh_from_db()
    assert not banner.is_live()
    client.force_login(staff_user("Reporter"))
    assert client.post(add, data).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("second", "error"),
    [
        ({"pins-1-slot": "1", "pins-1-article": "other"}, "Pin with this Zone and Slot"),
        ({"pins-1-slot": "2", "pins-1-article": "same"}, "Pin with this Zone and Story"),
    ],
)
def test_a_slot_or_story_used_twice_in_a_zone_is_refused(client, editor, stories, second, error):
    """Two pins in one slot, or one story pinned twice, get the form's message, not a 500."""
    zone = make_front(zones=[("Top stories", "cards", 3, {})]).zones.get()
    articles = {"same": str(stories[0].pk), "other": str(stories[1].pk)}
    data = {
        "name": "Top stories",
        "layout": "cards",
        "size": "3",
        "fill_section": "",
        "position": "0",
        "pins-TOTAL_FORMS": "2",
        "pins-INITIAL_FORMS": "0",
        "pins-0-slot": "1",
        "pins-0-article": articles["same"],
        "pins-1-slot": second["pins-1-slot"],
        "pins-1-article": articles[second["pins-1-article"]],
    }
    response = client.post(reverse("admin:articles_zone_change", args=[zone.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the duplicate data" in html or error in html
    assert not Pin.objects.exists()
