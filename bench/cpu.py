"""Milliseconds of CPU per page in-process: Django's whole request handling, no server.

    python -m bench.cpu --database-url URL /path/ /other/path/ ...   # prints JSON

The pages of the load runs, through the test client with production settings (``DEBUG=0``),
timed with ``time.process_time()``: the site's own work, without the network, the load
generator or the database server's CPU. ``bench.run`` calls it in a process of its own.

Each page is measured three ways:

- ``cache_off_ms``: the page cache off (``PAGE_CACHE_SECONDS=0``), the cache itself on. What a
  crawler's visit to a page nobody asked for lately meets: every page rendered, the fragments
  shared by many pages (navigation, breaking news) read from the cache.
- ``no_cache_ms``: no cache at all (a dummy cache): every fragment read from the database.
- ``cache_on_ms``: the page cache on, a hit for the pages it keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def cpu_per_page(paths: list[str], requests: int) -> dict[str, dict[str, float]]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    # Templates would look up collected, hashed static names; measuring needs none.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    local = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cpu"}
    }

    def measure(url):
        client = Client()
        for _ in range(3):  # connections, templates, the first cache fill
            client.get(url)
        started = time.process_time()
        for _ in range(requests):
            client.get(url)
        return round(1000 * (time.process_time() - started) / requests, 2)

    profile = {}
    for path in paths:
        with override_settings(CACHES=local, PAGE_CACHE_SECONDS=0):
            cold = measure(path)
        with override_settings(CACHES=dummy):
            bare = measure(path)
        with override_settings(CACHES=local):
            warm = measure(path)
        profile[path] = {"cache_off_ms": cold, "no_cache_ms": bare, "cache_on_ms": warm}
    return profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="0",
        SECRET_KEY="bench-cpu-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    import django

    django.setup()
    print(json.dumps(cpu_per_page(args.paths, args.requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
