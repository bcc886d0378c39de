"""Newsroom's uncached article beside a Wagtail site's article, like for like, alternately.

    python -m bench.run --peer DIR          # DIR holds the peer's run.sh

The peer is a Wagtail news site serving the same two seed pages (its ``run.sh [WORKERS]``
starts gunicorn on ``$PORT``, prints the pid on stdout and the article's URL on stderr, and
makes its own virtual environment and data outside this project). Both run one sync gunicorn
worker on SQLite with ``DEBUG`` off; Newsroom with its page cache off (the peer has none) and
its default file cache on, as a crawler's visit to the long tail meets it, on the same seed
article. The two are measured in turns with the same load generator, and the
ratio of the means is what is reported, never a figure from another run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import databases
from bench.loadgen import run_load
from bench.server import PROJECT_DIR, Gunicorn

STOP_TIMEOUT_S = 30.0


def seeded_sqlite(env: dict[str, str]) -> str:
    """A SQLite database holding the seed articles alone, as `make run` makes it."""
    url = databases.sqlite_url("newsroom_peer")
    databases.recreate(url)
    for command in (["migrate", "--noinput", "-v0"], ["seed_site"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=PROJECT_DIR,
            env={**os.environ, **env, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
    return url


class PeerSite:
    """The peer's gunicorn, started by its own run.sh and stopped by its pid."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = Path(directory), port
        self.pid: int | None = None
        self.article_url = ""

    def __enter__(self) -> PeerSite:
        started = subprocess.run(
            ["./run.sh", "1"],
            cwd=self.directory,
            env={**os.environ, "PORT": str(self.port)},
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode != 0:
            raise RuntimeError(f"the peer did not start:\n{started.stderr[-2000:]}")
        self.pid = int(started.stdout.strip().splitlines()[-1])
        found = re.search(r"article:\s+(\S+)", started.stderr)
        if not found:
            raise RuntimeError(f"the peer named no article:\n{started.stderr[-2000:]}")
        self.article_url = found.group(1)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def compare_with_peer(
    peer_dir: Path,
    *,
    port: int,
    peer_port: int,
    env: dict[str, str],
    scratch: Path,
    rounds: int,
    **load,
) -> dict:
    """Alternate Newsroom's and the peer's article ``rounds`` times each; the mean ratio."""
    database_url = seeded_sqlite(env)
    # The page cache off (the peer has none), the cache itself on: the default file cache, in a
    # folder of this run's own so that nothing from another run is in it.
    server_env = {
        **env,
        "DATABASE_URL": database_url,
        "CACHE_URL": f"file://{scratch / 'peer-cache'}",
        "PAGE_CACHE_SECONDS": "0",
    }
    results = {"newsroom": [], "peer": []}
    with PeerSite(peer_dir, peer_port) as peer:
        slug = peer.article_url.rstrip("/").rsplit("/", 1)[-1]
        with Gunicorn(
            host="127.0.0.1", port=port, workers=1, env=server_env, log=scratch / "peer-run.log"
        ) as newsroom:
            ours = f"{newsroom.base_url}/news/{slug}/"
            for _ in range(rounds):
                for name, url in (("newsroom", ours), ("peer", peer.article_url)):
                    result = run_load(url, **load)
                    if result.failed:
                        raise RuntimeError(f"{url}: {result.failed} requests failed")
                    results[name].append(
                        {"rps": result.rps, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms}
                    )

    def mean(name, key):
        return round(sum(r[key] for r in results[name]) / len(results[name]), 2)

    summary = {
        name: {key: mean(name, key) for key in ("rps", "p50_ms", "p99_ms")} for name in results
    }
    return {
        "article": slug,
        "rounds": results,
        "mean": summary,
        "ratio": round(summary["newsroom"]["rps"] / summary["peer"]["rps"], 2),
    }
