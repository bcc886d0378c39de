"""The rails beside an article: what an editor curated, else filled automatically.

An editor's rails come first, in the order the editor placed them. Each of the four automatic
rails that the editor left empty is then filled from the database:

- "Latest Stories": the newest stories in the article's section (the whole site without one);
- "You May Also Like": the stories sharing most tags with it (the ranking of django-taggit's
  ``similar_objects()``), those in the same section first, then the newest;
- "Popular Now": the most read stories published within ``NEWSROOM_POPULAR_DAYS``;
- "Must-Reads": the newest editor's picks.

A story appears once on the page, in the first rail that has it, and never beside itself; a
curated entry whose story is not live yet stays hidden until it is.

All automatic rails together cost one query: each rail's best candidates are picked by a small
LIMITed subquery, their union is fetched once, and each rail is ranked again in Python with the
same ordering as its subquery. A rail later in the page may lose candidates to an earlier one,
so it fetches one rail's worth more per earlier rail; the result is the same as running one
query per rail, in a number of rows bounded by the rails' size, not by the database's.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from articles.models import Article

RAIL_SIZE = 5

RELATED = "Related Stories"
LATEST = "Latest Stories"
SIMILAR = "You May Also Like"
POPULAR = "Popular Now"
MUST_READS = "Must-Reads"
# The automatic rails, in the order they appear (and so claim stories) on the page.
AUTOMATIC_RAILS = (LATEST, SIMILAR, POPULAR, MUST_READS)


def popular_window() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "NEWSROOM_POPULAR_DAYS", 7))


@dataclass(frozen=True)
class RailItem:
    headline: str
    url: str  # "" when the story is not on this site: printed as plain text, never a dead link
    section: str = ""
    # The story itself: the page cache refreshes the page when it changes or is taken down.
    story: Article | None = field(default=None, compare=False, repr=False)


@dataclass
class Rail:
    title: str
    automatic: bool = False
    items: list[RailItem] = field(default_factory=list)


def _normalize(headline: str) -> str:
    return re.sub(r"\W+", " ", headline).strip().casefold()


class _Seen:
    """The stories already on the page, by id and by headline."""

    def __init__(self, article: Article):
        self.ids = {article.pk}
        self.headlines = {_normalize(article.headline)}
        self.texts = set()  # headlines of curated entries that link nowhere, as typed

    def claim(self, *, pk: int | None, headline: str) -> bool:
        """Record a story; False when it is already on the page."""
        key = _normalize(headline)
        if (pk is not None and pk in self.ids) or key in self.headlines:
            return False
        if pk is not None:
            self.ids.add(pk)
        else:
            self.texts.add(headline)
        self.headlines.add(key)
        return True


def build_rails(article: Article, *, size: int = RAIL_SIZE, now=None) -> list[Rail]:
    """The rails to print beside ``article``, empty ones left out.

    ``article`` should come from ``Article.objects.for_detail()``, so that its curated stories
    and tags are prefetched; then this costs one query when an automatic rail is needed and none
    otherwise.
    """
    now = now or timezone.now()
    seen = _Seen(article)
    rails: dict[str, Rail] = {}
    for story in article.related_stories.all():
        rail = rails.setdefault(story.rail.casefold(), Rail(title=story.rail))
        target = story.target if story.target_id else None
        if target is not None:
            # A story that is not live yet is no more shown in a rail than on its own URL.
            if not target.is_published():
                continue
            if seen.claim(pk=target.pk, headline=target.headline):
                section = target.section.name if target.section_id else story.section_label
                rail.items.append(
                    RailItem(target.headline, target.get_absolute_url(), section, story=target)
                )
        elif story.headline and seen.claim(pk=None, headline=story.headline):
            rail.items.append(RailItem(story.headline, "", story.section_label.title()))

    wanted = [name for name in AUTOMATIC_RAILS if name.casefold() not in rails]
    curated = [rail for rail in rails.values() if rail.items]
    return curated + _automatic_rails(article, wanted, seen=seen, size=size, now=now)


def _automatic_rails(article, wanted, *, seen: _Seen, size: int, now) -> list[Rail]:
    if not wanted:
        return []
    tag_ids = [tag.pk for tag in article.tags.all()]
    section_id = article.section_id
    since = now - popular_window()

    base = Article.objects.published().exclude(pk__in=seen.ids)
    if seen.texts:
        base = base.exclude(headline__in=seen.texts)

    def newest(qs):
        return qs.order_by("-published_at", "-pk")

    # Each rail: (subqueries in the database, the same test and ordering in Python).
    plans = {
        LATEST: (
            [newest(base.filter(section_id=section_id) if section_id else base)],
            lambda a: section_id is None or a.section_id == section_id,
            lambda a: (a.published_at, a.pk),
        ),
        POPULAR: (
            [
                base.filter(published_at__gte=since, view_count__gt=0).order_by(
                    "-view_count", "-published_at", "-pk"
                )
            ],
            lambda a: a.published_at >= since and a.view_count > 0,
            lambda a: (a.view_count, a.published_at, a.pk),
        ),
        MUST_READS: (
            [newest(base.filter(editors_pick=True))],
            lambda a: a.editors_pick,
            lambda a: (a.published_at, a.pk),
        ),
    }
    if tag_ids or section_id:
        # Stories sharing a tag rank above all others, so the best of those sharing tags and
        # the newest of the section, each limited, hold the rail's best whatever the mix.
        similar = []
        if tag_ids:
            sharing = base.filter(tags__in=tag_ids).annotate(shared=Count("tags", distinct=True))
            similar.append(sharing.order_by(*_similar_ordering(section_id)))
        if section_id:
            similar.append(newest(base.filter(section_id=section_id)))
        plans[SIMILAR] = (
            similar,
            lambda a: a.shared > 0 or (section_id is not None and a.section_id == section_id),
            lambda a: (a.shared, a.section_id == section_id, a.published_at, a.pk),
        )

    wanted = [name for name in wanted if name in plans]
    subqueries = [
        Q(pk__in=query.values("pk")[: size * (index + 1)])
        for index, name in enumerate(wanted)
        for query in plans[name][0]
    ]
    if not subqueries:
        return []
    candidates = (
        Article.objects.filter(reduce(operator.or_, subqueries))
        .select_related("section")
        .only(
            "headline",
            "slug",
            "section__name",
            "section__slug",
            "published_at",
            "view_count",
            "editors_pick",
        )
    )
    if tag_ids:
        candidates = candidates.annotate(
            shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        )
    pool = list(candidates)
    if not tag_ids:
        for candidate in pool:
            candidate.shared = 0

    rails = []
    for name in wanted:
        _, belongs, rank = plans[name]
        rail = Rail(title=name, automatic=True)
        for candidate in sorted(filter(belongs, pool), key=rank, reverse=True):
            if seen.claim(pk=candidate.pk, headline=candidate.headline):
                section = candidate.section.name if candidate.section_id else ""
                rail.items.append(
                    RailItem(
                        candidate.headline, candidate.get_absolute_url(), section, story=candidate
                    )
                )
                if len(rail.items) == size:
                    break
        if rail.items:
            rails.append(rail)
    return rails


def _similar_ordering(section_id):
    """Most shared tags, then stories of the same section, then the newest."""
    ordering = ["-shared"]
    if section_id is not None:
        same_section = Case(
            When(section_id=section_id, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        ordering.append(same_section.desc())
    return [*ordering, "-published_at", "-pk"]
