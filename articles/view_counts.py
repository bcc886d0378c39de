"""Article view counts: counted in the cache on each read, written to the database in batches.

A page view must not wait for a database write (a cached page is otherwise served without
touching the database), yet the number a reader sees must be exact and no view may be lost.
So the cache holds each article's total, started once from its row and moved by an atomic
increment that gives every reader their own number; a record of the articles with unwritten
views lets any process write them to the row later, in batches that only ever raise a count:

- every ``VIEW_COUNT_FLUSH_SECONDS`` (per process), after the response that counted was sent;
- when a gunicorn worker stops (its ``worker_exit`` hook);
- by ``manage.py flush_view_counts`` (from cron), which also writes what a crashed process left.

Counts in Redis or the file cache outlive the process that made them, so a server stopped
without a flush (``runserver``, a killed worker) loses none: the next flush writes them.

Where the counts live depends on the cache (``CACHE_URL``):

- Redis: a counter key per article and a set of unwritten articles, moved together by one
  script, atomic across processes and machines; kept across a restart of the site.
- Files (the default): Django's file cache cannot increment atomically, so the counts live
  beside its files in a small SQLite file whose writes SQLite serialises across processes.
- Local memory (tests, a single process): the process's own counters.
- No cache (``dummy://``): nowhere to count, so each view is one atomic ``UPDATE`` of the row
  (``ArticleQuerySet.add_view``), as it is for Redis while Redis is unreachable.

If a counter is gone (Redis was emptied), it starts again from the row, a read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from redis.exceptions import RedisError

from articles.models import Article
from newsroom.cache import ResilientRedisCache

logger = logging.getLogger(__name__)

# What a store raises when it cannot count; the view is then counted in the row itself.
STORE_ERRORS = (RedisError, sqlite3.Error)


def count_view(article_id: int, stored: int | None = None) -> int | None:
    """Count one read of the article; return its total, or None if the article is gone.

    ``stored`` is the row's count when the caller has just read it, which spares a query when
    the article has no counter yet.
    """
    store = _store()
    if store is None:
        return Article.objects.add_view(article_id)
    try:
        total = store.count(article_id)
        if total is None:
            if stored is None:
                stored = (
                    Article.objects.filter(pk=article_id)
                    .values_list("view_count", flat=True)
                    .first()
                )
                if stored is None:
                    return None
            store.start(article_id, stored)
            total = store.count(article_id)
    except STORE_ERRORS as error:
        if not isinstance(error, RedisError):  # the Redis cache reports its own, once a pause
            logger.warning("View counted in the database, the count store failed: %s", error)
        return Article.objects.add_view(article_id)
    _flushes.note()
    return total


def flush() -> int:
    """Write every unwritten count to the database; return how many articles were written.

    A batch that fails (the database is away) stays recorded and is written by the next flush.
    """
    store = _store()
    if store is None:
        return 0
    _flushes.counted = False
    counted = store.claim()
    if not counted:
        return 0
    stored = Article.objects.raise_view_counts(counted)
    store.written(counted, stored)
    return len(counted)


class _Flushes:
    """Whether this process has counted views since its last flush, and since when."""

    def __init__(self):
        self.counted = False
        self.since = 0.0

    def note(self) -> None:
        if not self.counted:
            self.counted, self.since = True, time.monotonic()

    def if_due(self, **kwargs) -> None:
        # The oldest view this process has not written waits at most the interval.
        if self.counted and time.monotonic() - self.since >= settings.VIEW_COUNT_FLUSH_SECONDS:
            self.quietly()

    def at_exit(self) -> None:
        if self.counted:
            self.quietly()

    def quietly(self) -> None:
        try:
            flush()
        except (DatabaseError, *STORE_ERRORS) as error:
            self.counted, self.since = True, time.monotonic()  # retried after the interval
            logger.warning("View counts not written yet, will retry: %s", error)


_flushes = _Flushes()
# Connected to request_finished (articles.apps), so the flush runs after the response is sent.
flush_if_due = _flushes.if_due
# Called by gunicorn's worker_exit hook (gunicorn.conf.py) when a worker stops.
flush_at_exit = _flushes.at_exit


class RedisCounts:
    """One counter key per article and a set of articles with unwritten views."""

    # Counts one view if the counter exists (nil otherwise), marking the article unwritten.
    COUNT = """
    if redis.call('EXISTS', KEYS[1]) == 0 then return false end
    redis.call('SADD', KEYS[2], ARGV[1])
    return redis.call('INCR', KEYS[1])
    """
    # After a write: what the row holds beyond what was counted (an import raised it, or views
    # counted in the row while Redis was away) is added to the counter, once: the figure last
    # reconciled is kept per article.
    WRITTEN = """
    for i = 1, #ARGV, 3 do
        local article, counted, stored = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
        local seen = tonumber(redis.call('HGET', KEYS[1], article) or '0')
        local base = math.max(seen, counted)
        if stored > base and redis.call('EXISTS', KEYS[2 + (i - 1) / 3]) == 1 then
            redis.call('INCRBY', KEYS[2 + (i - 1) / 3], stored - base)
        end
        if stored > seen then redis.call('HSET', KEYS[1], article, stored) end
    end
    """

    def __init__(self, backend: ResilientRedisCache):
        self.backend = backend
        self.client = backend._cache.get_client(write=True)
        self.unwritten = backend.make_key("views:unwritten")
        # Claimed by a flush: stays until the flush has written it, so a crash loses nothing.
        self.writing = backend.make_key("views:writing")
        self.reconciled = backend.make_key("views:reconciled")
        self._count = self.client.register_script(self.COUNT)
        self._written = self.client.register_script(self.WRITTEN)

    def key(self, article_id: int) -> str:
        return self.backend.make_key(f"views:{article_id}")

    def count(self, article_id: int) -> int | None:
        # While Redis is unreachable, the cache's pause after a failure applies here too.
        return self.backend.guarded(
            "view count",
            self._count,
            keys=[self.key(article_id), self.unwritten],
            args=[article_id],
        )

    def start(self, article_id: int, stored: int) -> None:
        self.backend.guarded("view count", self.client.set, self.key(article_id), stored, nx=True)

    def claim(self) -> dict[int, int]:
        return self.backend.guarded("view count flush", self._claim)

    def written(self, counted: dict[int, int], stored: dict[int, int]) -> None:
        self.backend.guarded("view count flush", self._mark_written, counted, stored)

    def _claim(self) -> dict[int, int]:
        with self.client.pipeline() as pipe:
            pipe.sunionstore(self.writing, [self.writing, self.unwritten])
            pipe.delete(self.unwritten)
            pipe.smembers(self.writing)
            articles = [int(article) for article in pipe.execute()[-1]]
        totals = self.client.mget([self.key(article) for article in articles]) if articles else []
        return {
            article: int(total)
            for article, total in zip(articles, totals, strict=True)
            if total is not None
        }

    def _mark_written(self, counted: dict[int, int], stored: dict[int, int]) -> None:
        args = []
        for article, total in counted.items():
            args += [article, total, stored.get(article, total)]
        with self.client.pipeline() as pipe:
            self._written(
                keys=[self.reconciled, *(self.key(article) for article in counted)],
                args=args,
                client=pipe,
            )
            pipe.delete(self.writing)
            pipe.execute()


class SQLiteCounts:
    """A table of totals beside the file cache; SQLite's lock makes each increment atomic.

    ``written`` is the figure the row held after the last flush, so the articles with unwritten
    views are those whose total is above it.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._connection = None
        self._pid = None

    def _db(self) -> sqlite3.Connection:
        if self._pid != os.getpid():  # a connection must not cross a fork (gunicorn's workers)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection per process, shared by its threads under ``_lock``.
            connection = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # Each count is in the file when its statement ends; only a power cut may lose the
            # last ones, as with Redis's default snapshots.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counts (article INTEGER PRIMARY KEY, "
                "total INTEGER NOT NULL, written INTEGER NOT NULL)"
            )
            connection.execute(
                "CREATE INDEX IF NOT EXISTS unwritten ON counts (article) WHERE total > written"
            )
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def count(self, article_id: int) -> int | None:
        with self._lock:
            row = (
                self._db()
                .execute(
                    "UPDATE counts SET total = total + 1 WHERE article = ? RETURNING total",
                    (article_id,),
                )
                .fetchone()
            )
        return row[0] if row else None

    def start(self, article_id: int, stored: int) -> None:
        with self._lock:
            self._db().execute(
                "INSERT OR IGNORE INTO counts VALUES (?, ?, ?)", (article_id, stored, stored)
            )

    def claim(self) -> dict[int, int]:
        with self._lock:
            return dict(
                self._db().execute("SELECT article, total FROM counts WHERE total > written")
            )

    def written(self, counted: dict[int, int], stored: dict[int, int]) -> None:
        rows = [
            {"article": article, "counted": total, "stored": stored.get(article, total)}
            for article, total in counted.items()
        ]
        with self._lock:
            # Views counted during the flush stay above ``written``; what the row holds beyond
            # the count (an import raised it) is added to the total, once.
            self._db().executemany(
                "UPDATE counts SET total = total + MAX(0, :stored - MAX(written, :counted)), "
                "written = MAX(written, :stored) WHERE article = :article",
                rows,
            )


class LocalCounts:
    """Counters in the local-memory cache (one process's, as that cache is; for tests).

    Kept in the cache itself, so emptying the cache empties them as it would in Redis.
    """

    def __init__(self, backend: LocMemCache):
        self.backend = backend
        self._lock = threading.Lock()
        self._counted: set[int] = set()

    def count(self, article_id: int) -> int | None:
        with self._lock:
            try:
                total = self.backend.incr(f"views:{article_id}")
            except ValueError:
                return None
            self._counted.add(article_id)
            return total

    def start(self, article_id: int, stored: int) -> None:
        with self._lock:
            if self.backend.add(f"views:{article_id}", stored, timeout=None):
                self.backend.set(f"views:written:{article_id}", stored, timeout=None)

    def claim(self) -> dict[int, int]:
        with self._lock:
            found = self.backend.get_many(
                [f"views:{article}" for article in self._counted]
                + [f"views:written:{article}" for article in self._counted]
            )
            self._counted = {a for a in self._counted if f"views:{a}" in found}
            return {
                article: found[f"views:{article}"]
                for article in self._counted
                if found[f"views:{article}"] > found.get(f"views:written:{article}", 0)
            }

    def written(self, counted: dict[int, int], stored: dict[int, int]) -> None:
        with self._lock:
            for article, total in counted.items():
                figure = stored.get(article, total)
                seen = self.backend.get(f"views:written:{article}", 0)
                if figure > max(seen, total):
                    self.backend.incr(f"views:{article}", figure - max(seen, total))
                self.backend.set(f"views:written:{article}", max(seen, figure), timeout=None)


_stores: dict[tuple, RedisCounts | SQLiteCounts | LocalCounts | None] = {}


def _store() -> RedisCounts | SQLiteCounts | LocalCounts | None:
    """The count store of the configured cache; None when there is no cache to count in."""
    config = settings.CACHES["default"]
    identity = (config["BACKEND"], config.get("LOCATION"), config.get("KEY_PREFIX"))
    if identity not in _stores:
        backend = caches["default"]
        if isinstance(backend, ResilientRedisCache):
            _stores[identity] = RedisCounts(backend)
        elif isinstance(backend, FileBasedCache):
            _stores[identity] = SQLiteCounts(Path(backend._dir) / "view-counts.sqlite3")
        elif isinstance(backend, LocMemCache):
            _stores[identity] = LocalCounts(backend)
        else:
            _stores[identity] = None
    return _stores[identity]
