"""Filling a front's zones: pinned stories in their slots, the newest stories in the others.

Rules, in order: a pinned story that is not live (a draft, unpublished, scheduled) leaves its
slot to the automatic fill, so readers never meet a hole or a dead link; a story appears once
per page (the first zone to pin it keeps it, and the automatic fill skips everything pinned or
already shown); the stories left over make the page's list below the zones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from articles import caching
from articles.fronts import freshness
from articles.fronts.models import Front, Pin, Zone
from articles.models import Article, Author, Section


@dataclasses.dataclass
class Slot:
    number: int
    article: Article
    pinned: bool  # False: the automatic fill, also when a pinned story was not live
    passed_over: Article | None = None  # the pinned story that was not live, for the admin


@dataclasses.dataclass
class FilledZone:
    zone: Zone
    slots: list[Slot]

    @property
    def stories(self) -> list[Article]:
        return [slot.article for slot in self.slots]


@dataclasses.dataclass
class FrontPage:
    front: Front
    zones: list[FilledZone]
    rest: list[Article]  # the page's own stories not shown in a zone, in their order

    def shown_ids(self) -> set[int]:
        return {story.pk for zone in self.zones for story in zone.stories}


def load_front(section: Section | None, now: dt.datetime | None = None):
    """(the page's live front with its zones and pins, when the next front of any page goes
    live), in one query for the fronts and three for the zones, pins and pinned bylines."""
    now = now or timezone.now()
    fronts = list(Front.objects.current_and_upcoming(section, now))
    live = [front for front in fronts if front.live_from <= now]
    upcoming = [front.live_from for front in fronts if front.live_from > now]
    current = live[0] if live else None
    if current is not None:
        bylines = Author.objects.order_by("byline__position")
        pins = Pin.objects.select_related(
            "article__section", "article__lead_image"
        ).prefetch_related(Prefetch("article__authors", queryset=bylines))
        zones = Zone.objects.prefetch_related(Prefetch("pins", queryset=pins))
        current.zones_loaded = list(zones.filter(front=current))
    return current, min(upcoming, default=None)


def arrange(front: Front, *, section: Section | None, stories: list[Article]) -> FrontPage:
    """Fill ``front``'s zones; ``stories`` are the page's newest live stories, in order."""
    zones = getattr(front, "zones_loaded", None)
    if zones is None:
        zones = list(front.zones.prefetch_related("pins__article"))
    used: set[int] = set()
    pinned: dict[tuple[int, int], Article] = {}
    passed_over: dict[tuple[int, int], Article] = {}
    for zone in zones:
        for pin in zone.pins.all():
            if pin.slot > zone.size:
                continue
            if pin.article.is_published() and pin.article_id not in used:
                pinned[zone.pk, pin.slot] = pin.article
                used.add(pin.article_id)
            else:
                passed_over[zone.pk, pin.slot] = pin.article

    pool = _Pool(stories, section=section, used=used)
    filled = []
    for zone in zones:
        slots = []
        for number in range(1, zone.size + 1):
            article = pinned.get((zone.pk, number))
            if article is not None:
                slots.append(Slot(number, article, pinned=True))
                continue
            article = pool.take(zone.fill_section_id)
            if article is None:
                continue  # fewer live stories than slots: the zone is shorter, never a hole
            slots.append(Slot(number, article, False, passed_over.get((zone.pk, number))))
        if slots:
            filled.append(FilledZone(zone, slots))
    return FrontPage(front=front, zones=filled, rest=pool.left_over())


class _Pool:
    """The newest live stories for the automatic fill, each handed out once per page."""

    def __init__(self, stories: list[Article], *, section: Section | None, used: set[int]):
        self.page_stories = list(stories)
        self.section = section
        self.used = used
        self.fetched: dict[int | None, list[Article]] = {}

    def take(self, section_id: int | None) -> Article | None:
        if section_id is not None and (self.section is None or section_id != self.section.pk):
            candidates = self._section_stories(section_id)
        else:
            candidates = self.page_stories
        for article in candidates:
            if article.pk not in self.used:
                self.used.add(article.pk)
                return article
        # The page's first stories are all taken: read the next few.
        more = self._more(section_id if section_id is not None else None)
        if more is not None:
            self.used.add(more.pk)
        return more

    def left_over(self) -> list[Article]:
        return [story for story in self.page_stories if story.pk not in self.used]

    def _newest(self, section_id):
        stories = Article.objects.published().for_listing()
        if section_id is not None:
            return stories.filter(section_id=section_id)
        if self.section is not None:
            return stories.in_section(self.section)
        return stories

    def _section_stories(self, section_id: int) -> list[Article]:
        if section_id not in self.fetched:
            self.fetched[section_id] = list(
                self._newest(section_id).exclude(pk__in=self.used)[:_BATCH]
            )
        return self.fetched[section_id]

    def _more(self, section_id) -> Article | None:
        key = ("more", section_id)
        if key not in self.fetched:
            self.fetched[key] = list(self._newest(section_id).exclude(pk__in=self.used)[:_BATCH])
        for article in self.fetched[key]:
            if article.pk not in self.used:
                return article
        return None


# How many stories an automatic fill reads at a time beyond the page's own.
_BATCH = 20


def front_for_page(*, section: Section | None, stories: list[Article]) -> FrontPage | None:
    """The page's live front filled from ``stories`` (the page's newest), or None when nothing
    is curated; either way the page is marked as depending on the fronts."""
    front, next_front = load_front(section)
    freshness.page_shows_fronts(next_front)
    if front is None:
        return None
    page = arrange(front, section=section, stories=stories)
    # The zones are not plain lists in the template context: name their stories to the cache.
    caching.depends_on(*(story for zone in page.zones for story in zone.stories))
    return page
