"""The Redis cache backend: real Redis when there is one, and no 500s when Redis is down."""

import logging
import os
import socket
import uuid

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from newsroom.cache import ResilientRedisCache

BACKEND = "newsroom.cache.ResilientRedisCache"
# A database of its own, so the tests never touch keys of a running site; set it to test
# against another server.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def dead_redis_url() -> str:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def cache_settings(url: str, prefix: str, retry_after: float = 5) -> dict:
    return {
        "default": {
            "BACKEND": BACKEND,
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "RETRY_AFTER": retry_after,
            },
        }
    }


@pytest.fixture
def redis_cache(settings):
    """Django's cache on the real test Redis, under a unique prefix removed afterwards."""
    if not redis_available():
        pytest.skip(f"no Redis at {TEST_REDIS_URL} (start one, or set TEST_REDIS_URL)")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = cache_settings(TEST_REDIS_URL, prefix)
    yield cache
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = cache_settings(dead_redis_url(), "dead", retry_after=0.05)
    return cache


# --- Redis down ------------------------------------------------------------------------------


def test_every_operation_is_a_miss_or_a_no_op(dead_cache):
    """With nothing listening, reads miss, writes do nothing, and nothing raises."""
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set("k", 1) is None
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.add("k", 1) is False
    assert dead_cache.delete("k") is False
    dead_cache.delete_many(["a", "b"])
    assert dead_cache.has_key("k") is False
    assert dead_cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        dead_cache.incr("k")


def test_an_outage_is_logged_once_per_pause(dead_cache, caplog):
    """One warning per outage and pause, not one per request."""
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        for _ in range(50):
            dead_cache.get("k")
    warnings = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_it_stops_trying_then_tries_again(monkeypatch):
    """After a failure the backend waits RETRY_AFTER before touching Redis again."""
    backend = ResilientRedisCache(dead_redis_url(), {"OPTIONS": {"RETRY_AFTER": 60}})
    attempts = []
    real_get = ResilientRedisCache.__mro__[1].get

    def counting_get(self, *args, **kwargs):
        attempts.append(1)
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(ResilientRedisCache.__mro__[1], "get", counting_get)
    for _ in range(10):
        backend.get("k")
    assert len(attempts) == 1
    backend._down_until = 0  # the pause is over
    backend.get("k")
    assert len(attempts) == 2


@pytest.mark.django_db
def test_site_serves_from_the_database_when_redis_is_down(dead_cache, client, make_article):
    """Article and home pages are 200s and views are still counted with Redis down."""
    article = make_article(headline="Served without a cache")
    for _ in range(3):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Served without a cache" in response.content.decode()
        assert client.get(reverse("articles:home")).status_code == 200
    article.headline = "Edited while Redis is down"
    article.save()  # invalidation fails soft too
    assert "Edited while Redis is down" in client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.view_count == 4


# --- Real Redis ------------------------------------------------------------------------------


def test_round_trip_on_real_redis(redis_cache):
    """Values, many-key reads and atomic increments work through the wrapper."""
    redis_cache.set("greeting", {"text": "hello"}, 30)
    assert redis_cache.get("greeting") == {"text": "hello"}
    redis_cache.set_many({"a": 1, "b": 2}, timeout=None)
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert redis_cache.add("a", 5) is False
    assert redis_cache.incr("a") == 2
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get("a") is None


@pytest.mark.django_db(transaction=True)
def test_page_cache_on_real_redis(redis_cache, client, make_article, django_assert_num_queries):
    """Miss, hit with no query (the view is counted in Redis), then a fresh page after an edit."""
    article = make_article(headline="Cached in Redis")
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert "2 views" in response.content.decode()
    article.headline = "Corrected in Redis"
    article.save()
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Corrected in Redis" in response.content.decode()


def test_one_redis_client_is_reused(redis_cache):
    """The backend keeps one redis.Redis per pool instead of building one per call."""
    redis_cache.set("a", 1)
    backend = redis_cache._cache
    first = backend.get_client(write=True)
    redis_cache.get("a")
    assert backend.get_client(write=True) is first
