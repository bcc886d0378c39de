"""No change is lost to a Redis blip: invalidations go through an outbox replayed until they land.

These run against the real test Redis (``TEST_REDIS_URL``) behind a relay that the tests cut
for a second, as a network blip would.
"""

import datetime as dt
import time
import uuid
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import PendingInvalidation
from tests.redis_proxy import BlinkingRelay
from tests.test_cache_backend import TEST_REDIS_URL, cache_settings, redis_available

pytestmark = pytest.mark.django_db(transaction=True)

RETRY_AFTER = 0.5


@pytest.fixture
def relay(settings):
    """The page cache on the real test Redis, reached through a relay that can be cut."""
    if not redis_available():
        pytest.skip(f"no Redis at {TEST_REDIS_URL} (start one, or set TEST_REDIS_URL)")
    target = urlsplit(TEST_REDIS_URL)
    relay = BlinkingRelay((target.hostname, target.port or 6379))
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = cache_settings(
        f"redis://127.0.0.1:{relay.port}{target.path}", prefix, retry_after=RETRY_AFTER
    )
    yield relay
    relay.close()
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def another_server():
    """Forget this thread's cache client, as a server that saw no error would have its own."""
    del caches["default"]


def shown_within(client, url, text, seconds=10.0) -> float:
    """Seconds until ``url`` shows ``text``; fails after ``seconds``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if text in client.get(url).content.decode():
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"{url} still does not show {text!r} after {seconds} s")


def warm(client, *urls):
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


@pytest.mark.parametrize("in_transaction", [True, False], ids=["admin-like", "autocommit"])
def test_a_save_during_a_redis_blip_reaches_every_server(
    client, relay, make_article, in_transaction
):
    """Redis unreachable for a second around a save, then back: every server shows the change
    within seconds, and the outbox is empty again."""
    story = make_article(headline="Harbour closed by storm")
    urls = [story.get_absolute_url(), reverse("articles:home")]
    warm(client, *urls)

    relay.cut()
    story.headline = "Harbour reopens after storm"
    if in_transaction:
        with transaction.atomic():
            story.save()
    else:
        story.save()
    assert PendingInvalidation.objects.filter(tokens__isnull=False).exists()
    time.sleep(1)
    relay.restore()

    another_server()
    for url in urls:
        assert shown_within(client, url, "Harbour reopens after storm") < 10
    assert not PendingInvalidation.objects.exists()


def test_the_change_is_written_with_the_transaction(client, relay, make_article):
    """The outbox row commits or rolls back with the change it announces."""
    story = make_article()
    with transaction.atomic():
        story.headline = "Rolled back"
        story.save()
        assert PendingInvalidation.objects.count() == 1
        transaction.set_rollback(True)
    assert not PendingInvalidation.objects.exists()
    with transaction.atomic():
        story.headline = "Committed"
        story.save()
        story.tags.add("Storms")
        assert PendingInvalidation.objects.count() == 1  # one row per transaction
    assert not PendingInvalidation.objects.exists()  # delivered and removed


def test_an_undelivered_row_of_a_stopped_process_refreshes_every_page(
    client, relay, make_article, time_machine
):
    """A row left without its tokens (the process stopped before telling the cache) is replayed
    by the next write anywhere, and takes every page out."""
    story = make_article(headline="Old headline")
    warm(client, story.get_absolute_url())
    with transaction.atomic():
        PendingInvalidation.objects.create()  # what a process stopping after its commit leaves
        # The change it stood for, written without telling the cache.
        type(story).objects.filter(pk=story.pk).update(headline="New headline")
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    make_article()  # any later write
    assert "New headline" in client.get(story.get_absolute_url()).content.decode()
    assert not PendingInvalidation.objects.exists()


def test_the_editor_is_told_when_readers_will_see_a_change_late(client, relay, make_article):
    """An admin save while Redis is unreachable says so; once Redis is back readers see it."""
    from django.contrib.auth.models import User

    story = make_article()
    section = story.section
    client.force_login(User.objects.create_superuser("chief", password="a-long-password-1"))
    reader = type(client)()
    warm(reader, story.get_absolute_url())

    relay.cut()
    response = client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Worldwide", "slug": section.slug, "position": "0", "description": ""},
        follow=True,
    )
    relay.restore()
    assert "readers may see the previous version" in response.content.decode()
    another_server()
    assert shown_within(reader, story.get_absolute_url(), ">Worldwide</a>") < 10
