"""Views counted in the cache and written to the database in batches (articles.view_counts)."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

from articles import view_counts
from articles.models import Article
from tests.conftest import PROJECT_DIR
from tests.test_cache_backend import TEST_REDIS_URL, cache_settings, redis_available

VIEWS = re.compile(r"data-view-count>([\d,]+) view")


def shown(html: str) -> int:
    return int(VIEWS.search(html).group(1).replace(",", ""))


def stored(article) -> int:
    return Article.objects.values_list("view_count", flat=True).get(pk=article.pk)


@pytest.fixture(params=["locmem", "files", "redis"])
def any_cache(request, settings, tmp_path):
    """Each cache the counts can live in: local memory, the file cache's folder, real Redis."""
    if request.param == "files":
        settings.CACHES = {
            "default": {
                "BACKEND": "newsroom.file_cache.FileCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    elif request.param == "redis":
        if not redis_available():
            pytest.skip(f"no Redis at {TEST_REDIS_URL}")
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        settings.CACHES = cache_settings(TEST_REDIS_URL, prefix)
        yield request.param
        client = redis.Redis.from_url(TEST_REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        return
    yield request.param


# --- Counting and writing ------------------------------------------------------------------


def test_a_count_starts_from_the_row_and_is_written_in_one_batch(
    any_cache, make_article, django_assert_num_queries
):
    """The first view starts from the stored figure; later ones make no query; the flush writes
    every article's total."""
    first, second = make_article(view_count=40), make_article()
    assert view_counts.count_view(first.pk) == 41  # reads the row once
    with django_assert_num_queries(0):
        assert [view_counts.count_view(first.pk) for _ in range(3)] == [42, 43, 44]
        assert view_counts.count_view(second.pk, stored=0) == 1
    assert (stored(first), stored(second)) == (40, 0)
    with django_assert_num_queries(2):  # the batch's UPDATE, then reading the rows back
        assert view_counts.flush() == 2
    assert (stored(first), stored(second)) == (44, 1)
    assert view_counts.flush() == 0  # nothing left to write


def test_a_flush_never_lowers_a_count(any_cache, make_article):
    """A row already above the counted figure (an import raised it) keeps its figure, and the
    readers' count continues from it."""
    article = make_article(view_count=10)
    view_counts.count_view(article.pk)
    Article.objects.filter(pk=article.pk).update(view_count=500)
    view_counts.flush()
    assert stored(article) == 500
    assert view_counts.count_view(article.pk) == 501
    view_counts.flush()
    assert stored(article) == 501


def test_writing_the_same_figure_twice_counts_it_once(make_article):
    """A batch written again (a flush that died before recording it) changes nothing."""
    article = make_article(view_count=7)
    Article.objects.raise_view_counts({article.pk: 12})
    Article.objects.raise_view_counts({article.pk: 12})
    Article.objects.raise_view_counts({article.pk: 9})
    assert stored(article) == 12


def test_a_lost_counter_starts_again_from_the_row(
    any_cache, make_article, django_assert_num_queries
):
    """With the cache emptied (Redis flushed), the count continues from what was written:
    one read of the row, no write."""
    article = make_article()
    for _ in range(5):
        view_counts.count_view(article.pk)
    view_counts.flush()
    caches["default"].clear()
    if any_cache == "files":  # the counts live beside the cache's files, not among them
        with django_assert_num_queries(0):
            assert view_counts.count_view(article.pk) == 6
        return
    with django_assert_num_queries(1) as captured:
        assert view_counts.count_view(article.pk) == 6
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


def test_an_article_deleted_meanwhile_is_not_counted(any_cache, make_article):
    """No count starts for a missing article; one deleted after its views is simply skipped."""
    article, gone = make_article(), make_article()
    view_counts.count_view(article.pk)
    pk = gone.pk
    gone.delete()
    assert view_counts.count_view(pk) is None
    article.delete()
    assert view_counts.flush() == 1  # nothing to write it to, and no error


def test_without_a_cache_each_view_is_written_at_once(settings, make_article):
    """CACHE_URL=dummy://: nowhere to count, so each view is one atomic UPDATE of the row."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    article = make_article()
    assert [view_counts.count_view(article.pk) for _ in range(3)] == [1, 2, 3]
    assert stored(article) == 3
    assert view_counts.flush() == 0


def test_views_are_written_after_a_response_once_the_interval_has_passed(
    client, settings, make_article
):
    """Each process writes the counts after a response, at most every VIEW_COUNT_FLUSH_SECONDS."""
    article = make_article()
    client.get(article.get_absolute_url())
    assert stored(article) == 0  # the interval (an hour in tests) has not passed
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    client.get(article.get_absolute_url())
    assert stored(article) == 2


def test_flush_view_counts_command(make_article, capsys):
    article = make_article()
    view_counts.count_view(article.pk)
    call_command("flush_view_counts")
    assert "View counts written for 1 articles." in capsys.readouterr().out
    assert stored(article) == 1


# --- Concurrency in one process -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_each_get_their_own_number(any_cache, make_article):
    """Threads hitting the cached page at once: every reader a distinct number, none lost."""
    article = make_article()
    Client().get(article.get_absolute_url())  # cached, view 1
    seen, errors = [], []

    def read(times):
        client = Client()
        try:
            for _ in range(times):
                response = client.get(article.get_absolute_url())
                assert response["X-Page-Cache"] == "hit"
                seen.append(shown(response.content.decode()))
        except Exception as error:  # noqa: BLE001 - surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(seen) == list(range(2, 102))
    view_counts.flush()
    assert stored(article) == 101


# --- A real server: several processes, restarts and crashes ---------------------------------

# One port per parallel test process (pytest-xdist's gw0, gw1, ...).
PORT = 8114 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


@pytest.fixture(scope="module")
def migrated_site(tmp_path_factory):
    """A SQLite site with one published article, migrated once for this module's servers."""
    folder = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}", "DEBUG": "1"}
    env.pop("CACHE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True
    )
    make = (
        "from django.utils import timezone; from articles.models import Article, Section; "
        "s = Section.objects.create(name='Seoul', slug='seoul'); "
        "Article.objects.create(headline='서울 소식', slug='서울-소식', body='<p>Body.</p>', "
        "section=s, status='published', published_at=timezone.now())"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", make], cwd=PROJECT_DIR, env=env, check=True
    )
    return folder / "site.sqlite3"


class Site:
    """A copy of the migrated site served by gunicorn (gunicorn.conf.py), two workers."""

    def __init__(self, template, folder, cache_url: str):
        self.database = folder / "site.sqlite3"
        shutil.copy(template, self.database)
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CACHE_URL": cache_url,
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
            "DEBUG": "1",
            "BIND": f"127.0.0.1:{PORT}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": os.devnull,
            "GUNICORN_LOG_LEVEL": "warning",
            # Only a stopping worker or the command writes, so each test sees which did.
            "VIEW_COUNT_FLUSH_SECONDS": "3600",
        }
        self.url = f"http://127.0.0.1:{PORT}/news/{urllib.request.quote('서울-소식')}/"
        self.server = None

    def start(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=PROJECT_DIR,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.view()
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self, how=signal.SIGTERM) -> None:
        if how == signal.SIGKILL:  # a crash: the master and its workers at once
            os.killpg(self.server.pid, signal.SIGKILL)
        else:
            self.server.send_signal(how)
        self.server.wait(timeout=60)
        self.server = None

    def view(self) -> int:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            return shown(response.read().decode())

    def stored(self) -> int:
        with sqlite3.connect(self.database) as database:
            return database.execute("SELECT view_count FROM articles_article").fetchone()[0]

    def flush_command(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "flush_view_counts"],
            cwd=PROJECT_DIR,
            env=self.env,
            check=True,
            capture_output=True,
        )


@pytest.fixture(params=["files", "redis"])
def site(request, migrated_site, tmp_path):
    if request.param == "redis":
        if not redis_available():
            pytest.skip(f"no Redis at {TEST_REDIS_URL}")
        cache_url = TEST_REDIS_URL
    else:
        cache_url = f"file://{tmp_path / 'cache'}"
    site = Site(migrated_site, tmp_path, cache_url)
    yield site
    if site.server is not None:
        site.stop(signal.SIGKILL)
    if request.param == "redis":
        client = redis.Redis.from_url(TEST_REDIS_URL)
        keys = list(client.scan_iter(f"{site.env['CACHE_KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)


def test_server_counts_exactly_across_processes_and_restarts(site):
    """Readers on two worker processes each get their own number; a graceful stop writes the
    total; after a restart the count goes on from it."""
    site.start()  # its first view (a miss) is view 1
    seen, errors = [], []

    def read(times):
        try:
            seen.extend(site.view() for _ in range(times))
        except Exception as error:  # noqa: BLE001 - surfaced below
            errors.append(error)

    threads = [threading.Thread(target=read, args=(15,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(seen) == list(range(2, 62))
    assert site.stored() == 0  # not written while serving
    site.stop(signal.SIGTERM)
    assert site.stored() == 61
    site.start()
    assert site.view() == 63  # 62 was the start's own view
    site.stop(signal.SIGINT)
    assert site.stored() == 63


def test_counts_survive_a_crash_and_are_written_by_the_command(site):
    """Killed outright, the server writes nothing; the counts wait in the cache for the command."""
    site.start()
    for _ in range(9):
        site.view()
    site.stop(signal.SIGKILL)
    assert site.stored() == 0
    site.flush_command()
    assert site.stored() == 10
    site.start()
    assert site.view() == 12
