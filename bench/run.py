"""The benchmark: a synthetic newsroom at scale, the real server under load, the import.

    python -m bench.run                 # everything, on PostgreSQL (database newsroom_bench)
    python -m bench.run --database sqlite --duration 5 --workers 1

Steps, each printed as it runs:
1. Build (or reuse) the synthetic newsroom (bench/newsroom.py) in its own database.
2. Count the queries of each page with Django's test client: page cache off, first request with
   the page cache on (a miss) and the next one (a hit).
3. For 1 and 2 gunicorn workers, with the page cache off ("cold": ``PAGE_CACHE_SECONDS=0``, the
   cache itself on, as a crawler's visit to the long tail meets the site) and on ("warm"), both on
   Redis, start the server on 127.0.0.1 and drive each page with bench/loadgen.py from separate
   processes.
   On the first server, read each page's size on the wire plain, gzip and brotli
   (bench/wire.py).
4. On PostgreSQL, the search page again on the SQLite build (``--no-sqlite-search`` skips it).
5. With ``--peer DIR``, Newsroom's uncached article beside a Wagtail site's (bench/peer.py).
6. Time ``import_articles`` on 1,000 generated pages and ``loaddata`` (bench/importrun.py).
7. Write bench/results/results.json and results.md, with the targets met or missed, the
   ratios, the bytes on the wire and each page's CPU in-process (bench/cpu.py).

Pages that this build does not have (no such URL name) are skipped with a note; adding a page
is one line in ``PAGES``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import databases
from bench.loadgen import run_load
from bench.newsroom import Sizes, build
from bench.peer import compare_with_peer
from bench.report import DEFAULT_RESULTS_DIR, peak_rss_by_pid, result_row, write_results
from bench.server import PROJECT_DIR, Gunicorn
from bench.wire import wire_sizes
from tests.pages import write_pages

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
STATIC_REFERENCE = "/static/articles/site.css"
BENCH_SECRET = "bench-only-" + "x7Qp2Lm9Zr4Tw8Ks" * 4

# Pages that must stay fast uncached: every reader page but the article and search.
OTHER_READER_PAGES = ("home", "section", "tag", "author", "feed")


@dataclass(frozen=True)
class Page:
    """A page to measure: its URL name and how to fill in its arguments from the sample."""

    name: str
    url_name: str
    kwargs: Callable[[dict], dict] = lambda sample: {}
    query: str = ""
    # More query strings requested in turn with ``query``, from the sample (see SEARCHES).
    more_queries: Callable[[dict], list[str]] = lambda sample: []


def searches(sample: dict) -> list[str]:
    """Readers' searches of the benchmark's stories: several words, a phrase, with and
    without filters, so the search row never measures one cached query."""
    return [
        "q=dementia+screening+program",
        "q=central+bank&sort=newest",
        f"q=visa+rules&section={sample['section']}",
        "q=%22housing+subsidy%22+demand",
        f"q=officials+report&tag={sample['tag']}",
        f"q=weather+agency&author={sample['author']}",
        "q=trade+talks+stall",
        "q=kremlin+tensions&published_after=2020-01-01",
        f"q=electronics+expands&section={sample['section']}&sort=oldest",
        "q=vapes+ban",
    ]


PAGES = [
    Page("article", "articles:detail", lambda s: {"slug": s["article"]}),
    Page("home", "articles:home"),
    Page("section", "articles:section", lambda s: {"slug": s["section"]}),
    Page("tag", "articles:tag", lambda s: {"slug": s["tag"]}),
    Page("author", "articles:author", lambda s: {"slug": s["author"]}),
    Page(
        "search",
        "articles:search",
        query="q=housing+subsidy",
        more_queries=searches,
    ),
    Page("feed", "articles:feed"),
    Page("api-list", "api:article-list"),
    Page("api-article", "api:article-detail", lambda s: {"slug": s["article"]}),
]


@dataclass
class Plan:
    database_url: str
    redis_url: str
    sizes: Sizes
    workers: list[int]
    duration: float
    warmup: float
    concurrency: int
    processes: int
    port: int
    pages: list[str]
    import_pages: int
    results_dir: Path
    peer: Path | None = None
    peer_port: int = 8101
    sqlite_search: bool = False
    notes: list[str] = field(default_factory=list)
    # Pages requested with more than one query string: their other URLs, in turn.
    more_urls: dict[str, list[str]] = field(default_factory=dict)


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- 1. The synthetic newsroom ----------------------------------------------------------------


def prepare_database(plan: Plan, reseed: bool) -> dict:
    # One marker per database, so a PostgreSQL and a SQLite build are each kept.
    marker = databases.DATA_DIR / f"{databases.name_of(plan.database_url)}.json"
    wanted = {"url": plan.database_url, "sizes": plan.sizes.__dict__}
    reuse = (
        not reseed
        and marker.is_file()
        and json.loads(marker.read_text()).get("wanted") == wanted
        and databases.exists(plan.database_url)
    )
    if not reuse:
        say(f"creating an empty database at {plan.database_url}")
        databases.recreate(plan.database_url)
    os.environ["DATABASE_URL"] = plan.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    if reuse and Article.objects.count() == plan.sizes.articles:
        say("reusing the synthetic newsroom built earlier (--reseed to rebuild)")
        built = json.loads(marker.read_text())["built"]
    else:
        say(f"building the synthetic newsroom: {plan.sizes}")
        built = build(plan.sizes)
        say(f"built in {built['build_seconds']}s")
        databases.DATA_DIR.mkdir(exist_ok=True)
        marker.write_text(json.dumps({"wanted": wanted, "built": built}))
    analyze()
    return built


def analyze() -> None:
    """Planner statistics (and PostgreSQL's visibility map), as autovacuum would leave them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def sample_urls(plan: Plan) -> tuple[dict[str, str], dict]:
    """The URL of each page to measure, and what they show; missing pages are noted."""
    from django.urls import NoReverseMatch, reverse

    from articles.models import Article

    article = (
        Article.objects.published().select_related("section").order_by("-published_at").first()
    )
    sample = {
        "article": article.slug,
        "section": article.section.slug,
        "tag": article.tags.order_by("slug").first().slug,
        "author": article.authors.order_by("slug").first().slug,
    }
    urls = {}
    for page in PAGES:
        if page.name not in plan.pages:
            continue
        try:
            path = reverse(page.url_name, kwargs=page.kwargs(sample) or None)
        except NoReverseMatch:
            plan.notes.append(
                f"{page.name}: skipped, this build has no URL named `{page.url_name}`"
            )
            continue
        urls[page.name] = path + (f"?{page.query}" if page.query else "")
        more = page.more_queries(sample)
        if more:
            plan.more_urls[page.name] = [f"{path}?{query}" for query in more]
    return urls, sample


# --- 2. Queries per page ----------------------------------------------------------------------


def count_queries(urls: dict[str, str]) -> dict[str, dict[str, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def queries(client, url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return len(captured)

    counts: dict[str, dict[str, int]] = {}
    local = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "q"}
    }
    for name, url in urls.items():
        # Page cache off, the pieces every page shares already in the cache (read by the
        # first request), as on a running site.
        with override_settings(CACHES=local, PAGE_CACHE_SECONDS=0):
            client = Client()
            queries(client, url)
            cold = queries(client, url)
        with override_settings(CACHES=local):
            client = Client()
            miss = queries(client, url)
            hit = queries(client, url)
        counts[name] = {"cache_off": cold, "miss": miss, "hit": hit}
    return counts


def json_from(module: str, *args: str, what: str, env: dict | None = None):
    """Run ``python -m module args`` in the project and read the JSON its last line prints."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def cpu_profile(plan: Plan, urls: dict[str, str]) -> dict[str, dict[str, float]]:
    """Each page's CPU in-process with production settings (bench/cpu.py, its own process)."""
    by_path = json_from(
        "bench.cpu", "--database-url", plan.database_url, *urls.values(), what="CPU profile"
    )
    return {name: by_path[path] for name, path in urls.items()}


# --- 3. Load on the real server ---------------------------------------------------------------


def server_env(plan: Plan, cache: str, run_id: str, static_root: Path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: the redirect to HTTPS is a proxy's job here.
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": plan.database_url,
        # Cold: the page cache off, the cache itself on (the pieces every page shares).
        "CACHE_URL": plan.redis_url,
        "PAGE_CACHE_SECONDS": "300" if cache == "warm" else "0",
        "CACHE_KEY_PREFIX": f"bench-{run_id}",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "ERROR",
        # The load comes from one address; the API's per-address limit would answer 429.
        "API_RATE_LIMIT": "",
    }


def clear_cache_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def load_runs(plan: Plan, urls: dict[str, str], counts: dict, scratch: Path) -> tuple:
    static_root = scratch / "static"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env={**os.environ, **server_env(plan, "cold", "static", static_root)},
        check=True,
    )
    runs, memory, sizes = [], [], {}
    for workers in plan.workers:
        for cache in ("cold", "warm"):
            run_id = f"{workers}w-{cache}-{os.getpid()}"
            env = server_env(plan, cache, run_id, static_root)
            log = scratch / f"gunicorn-{run_id}.log"
            say(f"gunicorn, {workers} worker(s), page cache {'on' if cache == 'warm' else 'off'}")
            with Gunicorn(
                host="127.0.0.1", port=plan.port, workers=workers, env=env, log=log
            ) as server:
                if not sizes:
                    sizes = wire_sizes(server.base_url, {**urls, "static file": STATIC_REFERENCE})
                for name, path in urls.items():
                    load = run_load(
                        server.base_url + path,
                        concurrency=plan.concurrency,
                        duration=plan.duration,
                        warmup=plan.warmup,
                        processes=plan.processes,
                        more_urls=[server.base_url + more for more in plan.more_urls.get(name, [])],
                    )
                    queries = counts[name]["hit" if cache == "warm" else "cache_off"]
                    runs.append(
                        result_row(
                            page=name,
                            cache=cache,
                            workers=workers,
                            load=load,
                            queries_per_page=queries,
                            path=path,
                        )
                    )
                    say(
                        f"  {name:<8} {load.rps:8.1f} req/s  p50 {load.p50_ms:6.2f} ms  "
                        f"p99 {load.p99_ms:6.2f} ms  failed {load.failed}"
                    )
                if cache == "cold":
                    # The ceiling of this machine, server and client: a file WhiteNoise serves
                    # without a view or a query.
                    load = run_load(
                        server.base_url + STATIC_REFERENCE,
                        concurrency=plan.concurrency,
                        duration=plan.duration,
                        warmup=plan.warmup,
                        processes=plan.processes,
                    )
                    runs.append(
                        result_row(
                            page="static file",
                            cache=cache,
                            workers=workers,
                            load=load,
                            queries_per_page=0,
                            path=STATIC_REFERENCE,
                        )
                    )
                    say(f"  {'static':<8} {load.rps:8.1f} req/s  p99 {load.p99_ms:6.2f} ms")
                peaks = peak_rss_by_pid(server.process.pid)
                master = peaks.pop(server.process.pid)
                memory.append(
                    {
                        "workers": workers,
                        "cache": cache,
                        "master_peak_mib": round(master, 1),
                        "worker_peak_mib": round(max(peaks.values(), default=0), 1),
                    }
                )
            clear_cache_prefix(plan.redis_url, f"bench-{run_id}")
    return runs, memory, sizes


def sqlite_search_runs(plan: Plan, scratch: Path) -> list[dict]:
    """The search page measured again on the SQLite build (its FTS5 index), 1 worker."""
    say("search on SQLite")
    name = "search-sqlite"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--database",
            "sqlite",
            "--pages",
            "search",
            "--workers",
            "1",
            "--skip-import",
            "--no-sqlite-search",
            "--redis-url",
            plan.redis_url,
            "--port",
            str(plan.port),
            "--duration",
            str(plan.duration),
            "--warmup",
            str(plan.warmup),
            "--results",
            str(scratch),
            "--name",
            name,
        ],
        cwd=PROJECT_DIR,
        check=True,
    )
    found = json.loads((scratch / f"{name}.json").read_text())
    runs = [run for run in found["runs"] if run["page"] == "search"]
    for run in runs:
        run["page"] = "search (SQLite)"
    return runs


def peer_comparison(plan: Plan, scratch: Path) -> dict:
    say(f"uncached article beside the peer in {plan.peer}")
    env = server_env(plan, "cold", f"peer-{os.getpid()}", scratch / "static")
    return compare_with_peer(
        plan.peer,
        port=plan.port,
        peer_port=plan.peer_port,
        env=env,
        scratch=scratch,
        rounds=2,
        concurrency=plan.concurrency,
        duration=plan.duration,
        warmup=plan.warmup,
        processes=plan.processes,
    )


# --- 4. Import and fixtures -------------------------------------------------------------------


def import_run(plan: Plan, scratch: Path) -> dict:
    pages_dir = scratch / "pages"
    write_pages(pages_dir, plan.import_pages, seed=plan.sizes.seed)
    if databases.is_postgres(plan.database_url):
        url = databases.with_database(plan.database_url, "newsroom_bench_import")
    else:
        url = databases.sqlite_url("newsroom_bench_import")
    databases.recreate(url)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET,
        "DATABASE_URL": url,
        "CACHE_URL": plan.redis_url,
        "CACHE_KEY_PREFIX": f"bench-import-{os.getpid()}",
        "LOG_LEVEL": "ERROR",
    }
    say(f"importing {plan.import_pages} generated pages")
    imported = json_from("bench.importrun", str(pages_dir), what="import benchmark", env=env)
    clear_cache_prefix(plan.redis_url, env["CACHE_KEY_PREFIX"])
    return imported


# --- 5. Results -------------------------------------------------------------------------------


def _rps(runs, page, cache, workers):
    return next(
        (r["rps"] for r in runs if (r["page"], r["cache"], r["workers"]) == (page, cache, workers)),
        None,
    )


def ratios(runs: list[dict], peer: dict | None) -> list[dict]:
    """The issue's ratios: cached article to the static file, uncached article to the peer."""
    found = []
    for workers in sorted({r["workers"] for r in runs}):
        article = _rps(runs, "article", "warm", workers)
        static = _rps(runs, "static file", "cold", workers)
        if article and static:
            found.append(
                {
                    "what": f"cached article / static file, {workers} worker(s)",
                    "value": round(article / static, 2),
                    "detail": f"{article:,.1f} / {static:,.1f} req/s",
                }
            )
    if peer:
        found.append(
            {
                "what": "uncached article / the Wagtail peer's article (SQLite, 1 worker)",
                "value": peer["ratio"],
                "detail": f"{peer['mean']['newsroom']['rps']:,.1f} / "
                f"{peer['mean']['peer']['rps']:,.1f} req/s, mean of "
                f"{len(peer['rounds']['peer'])} alternating runs each",
            }
        )
    return found


def check_targets(runs: list[dict], imported: dict | None, found_ratios: list[dict]) -> list:
    pages = [r for r in runs if r["page"] != "static file"]

    def worst_p99(cache, names=None, workers=None):
        values = [
            r["p99_ms"]
            for r in pages
            if r["cache"] == cache
            and (names is None or r["page"] in names)
            and (workers is None or r["workers"] == workers)
        ]
        return max(values) if values else None

    def ratio(prefix):
        return next((r["value"] for r in found_ratios if r["what"].startswith(prefix)), None)

    def search_p99(page):
        values = [r["p99_ms"] for r in pages if r["page"] == page and r["workers"] == 1]
        return max(values) if values else None

    checks = [
        (
            "cached article ≥ 0.8 × static file, 1 worker",
            "≥ 0.8",
            ratio("cached article / static file, 1 "),
            0.8,
            "ge",
        ),
        ("uncached article ≥ 3 × the Wagtail peer", "≥ 3", ratio("uncached article"), 3, "ge"),
        (
            "other reader pages uncached, p99 at 8 clients, 1 worker",
            "< 50 ms",
            worst_p99("cold", OTHER_READER_PAGES, 1),
            50,
            "lt",
        ),
        (
            "search p99, PostgreSQL, 1 worker (page cache off and on)",
            "< 100 ms",
            search_p99("search"),
            100,
            "lt",
        ),
        (
            "search p99, SQLite, 1 worker (page cache off and on)",
            "< 100 ms",
            search_p99("search (SQLite)"),
            100,
            "lt",
        ),
        (
            "article page, page cache off, 1 worker",
            "≥ 300 req/s",
            _rps(pages, "article", "cold", 1),
            300,
            "ge",
        ),
        (
            "article page, page cache on, 1 worker",
            "≥ 2,000 req/s",
            _rps(pages, "article", "warm", 1),
            2000,
            "ge",
        ),
        ("p99 latency at 8 clients, cache on (worst page)", "< 50 ms", worst_p99("warm"), 50, "lt"),
        (
            "p99 latency at 8 clients, page cache off (worst page)",
            "< 50 ms",
            worst_p99("cold"),
            50,
            "lt",
        ),
        (
            "import",
            "≥ 2,000 pages/s",
            imported["pages_per_second"] if imported else None,
            2000,
            "ge",
        ),
        ("failed requests", "0", sum(r["failed"] for r in runs) if runs else None, 0, "eq"),
    ]
    results = []
    for label, target, value, bound, op in checks:
        met = None
        if value is not None:
            met = {"ge": value >= bound, "lt": value < bound, "eq": value == bound}[op]
        results.append({"target": label, "wanted": target, "measured": value, "met": met})
    return results


def markdown_extra(results: dict) -> str:
    lines = ["## Targets", "", "| target | wanted | measured | met |", "|---|---|---:|---|"]
    for check in results["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[check["met"]]
        measured = check["measured"]
        shown = f"{measured:,.2f}" if isinstance(measured, float) else measured
        shown = "–" if measured is None else shown
        lines.append(f"| {check['target']} | {check['wanted']} | {shown} | {met} |")
    lines += ["", "## Ratios", "", "| what | ratio | from |", "|---|---:|---|"]
    for found in results["ratios"]:
        lines.append(f"| {found['what']} | {found['value']:.2f} | {found['detail']} |")
    if results.get("wire"):
        lines += [
            "",
            "## Bytes on the wire (body)",
            "",
            "| page | plain | gzip | brotli | brotli / plain |",
            "|---|---:|---:|---:|---:|",
        ]
        for page, size in results["wire"].items():
            lines.append(
                f"| {page} | {size['identity']:,} | {size['gzip']:,} | {size['br']:,} | "
                f"{size['br'] / size['identity']:.2f} |"
            )
    if results.get("cpu"):
        lines += [
            "",
            "## CPU per page in-process (ms, production settings, no server)",
            "",
            "| page | page cache off | no cache at all | cache on |",
            "|---|---:|---:|---:|",
        ]
        for page, cpu in results["cpu"].items():
            lines.append(
                f"| {page} | {cpu['cache_off_ms']} | {cpu.get('no_cache_ms', '')} | "
                f"{cpu['cache_on_ms']} |"
            )
    lines += [
        "",
        "## Queries per page",
        "",
        "| page | page cache off | page cache on, miss | page cache on, hit |",
    ]
    lines.append("|---|---:|---:|---:|")
    for page, count in results["queries"].items():
        lines.append(f"| {page} | {count['cache_off']} | {count['miss']} | {count['hit']} |")
    if results.get("import"):
        imp = results["import"]
        lines += [
            "",
            "## Import and fixtures",
            "",
            f"- `import_articles` on {imp['pages']} generated pages: {imp['import_seconds']} s, "
            f"**{imp['pages_per_second']} pages/s** ({imp['rail_links']} rail entries linked)",
            f"- CPU during the import: this process {imp.get('python_cpu_seconds')} s, its "
            f"PostgreSQL server process {imp.get('postgres_cpu_seconds')} s",
            f"- `loaddata seed`: {imp['seed_fixture_seconds']} s",
            f"- `loaddata` of those {imp['pages']} imported articles "
            f"({imp['imported_fixture_objects']} objects): {imp['imported_fixture_seconds']} s",
        ]
    lines += ["", "## Peak memory (VmHWM)", "", "| workers | cache | master MiB | worker MiB |"]
    lines.append("|---:|---|---:|---:|")
    for row in results["memory"]:
        lines.append(
            f"| {row['workers']} | {row['cache']} | {row['master_peak_mib']} | "
            f"{row['worker_peak_mib']} |"
        )
    if results["notes"]:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in results["notes"]]
    return "\n".join(lines) + "\n"


def versions(plan: Plan) -> dict:
    import django
    from django.db import connection

    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": f"{connection.vendor} {connection.Database.__name__}",
        "cpus": os.cpu_count(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "newsroom": plan.sizes.__dict__,
        "load": (
            f"{plan.concurrency} keep-alive connections from {plan.processes} client processes, "
            f"{plan.warmup:g} s warm-up then {plan.duration:g} s measured per page"
        ),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            meta["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
    try:
        import redis

        meta["redis"] = redis.Redis.from_url(plan.redis_url).info("server")["redis_version"]
    except Exception:  # noqa: BLE001 - informational only
        meta["redis"] = "unreachable"
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--database-url", help=f"default {DEFAULT_POSTGRES} or a SQLite file")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=200)
    parser.add_argument("--tags", type=int, default=500)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reseed", action="store_true", help="rebuild the newsroom")
    parser.add_argument("--workers", default="1,2", help="gunicorn worker counts (default 1,2)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="load-generating processes")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--pages", default=",".join(p.name for p in PAGES))
    parser.add_argument("--import-pages", type=int, default=1000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS_DIR)
    parser.add_argument("--name", default="results", help="file name of the results")
    parser.add_argument(
        "--peer",
        type=Path,
        default=os.environ.get("BENCH_PEER") or None,
        help="folder of a Wagtail peer site's run.sh, to compare the uncached article with",
    )
    parser.add_argument("--peer-port", type=int, default=8101)
    parser.add_argument(
        "--sqlite-search",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure search on the SQLite build too (default: when the database is PostgreSQL)",
    )
    args = parser.parse_args(argv)

    database_url = args.database_url or (
        DEFAULT_POSTGRES if args.database == "postgres" else databases.sqlite_url("newsroom_bench")
    )
    plan = Plan(
        database_url=database_url,
        redis_url=args.redis_url,
        sizes=Sizes(args.articles, args.authors, args.sections, args.tags, args.seed),
        workers=[int(w) for w in args.workers.split(",")],
        duration=args.duration,
        warmup=args.warmup,
        concurrency=args.concurrency,
        processes=args.processes,
        port=args.port,
        pages=args.pages.split(","),
        import_pages=args.import_pages,
        results_dir=args.results,
        peer=args.peer,
        peer_port=args.peer_port,
        sqlite_search=(
            args.sqlite_search if args.sqlite_search is not None else args.database == "postgres"
        )
        and "search" in args.pages.split(","),
    )
    plan.notes.append(
        "The load generator runs on the same machine as the server and competes with it for "
        f"the {os.cpu_count()} cores, so server throughput is understated."
    )
    built = prepare_database(plan, args.reseed)
    meta = versions(plan)
    urls, sample = sample_urls(plan)
    counts = count_queries(urls)
    say(f"queries per page: {counts}")
    cpu = cpu_profile(plan, urls)
    say(f"CPU per page in-process: {cpu}")
    runs, memory, imported, sizes, peer = [], [], None, {}, None
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        if not args.skip_load:
            runs, memory, sizes = load_runs(plan, urls, counts, Path(scratch))
            if plan.sqlite_search:
                runs += sqlite_search_runs(plan, Path(scratch))
            if plan.peer:
                peer = peer_comparison(plan, Path(scratch))
                say(f"peer: {peer['mean']}, ratio {peer['ratio']}")
        if not args.skip_import:
            imported = import_run(plan, Path(scratch))
            say(f"import: {imported}")
    results = {
        "title": "Newsroom benchmark",
        "meta": {**meta, "built": built},
        "runs": runs,
        "queries": counts,
        "import": imported,
        "memory": memory,
        "wire": sizes,
        "cpu": cpu,
        "peer": peer,
        "notes": plan.notes,
    }
    if not plan.peer:
        plan.notes.append("No peer site given (--peer): the uncached article was not compared.")
    results["ratios"] = ratios(runs, peer)
    results["targets"] = check_targets(runs, imported, results["ratios"])
    json_path, md_path = write_results(results, plan.results_dir, args.name)
    with md_path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + markdown_extra(results))
    say(f"results: {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
