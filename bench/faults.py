"""Load and faults: the real server under steady load while PostgreSQL restarts and Redis dies.

    python -m bench.faults              # about two minutes, loopback only

Everything runs on private servers this script starts and removes again, never on the shared
ones: a PostgreSQL cluster in a temporary directory (port 5440) and a Redis on port 6390. The
site (gunicorn, 2 workers, Redis cache) gets a small synthetic newsroom. Client threads request
a mix of pages (a story, the home and a section page, and home pages 2-30) and record
each answer with its time. Three phases:

1. steady load: no request may fail;
2. PostgreSQL restarted in the middle of the load: requests may fail only between the stop and
   the moment the server accepts connections again (plus a short grace), and must succeed
   afterwards without restarting the site;
3. Redis killed in the middle of the load: no request may fail (the site reads the database),
   then Redis started again.

Writes bench/results/faults.json and faults.md; exits 1 if an expectation is not met.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import parse_target
from bench.report import DEFAULT_RESULTS_DIR
from bench.run import BENCH_SECRET
from bench.server import PROJECT_DIR, Gunicorn

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5440
REDIS_PORT = 6390
SITE_PORT = 8012
CLIENT_THREADS = 4
GRACE_S = 3.0  # after PostgreSQL is back: workers' next requests reconnect


def say(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, **kwargs)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster owned by the postgres user, in a temporary directory."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-faults-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/newsroom_faults"

    def __enter__(self) -> PrivatePostgres:
        as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres",
            capture_output=True,
        )  # fmt: skip
        self.start()
        as_postgres(
            str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-c", "CREATE DATABASE newsroom_faults", capture_output=True,
        )  # fmt: skip
        return self

    def _ctl(self, *args: str) -> None:
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w",
            *args, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def ready(self) -> bool:
        result = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return result.returncode == 0

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-faults-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Timeline:
    """Every answer the clients got: (seconds since start, path, status or error name)."""

    started: float = field(default_factory=time.monotonic)
    answers: list[tuple[float, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, path: str, outcome: str) -> None:
        with self.lock:
            self.answers.append((time.monotonic() - self.started, path, outcome))

    def now(self) -> float:
        return time.monotonic() - self.started

    def between(self, start: float, end: float, site: str) -> list[tuple[float, str, str]]:
        return [a for a in self.answers if start <= a[0] < end and a[1].startswith(site + " ")]


def failed(answer: tuple[float, str, str]) -> bool:
    return not answer[2].isdigit() or not 200 <= int(answer[2]) < 400


def client(
    base_url: str, site: str, paths: list[str], timeline: Timeline, stop: threading.Event
) -> None:
    target = parse_target(base_url)  # refuses anything but loopback
    cycle = itertools.cycle(paths)
    conn = None
    while not stop.is_set():
        path = next(cycle)
        try:
            if conn is None:
                conn = http.client.HTTPConnection(target.host, target.port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            timeline.record(f"{site} {path}", str(response.status))
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as error:
            timeline.record(f"{site} {path}", type(error).__name__)
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
        time.sleep(0.005)  # steady load, not a flood
    if conn is not None:
        conn.close()


def summarise(name: str, site: str, answers: list, expectation: str, ok: bool, **extra) -> dict:
    bad = [a for a in answers if failed(a)]
    statuses: dict[str, int] = {}
    for _, _, outcome in answers:
        statuses[outcome] = statuses.get(outcome, 0) + 1
    return {
        "phase": name,
        "site": site,
        "requests": len(answers),
        "failed": len(bad),
        "statuses": dict(sorted(statuses.items())),
        "expectation": expectation,
        "met": ok,
        **extra,
    }


def setup_site(database_url: str) -> dict[str, str]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article
    from bench.newsroom import Sizes, build

    call_command("migrate", verbosity=0)
    build(Sizes(articles=600, authors=40, sections=6, tags=60, seed=1))
    article = Article.objects.published().select_related("section").first()
    from django.db import connections

    connections.close_all()  # the restart would cut this connection too
    return {"article": article.get_absolute_url(), "section": article.section.get_absolute_url()}


def main() -> int:
    results: list[dict] = []
    with PrivatePostgres(PG_PORT) as postgres, PrivateRedis(REDIS_PORT) as redis:
        say(f"private PostgreSQL on {PG_PORT}, Redis on {REDIS_PORT}; building a newsroom")
        urls = setup_site(postgres.url)
        # Cached pages, and home pages 2-30, each stored only after its first request.
        paths = [urls["article"], "/", urls["section"]] + [f"/?page={n}" for n in range(2, 31)]
        env = {
            "DEBUG": "0",
            "SECRET_KEY": BENCH_SECRET,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": postgres.url,
            "DB_CONNECT_TIMEOUT": "2",
            "CACHE_URL": redis.url,
            "CACHE_RETRY_AFTER": "2",
            "LOG_LEVEL": "ERROR",
            "STATIC_ROOT": str(postgres.dir / "static"),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=PROJECT_DIR,
            env={**os.environ, **env},
            check=True,
        )
        sites = {
            "cache on": ({**env, "CACHE_URL": redis.url}, SITE_PORT),
            "cache off": ({**env, "CACHE_URL": "dummy://"}, SITE_PORT + 1),
        }
        with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
            timeline = Timeline()
            stop = threading.Event()
            threads = []
            for label, (site_env, port) in sites.items():
                log = Path(scratch) / f"gunicorn-{port}.log"
                site = stack.enter_context(
                    Gunicorn(host="127.0.0.1", port=port, workers=2, env=site_env, log=log)
                )
                for i in range(CLIENT_THREADS // 2):
                    rotated = paths[i * 7 :] + paths[: i * 7]
                    threads.append(
                        threading.Thread(
                            target=client,
                            args=(site.base_url, label, rotated, timeline, stop),
                            daemon=True,
                        )
                    )
            for thread in threads:
                thread.start()
            try:
                results += run_phases(timeline, postgres, redis, list(sites))
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=15)
    write(results)
    return 0 if all(result["met"] for result in results) else 1


def run_phases(
    timeline: Timeline, postgres: PrivatePostgres, redis: PrivateRedis, labels: list[str]
) -> list[dict]:
    results = []
    say("phase 1: steady load for 15 s")
    start = timeline.now()
    time.sleep(15)
    for label in labels:
        answers = timeline.between(start, timeline.now(), label)
        results.append(
            summarise(
                "steady load", label, answers, "no request fails", not any(map(failed, answers))
            )
        )

    say("phase 2: PostgreSQL restarted under load")
    before = timeline.now()
    time.sleep(5)
    down = timeline.now()
    postgres.stop()
    time.sleep(3)
    postgres.start()
    while not postgres.ready():
        time.sleep(0.1)
    up = timeline.now()
    time.sleep(12)
    end = timeline.now()
    for label in labels:
        window = timeline.between(before, end, label)
        outside = [a for a in window if not down <= a[0] < up + GRACE_S]
        during = timeline.between(down, up + GRACE_S, label)
        after = timeline.between(up + GRACE_S, end, label)
        first_ok = next(
            (a[0] - up for a in timeline.between(up, end, label) if not failed(a)), None
        )
        results.append(
            summarise(
                "PostgreSQL restart",
                label,
                window,
                f"failures only while it is down (+{GRACE_S:g} s); all succeed afterwards",
                not any(map(failed, outside)) and bool(after),
                down_seconds=round(up - down, 2),
                failed_while_down=sum(map(failed, during)),
                served_while_down=sum(not failed(a) for a in during),
                failed_outside_outage=sum(map(failed, outside)),
                first_success_after_restart_s=round(first_ok, 3) if first_ok is not None else None,
            )
        )

    say("phase 3: Redis killed under load")
    before = timeline.now()
    time.sleep(5)
    killed = timeline.now()
    redis.kill()
    time.sleep(10)
    restarted = timeline.now()
    redis.start()
    time.sleep(8)
    end = timeline.now()
    for label in labels:
        answers = timeline.between(before, end, label)

        def rate(start, stop, label=label):
            return round(len(timeline.between(start, stop, label)) / max(stop - start, 1e-9), 1)

        results.append(
            summarise(
                "Redis killed",
                label,
                answers,
                "no request fails: pages come from the database",
                not any(map(failed, answers)),
                requests_per_second={
                    "before": rate(before, killed),
                    "without_redis": rate(killed, restarted),
                    "after_restart": rate(restarted, end),
                },
            )
        )
    return results


def write(results: list[dict]) -> None:
    DEFAULT_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (DEFAULT_RESULTS_DIR / "faults.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Load and faults",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- two sites on the same private PostgreSQL, each gunicorn with 2 workers: one with the "
        f"Redis cache, one without; {CLIENT_THREADS // 2} client threads each, on loopback",
        "",
        "| phase | site | requests | failed | expectation | met | details |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for r in results:
        details = {
            k: v
            for k, v in r.items()
            if k not in ("phase", "site", "requests", "failed", "expectation", "met")
        }
        shown = "; ".join(f"{k}: {v}" for k, v in details.items()).replace("|", "/")
        lines.append(
            f"| {r['phase']} | {r['site']} | {r['requests']} | {r['failed']} | "
            f"{r['expectation']} | {'yes' if r['met'] else '**no**'} | {shown} |"
        )
    (DEFAULT_RESULTS_DIR / "faults.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
