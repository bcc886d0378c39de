"""Times the import command and fixture loading in a process of its own (its own database).

    DATABASE_URL=... python -m bench.importrun PAGES_DIR

Prints one JSON object: pages imported per second by ``import_articles``, and the time
``loaddata`` takes for the seed fixture and for a fixture of everything just imported. Only
the commands are timed, not Django's start-up, migrations or the first connection to the
cache. The database must be empty.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    pages_dir = Path(argv[0])
    profile = "--profile" in argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from articles.models import Article, RelatedStory

    call_command("migrate", verbosity=0)
    pages = sorted(pages_dir.glob("*.txt"))
    quiet = io.StringIO()
    # Start-up, as the database connection is (migrate opened it): the cache client is built
    # and its library imported on first use, which would otherwise be timed with the import.
    cache.get("bench-import-warm-up")

    backend = PostgresBackendClock()
    python_started = time.process_time()
    started = time.perf_counter()
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    call_command("import_articles", *pages, status="published", stdout=quiet, stderr=quiet)
    import_seconds = time.perf_counter() - started
    python_cpu_seconds = time.process_time() - python_started
    postgres_cpu_seconds = backend.seconds()
    if profile:
        profiler.stop()
        sys.stderr.write(profiler.output_text(unicode=False, color=False, show_all=False))
    imported = Article.objects.count()
    linked = RelatedStory.objects.filter(target__isnull=False).count()

    with tempfile.TemporaryDirectory() as scratch:
        fixture = Path(scratch) / "imported.json"
        call_command(
            "dumpdata",
            "articles",
            "taggit.tag",
            "taggit.taggeditem",
            natural_foreign=True,
            output=str(fixture),
            verbosity=0,
        )
        call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        call_command("loaddata", str(fixture), verbosity=0)
        big_fixture_seconds = time.perf_counter() - started
        big_fixture_objects = sum(1 for _ in json.loads(fixture.read_text()))

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("loaddata", "seed", verbosity=0)
    seed_seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "pages": len(pages),
                "imported": imported,
                "rail_links": linked,
                "import_seconds": round(import_seconds, 3),
                "pages_per_second": round(len(pages) / import_seconds, 1),
                # Where the time went: this process, and the database server's process serving
                # its connection (None on SQLite, which runs in this process).
                "python_cpu_seconds": round(python_cpu_seconds, 3),
                "postgres_cpu_seconds": postgres_cpu_seconds,
                "seed_fixture_seconds": round(seed_seconds, 3),
                "imported_fixture_objects": big_fixture_objects,
                "imported_fixture_seconds": round(big_fixture_seconds, 3),
            }
        )
    )
    return 0 if imported == len(pages) else 1


class PostgresBackendClock:
    """CPU time of the PostgreSQL server process serving this connection, read from /proc: the
    benchmark's server runs on this machine. Does nothing on SQLite."""

    def __init__(self):
        from django.db import connection

        self.pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
        self.started = self._ticks()

    def _ticks(self) -> int | None:
        if self.pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # a server on another machine
        return int(fields[11]) + int(fields[12])  # utime + stime

    def seconds(self) -> float | None:
        ended = self._ticks()
        if self.started is None or ended is None:
            return None
        return round((ended - self.started) / os.sysconf("SC_CLK_TCK"), 3)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
