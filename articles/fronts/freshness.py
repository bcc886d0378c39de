"""Keeping cached pages true to the fronts and the banner.

Pages that show a front depend on the ``fronts`` token and every page that prints the banner
area on the ``banner`` token (``articles.caching.depends_on``), whether or not anything is
curated, so the first front or banner ever made still reaches cached pages. Edits move the tokens
through ``articles.caching.track``. Time moves them too: a front or banner scheduled for 09:00
goes live at 09:00 with no edit, so ``ScheduledChangesMiddleware`` moves the token once that
moment has passed, remembering the next moment in the cache (and for a few seconds in the
process, so that a cached page costs no extra round trip).
"""

from __future__ import annotations

import datetime as dt
import threading

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from articles import caching

FRONTS = "fronts"
BANNER = "banner"

# The next moment a front goes live, as the last render of a front page found it.
NEXT_FRONT_KEY = "fronts:next-live"
# How long a process trusts what it last read from the cache about the next moments.
RECHECK = dt.timedelta(seconds=2)

_memo = threading.local()


def page_shows_fronts(next_front: dt.datetime | None) -> None:
    """Called by a front page as it renders: it depends on every front, and remembers when the
    next one goes live (found by the same query that found this page's front)."""
    caching.depends_on(FRONTS)
    cache.set(NEXT_FRONT_KEY, {"at": next_front}, timeout=None)
    forget_in_process()


def page_shows_banner() -> None:
    caching.depends_on(BANNER)


def fronts_changed() -> None:
    """A front was saved or deleted: its page and the schedule must be read again."""
    cache.delete(NEXT_FRONT_KEY)
    forget_in_process()


def forget_in_process() -> None:
    _memo.__dict__.clear()


def connect() -> None:
    """Called once from the app's ready(): edits refresh the pages that show them."""
    from articles.fronts.models import BreakingNews, Front, Pin, Zone

    for model in (Front, Zone, Pin):
        # A pinned story is also a child of its article: the front's pages are what change.
        caching.track(model, lambda instance: [FRONTS])
    caching.track(BreakingNews, lambda banner: [BANNER])
    for signal in (post_save, post_delete):
        signal.connect(_front_saved, sender=Front, dispatch_uid="fronts-schedule")
        signal.connect(_banner_saved, sender=BreakingNews, dispatch_uid="fronts-banners")


def _front_saved(sender, instance, **kwargs):
    fronts_changed()


def _banner_saved(sender, instance, **kwargs):
    _forget_banners()
    # Again once the write commits: a page rendered meanwhile read the rows as they were and
    # put them back in the cache.
    transaction.on_commit(_forget_banners)


def _forget_banners():
    from articles.fronts.banner import forget_banners

    forget_banners()
    forget_in_process()


def _next_moments(now: dt.datetime) -> dict[str, dt.datetime | None]:
    """{token: the next moment it changes by itself}, read from the cache at most every few
    seconds per thread."""
    checked_at = getattr(_memo, "checked_at", None)
    if checked_at is not None and abs(now - checked_at) < RECHECK:
        return _memo.moments
    from articles.fronts.banner import banner_schedule

    found = cache.get_many([NEXT_FRONT_KEY])
    front = found.get(NEXT_FRONT_KEY)
    _memo.moments = {
        FRONTS: front["at"] if front else None,
        BANNER: banner_schedule(read_database=False),
    }
    _memo.checked_at = now
    return _memo.moments


def publish_due_changes(now: dt.datetime | None = None) -> list[str]:
    """Move the tokens whose scheduled moment has passed; return them."""
    now = now or timezone.now()
    due = [token for token, at in _next_moments(now).items() if at is not None and at <= now]
    if due:
        caching.invalidate(due)
        if FRONTS in due:
            cache.delete(NEXT_FRONT_KEY)
        if BANNER in due:
            from articles.fronts.banner import forget_banners

            forget_banners()
        forget_in_process()
    return due


class ScheduledChangesMiddleware:
    """Before the page cache looks: fronts and banners whose time has come take their pages out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        publish_due_changes()
        return self.get_response(request)
