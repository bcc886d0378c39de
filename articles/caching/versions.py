"""Token versions in the cache, and the writes that move them: never lost, even on a Redis blip.

A write moves the versions of the tokens it touched (``invalidate``). Inside a transaction it
waits for the commit (a page re-rendered earlier would still read the old rows) and tells the
cache once for everything the transaction touched. So that no change is ever lost to a cache
that cannot be reached at that moment, the transaction also writes a ``PendingInvalidation``
row, in the same commit as the change: once the cache has the new versions the row is deleted;
if it could not be told, the row keeps the tokens and is replayed until the cache takes them.
A row left without its tokens (the process stopped between the commit and telling the cache)
refreshes every page when it is replayed.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from articles.caching.policy import SECTIONS, release
from articles.models import Article, PendingInvalidation, Section

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Moved by every invalidation, so a render can tell that something changed while it ran.
GENERATION = "pv:*"
NEXT_PUBLICATION = "pages:next-publication"
# How often a process retries invalidations the cache did not take.
REPLAY_SECONDS = 1.0
# A row still without tokens this long after it was written belongs to a process that stopped.
ORPHAN_AGE = dt.timedelta(seconds=60)
REPLAY_BATCH = 500


def version_key(token: str) -> str:
    return f"pv:{token}"


def new_version() -> int:
    # A random integer: Django's Redis backend stores integers as they are, without pickling.
    return int.from_bytes(os.urandom(6), "big")


def invalidate(tokens: Iterable[str], *, schedule_changed: bool = False) -> None:
    """Move the versions of ``tokens``: every cached page showing one of them is stale."""
    tokens = set(tokens)
    if not tokens:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        # Autocommit: the change is already committed.
        _deliver(tokens, schedule_changed, row_ids=())
        return
    batch = connection.__dict__.get(_BATCH)
    if batch is None or not batch.registered(connection):
        # The first write of this transaction, or the first since its batch was rolled back
        # (the rolled-back batch, its tokens and its outbox row are discarded with it).
        batch = connection.__dict__[_BATCH] = _Batch(connection)
    batch.add(tokens, schedule_changed)


_BATCH = "page_cache_batch"


class _Batch:
    """What one transaction touched, with its row in the outbox and its commit callback.

    The row and the callback are written in the same savepoint, so a rolled-back savepoint
    takes both away and the next write starts a new batch. Tokens of a savepoint opened after
    the batch wait in a commit callback of their own, so they go if that savepoint rolls back.
    """

    def __init__(self, connection):
        self.connection = connection
        self.tokens: set[str] = set()
        self.schedule_changed = False
        self.row_id = PendingInvalidation.objects.create().pk
        self.savepoints = set(connection.savepoint_ids)
        self.callback = self.flush
        transaction.on_commit(self.callback)

    def registered(self, connection) -> bool:
        return any(entry[1] is self.callback for entry in connection.run_on_commit)

    def add(self, tokens: set[str], schedule_changed: bool) -> None:
        if set(self.connection.savepoint_ids) <= self.savepoints:
            self.keep(tokens, schedule_changed)
            return
        transaction.on_commit(functools.partial(self.keep, tokens, schedule_changed))
        # The flush must run after every such callback that survived.
        hooks = self.connection.run_on_commit
        hooks.append(hooks.pop(next(i for i, hook in enumerate(hooks) if hook[1] is self.callback)))

    def keep(self, tokens: set[str], schedule_changed: bool) -> None:
        self.tokens |= tokens
        self.schedule_changed = self.schedule_changed or schedule_changed

    def flush(self) -> None:
        if self.connection.__dict__.get(_BATCH) is self:
            del self.connection.__dict__[_BATCH]
        _deliver(self.tokens, self.schedule_changed, row_ids=(self.row_id,))


def _deliver(tokens: set[str], schedule_changed: bool, *, row_ids) -> None:
    """Tell the cache; keep the outbox rows until it has been told."""
    try:
        if _bump(tokens, schedule_changed):
            if row_ids:
                PendingInvalidation.objects.filter(pk__in=row_ids).delete()
            replay_pending()  # and whatever an earlier write could not deliver
            return
        logger.warning("Page cache not told of a change; it will be retried: %s", sorted(tokens))
        _delayed.set(True)
        if row_ids:
            PendingInvalidation.objects.filter(pk__in=row_ids).update(
                tokens=sorted(tokens), schedule_changed=schedule_changed
            )
        else:
            PendingInvalidation.objects.create(
                tokens=sorted(tokens), schedule_changed=schedule_changed
            )
    except DatabaseError as error:
        # The committed row (if any) stays, and refreshes every page when replayed.
        logger.warning("Page cache outbox unavailable: %s", error)
    _replay.soon()


def _bump(tokens: set[str], schedule_changed: bool) -> bool:
    """Give ``tokens`` new versions in one write; False when the cache did not take it."""
    # GENERATION first: a page render reading versions halfway through a non-atomic set_many
    # (the local-memory cache) then sees the generation moved and stores nothing.
    versions = {GENERATION: new_version()}
    versions.update((version_key(token), new_version()) for token in sorted(tokens))
    if schedule_changed:
        versions[NEXT_PUBLICATION] = None  # read again from the database
    try:
        return not cache.set_many(versions, timeout=None)
    except Exception as error:  # any backend's failure is a delivery to retry, not a 500
        logger.warning("Page cache unavailable: %s", error)
        return False


# Set when a change made during the current request could not reach the cache at once, so the
# editor who made it can be told (PageCacheMiddleware).
_delayed: contextvars.ContextVar[bool] = contextvars.ContextVar("page_cache_delayed", default=False)


def watch_delays() -> contextvars.Token:
    return _delayed.set(False)


def delayed(token: contextvars.Token) -> bool:
    """Whether a change since ``watch_delays()`` is waiting for the cache; stops watching."""
    was_delayed = _delayed.get()
    _delayed.reset(token)
    return was_delayed


class _Replay:
    """When this process next retries the outbox: never, unless a delivery failed."""

    def __init__(self):
        self.due: float | None = None
        self.lock = threading.Lock()

    def soon(self) -> None:
        self.due = time.monotonic() + REPLAY_SECONDS

    def if_due(self) -> None:
        due = self.due
        if due is None or time.monotonic() < due:
            return
        if not self.lock.acquire(blocking=False):
            return  # another thread of this process is replaying
        try:
            self.due = None
            if not replay_pending():
                self.soon()
        finally:
            self.lock.release()


_replay = _Replay()


def replay_if_due() -> None:
    """Called on every request: costs nothing unless a delivery failed in this process."""
    _replay.if_due()


def replay_pending() -> bool:
    """Deliver the outbox's undelivered invalidations; True when nothing is left."""
    try:
        orphans_before = timezone.now() - ORPHAN_AGE
        rows = list(
            PendingInvalidation.objects.exclude(
                tokens__isnull=True, created_at__gte=orphans_before
            ).order_by("pk")[:REPLAY_BATCH]
        )
        if not rows:
            return True
        tokens: set[str] = set()
        for row in rows:
            # No tokens: what changed is not known, so every page goes (each shows the sections).
            tokens.update(row.tokens if row.tokens is not None else [SECTIONS])
        if not _bump(tokens, schedule_changed=any(row.schedule_changed for row in rows)):
            _replay.soon()
            return False
        PendingInvalidation.objects.filter(pk__in=[row.pk for row in rows]).delete()
        logger.warning("Page cache told of %d delayed change(s).", len(rows))
        if len(rows) == REPLAY_BATCH:
            _replay.soon()
            return False
        return True
    except DatabaseError as error:
        logger.warning("Page cache outbox unavailable: %s", error)
        _replay.soon()
        return False


# --- Versioned entries the pages read --------------------------------------------------------

NAVIGATION = "nav:sections"
# Also bounded in time, for section rows changed without a save (queryset.update()).
NAVIGATION_SECONDS = 3600


def kept_until_moved(
    name: str,
    tokens: Iterable[str],
    build: Callable[[], T],
    seconds: int,
    *,
    until: Callable[[], dt.datetime | None] | None = None,
) -> T:
    """``build()``, kept in the cache while every token in ``tokens`` keeps its version.

    A page rendered on a cache miss reads it with one round trip instead of its queries. The
    versions are read *before* ``build()``: a write committed meanwhile moves one past the
    stored figure, so the next read builds again. Kept ``seconds`` at most (for rows changed
    without a save) and, with ``until``, no later than the next moment the value changes by
    itself (a banner going up or coming down), asked on a build.
    """
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
    key = f"kept:{release()}:{digest}"
    keys = [version_key(token) for token in sorted(set(tokens))]
    found = cache.get_many([key, *keys])
    now = timezone.now()
    entry = found.get(key)
    if (
        entry is not None
        and entry["versions"] == [found.get(version) for version in keys]
        and (entry["expires"] is None or now < entry["expires"])
    ):
        return entry["value"]
    storable = True
    for version in keys:
        if version not in found:
            value = new_version()
            # add(): a concurrent invalidation's newer version is never overwritten.
            if cache.add(version, value, timeout=None):
                found[version] = value
            else:
                storable = False
    value = build()
    expires = until() if until is not None else None
    if expires is not None:
        seconds = min(seconds, int((expires - now).total_seconds()))
    if storable and seconds >= 1:
        versions = [found[version] for version in keys]
        cache.set(key, {"value": value, "versions": versions, "expires": expires}, seconds)
    return value


def navigation_sections() -> list[Section]:
    """The header's sections, kept in the cache until a section changes (every page shows
    them); saving or deleting a section moves the ``sections`` token."""
    return kept_until_moved(
        NAVIGATION,
        [SECTIONS],
        lambda: list(Section.objects.only("name", "slug")),
        NAVIGATION_SECONDS,
    )


def next_publication() -> dt.datetime | None:
    """When the next scheduled article goes live, remembered until then or the next write."""
    remembered = cache.get(NEXT_PUBLICATION)
    if remembered is not None:
        return remembered["at"]
    at = (
        Article.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    timeout = max(1, int((at - timezone.now()).total_seconds())) if at else None
    cache.set(NEXT_PUBLICATION, {"at": at}, timeout=timeout)
    return at
