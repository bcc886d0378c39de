"""Profile one page in-process with pyinstrument: where the time of a request goes.

    python -m bench.profile /news/some-slug/ [--cache off|on] [--requests 200]

Runs against the benchmark database (DATABASE_URL, default the newsroom_bench PostgreSQL
database) with production settings, through Django's full request handling (middleware,
view, template), without a server. Prints the mean time per request and the profile.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.run import BENCH_SECRET, DEFAULT_POSTGRES, DEFAULT_REDIS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("path")
    parser.add_argument("--cache", choices=("off", "on"), default="off")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    args = parser.parse_args(argv)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="0",
        SECRET_KEY=BENCH_SECRET,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        CACHE_URL=DEFAULT_REDIS if args.cache == "on" else "dummy://",
        CACHE_KEY_PREFIX=f"bench-profile-{os.getpid()}",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from pyinstrument import Profiler

    # Templates would look up collected, hashed static names; the profile needs none.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    client = Client()
    for _ in range(5):  # connections, template loading, first cache fill
        assert client.get(args.path).status_code == 200
    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.requests):
        client.get(args.path)
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(f"{args.path} cache {args.cache}: {1000 * elapsed / args.requests:.2f} ms per request")
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.cache == "on":
        from bench.run import clear_cache_prefix

        clear_cache_prefix(DEFAULT_REDIS, os.environ["CACHE_KEY_PREFIX"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
