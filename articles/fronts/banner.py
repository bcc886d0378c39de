"""The breaking-news banner every page prints while one is live.

The banners that have not ended are few; they are kept in the cache (one query when it is cold)
so a page costs no query for them, and each page picks the live one at render time.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from articles.fronts.models import BreakingNews

BANNERS_KEY = "fronts:banners"
# Also bounded in time, for rows changed without a save (queryset.update()).
BANNERS_SECONDS = 600


def _banners(*, read_database: bool = True) -> dict | None:
    """{"banners": those not ended when read, "read_at": when}, or None."""
    entry = cache.get(BANNERS_KEY)
    if entry is None and read_database:
        now = timezone.now()
        banners = list(BreakingNews.objects.not_ended(now).order_by("-starts_at", "-pk"))
        entry = {"banners": banners, "read_at": now}
        cache.set(BANNERS_KEY, entry, BANNERS_SECONDS)
    return entry


def live_banner(now: dt.datetime | None = None) -> BreakingNews | None:
    """The banner to print now: the latest to start of those live."""
    now = now or timezone.now()
    entry = _banners()
    return next((banner for banner in entry["banners"] if banner.is_live(now)), None)


def banner_schedule(*, read_database: bool = True) -> dt.datetime | None:
    """The first moment after the banners were read that one goes up or comes down."""
    entry = _banners(read_database=read_database)
    if entry is None:
        return None
    moments = [
        moment
        for banner in entry["banners"]
        for moment in (banner.starts_at, banner.ends_at)
        if moment is not None and moment > entry["read_at"]
    ]
    return min(moments, default=None)


def forget_banners() -> None:
    cache.delete(BANNERS_KEY)
