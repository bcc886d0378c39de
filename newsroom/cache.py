"""Django's Redis cache backend, made to fail soft: a cache that is down is a cache that misses.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when Redis is
unreachable, which turns each page into a 500. The site can always answer from the database,
so this subclass treats any Redis error as a miss (reads) or a no-op (writes), logs it, and
stops trying for ``RETRY_AFTER`` seconds so a dead or unreachable server costs each request
nothing instead of a connection timeout. The first call after that pause tries again, so the
cache comes back by itself when Redis does.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One ``redis.Redis`` per connection pool, made once.

    Django's client builds a new ``redis.Redis`` for every cache call, and each one fills a
    table of some 170 response callbacks: a fifth of a millisecond per call, which is most of a
    cached page's time. A ``redis.Redis`` is safe to share between threads (each command takes
    a connection from the pool), and redis-py's pools reconnect after a fork.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        # Not a redis-py option: take it out before the rest goes to the connection pool.
        self.retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    def validate_key(self, key):
        # Django checks every key against memcached's limits (length, spaces, control
        # characters), character by character; Redis has none of them.
        pass

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = self._available()
            self._down_until = time.monotonic() + self.retry_after
        if first:  # one line per outage and pause, not one per request
            logger.warning(
                "Redis cache unavailable (%s: %s); serving without it for %gs.",
                operation,
                error,
                self.retry_after,
            )

    def _call(self, operation: str, fallback, *args, **kwargs):
        if not self._available():
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._failed(operation, error)
            return fallback

    def guarded(self, operation: str, call, *args, **kwargs):
        """``call`` (work on the Redis client itself) under the same pause after a failure, but
        raising ``RedisError`` rather than returning a fallback, for callers with their own."""
        if not self._available():
            raise RedisError(f"Redis paused after a failure ({operation}).")
        try:
            return call(*args, **kwargs)
        except RedisError as error:
            self._failed(operation, error)
            raise

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # incr of a missing key raises ValueError in every backend; with Redis down the key is
        # as good as missing, so callers' existing handling applies.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def clear(self):
        return self._call("clear", False)
