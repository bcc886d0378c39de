"""HTTP load driver for benchmarking a server running on this machine.

Worker threads send keep-alive GET requests to one loopback URL for a fixed
time and the results are merged into a `LoadResult`: request and failure
counts, requests per second, latency percentiles and a status-code histogram.
One CPython process cannot saturate a fast server because of the GIL, so the
threads can be spread over several processes (`processes=N`); their raw
latencies are merged before percentiles are taken.

    python -m bench.loadgen --url http://127.0.0.1:8000/ --concurrency 8 --duration 10
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import multiprocessing
import queue
import random
import socket
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import urlsplit

# Hard limits, so that a typo cannot turn a benchmark into an hour-long flood.
MAX_REQUESTS = 2_000_000
MAX_DURATION_S = 600.0
MAX_CONCURRENCY = 1024
MAX_PROCESSES = 64

DEFAULT_TIMEOUT_S = 10.0
# After a failed request, pause briefly so a dead server does not turn every
# worker into a busy loop of refused connections.
ERROR_BACKOFF_S = 0.01
# Time allowed for worker processes to start (imports, spawn) before giving up.
PROCESS_STARTUP_TIMEOUT_S = 60.0

REQUEST_HEADERS = {"User-Agent": "bench-loadgen/1", "Accept": "text/html,*/*"}

_IPV4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_IPV6_LOOPBACK = ipaddress.ip_address("::1")


class LoopbackOnlyError(ValueError):
    """The URL points somewhere other than this machine's loopback interface."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str  # path and query string, as sent on the request line
    # More paths on the same server, requested in turn with ``path`` (a search's queries).
    more_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    url: str
    concurrency: int  # total connections, over all processes
    processes: int
    duration_s: float  # requested measurement window
    warmup_s: float
    elapsed_s: float  # measured window (shorter than duration_s only when capped)
    requests: int  # requests started in the measurement window (including failures)
    failed: int  # non-2xx/3xx responses plus requests that raised
    rps: float
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes_received: int
    status_counts: dict[str, int] = field(default_factory=dict)
    error_counts: dict[str, int] = field(default_factory=dict)  # exception name -> count
    capped: bool = False  # stopped early because the request cap was reached

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.status_counts.items()))
        errors = ", ".join(f"{name}: {n}" for name, n in sorted(self.error_counts.items()))
        lines = [
            f"{self.url}  concurrency={self.concurrency} processes={self.processes}",
            f"  requests {self.requests} in {self.elapsed_s:.2f}s = {self.rps:.1f} req/s"
            f"  (failed {self.failed}{', capped' if self.capped else ''})",
            f"  latency ms: mean {self.mean_ms:.2f}  p50 {self.p50_ms:.2f}  p90 {self.p90_ms:.2f}"
            f"  p99 {self.p99_ms:.2f}  max {self.max_ms:.2f}",
            f"  statuses: {statuses or 'none'}",
        ]
        if errors:
            lines.append(f"  errors: {errors}")
        return "\n".join(lines)


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.version == 4:
        return address in _IPV4_LOOPBACK
    return address == _IPV6_LOOPBACK


def parse_target(url: str) -> Target:
    """Split `url` into connection details, refusing anything not on loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise ValueError(f"only http:// URLs are supported, got {url!r}")
    host = parts.hostname
    if not host or not is_loopback_host(host):
        raise LoopbackOnlyError(
            f"refusing to send load to {host or url!r}: "
            "only 127.0.0.0/8, localhost and ::1 are allowed"
        )
    if host.lower() == "localhost":
        # "localhost" comes from the resolver; make sure it really is loopback here.
        resolved = {info[4][0] for info in socket.getaddrinfo(host, None)}
        if not all(is_loopback_host(address.split("%")[0]) for address in resolved):
            raise LoopbackOnlyError(f"localhost resolves to non-loopback addresses: {resolved}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(host=host, port=parts.port or 80, path=path)


@dataclass
class _Schedule:
    """Shared clock for one process's workers; filled in just before they start."""

    measure_start: float = 0.0
    end: float = 0.0


@dataclass
class _WorkerStats:
    latencies: array = field(default_factory=lambda: array("d"))  # seconds, responses only
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    failed: int = 0
    bytes_received: int = 0
    last_finish: float = 0.0
    capped: bool = False


@dataclass
class _PartialResult:
    """What one process hands back; raw latencies so percentiles merge exactly."""

    latencies: array
    statuses: Counter[str]
    errors: Counter[str]
    requests: int
    failed: int
    bytes_received: int
    elapsed_s: float
    capped: bool


def _worker(
    target: Target,
    schedule: _Schedule,
    go: threading.Event,
    budget: int,
    timeout: float,
    stats: _WorkerStats,
) -> None:
    go.wait()
    conn: http.client.HTTPConnection | None = None
    sent = 0
    paths = (target.path, *target.more_paths)
    # Each connection starts at its own place in the rotation.
    first = random.randrange(len(paths))
    try:
        while True:
            if sent >= budget:
                stats.capped = True
                break
            started = time.perf_counter()
            if started >= schedule.end:
                break
            measuring = started >= schedule.measure_start
            sent += 1
            if conn is None:
                conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
            try:
                # http.client reopens the socket itself after a "Connection: close"
                # response, so keep-alive is used whenever the server allows it.
                path = paths[(first + sent) % len(paths)]
                conn.request("GET", path, headers=REQUEST_HEADERS)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = None  # reconnect on the next request
                if measuring:
                    stats.requests += 1
                    stats.failed += 1
                    stats.errors[type(exc).__name__] += 1
                    stats.last_finish = time.perf_counter()
                time.sleep(ERROR_BACKOFF_S)
                continue
            finished = time.perf_counter()
            if measuring:
                stats.requests += 1
                stats.latencies.append(finished - started)
                stats.statuses[str(response.status)] += 1
                stats.bytes_received += len(body)
                stats.last_finish = finished
                if not 200 <= response.status < 400:
                    stats.failed += 1
    finally:
        if conn is not None:
            conn.close()


def _run_threads(
    target: Target,
    threads: int,
    duration: float,
    warmup: float,
    budget_per_thread: int,
    timeout: float,
    start_barrier: threading.Barrier | None = None,
) -> _PartialResult:
    schedule = _Schedule()
    go = threading.Event()
    stats = [_WorkerStats() for _ in range(threads)]
    workers = [
        threading.Thread(
            target=_worker,
            args=(target, schedule, go, budget_per_thread, timeout, worker_stats),
            name=f"loadgen-{index}",
            daemon=True,
        )
        for index, worker_stats in enumerate(stats)
    ]
    for worker in workers:
        worker.start()
    if start_barrier is not None:
        # Line up all processes so their measurement windows overlap.
        start_barrier.wait(timeout=PROCESS_STARTUP_TIMEOUT_S)
    schedule.measure_start = time.perf_counter() + warmup
    schedule.end = schedule.measure_start + duration
    go.set()
    for worker in workers:
        worker.join()

    latencies = array("d")
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for worker_stats in stats:
        latencies.extend(worker_stats.latencies)
        statuses.update(worker_stats.statuses)
        errors.update(worker_stats.errors)
    # The window is the configured duration; a run cut short by the request cap
    # ends at its last response instead. Requests still in flight at the end
    # count (they started inside the window) without stretching the window, so
    # one slow straggler cannot deflate the rate of the whole run.
    last_finish = max((s.last_finish for s in stats), default=0.0)
    window_end = min(last_finish, schedule.end) if last_finish else schedule.end
    elapsed = window_end - schedule.measure_start
    return _PartialResult(
        latencies=latencies,
        statuses=statuses,
        errors=errors,
        requests=sum(s.requests for s in stats),
        failed=sum(s.failed for s in stats),
        bytes_received=sum(s.bytes_received for s in stats),
        elapsed_s=max(elapsed, 1e-9),
        capped=any(s.capped for s in stats),
    )


def _process_main(
    index: int,
    results: multiprocessing.Queue,
    start_barrier: threading.Barrier,
    target: Target,
    threads: int,
    duration: float,
    warmup: float,
    budget_per_thread: int,
    timeout: float,
) -> None:
    try:
        partial = _run_threads(
            target, threads, duration, warmup, budget_per_thread, timeout, start_barrier
        )
    except BaseException as exc:  # report any failure instead of leaving the parent waiting
        results.put((index, f"{type(exc).__name__}: {exc}"))
        raise
    results.put((index, partial))


def _run_processes(
    target: Target,
    concurrency: int,
    processes: int,
    duration: float,
    warmup: float,
    budget_per_thread: int,
    timeout: float,
) -> list[_PartialResult]:
    # spawn, not fork: the caller may be a threaded program (a test runner, a
    # server harness) and forking a process with threads is unsafe.
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    barrier = context.Barrier(processes)
    shares = [
        concurrency // processes + (1 if i < concurrency % processes else 0)
        for i in range(processes)
    ]
    children = [
        context.Process(
            target=_process_main,
            args=(
                i,
                results,
                barrier,
                target,
                threads,
                duration,
                warmup,
                budget_per_thread,
                timeout,
            ),
            name=f"loadgen-process-{i}",
            daemon=True,
        )
        for i, threads in enumerate(shares)
    ]
    for child in children:
        child.start()
    deadline = time.monotonic() + PROCESS_STARTUP_TIMEOUT_S + warmup + duration + 4 * timeout
    partials: list[_PartialResult] = []
    failures: list[str] = []
    try:
        # Drain the queue before joining: a child cannot exit while its result
        # is still sitting in the pipe. Poll so that a child which dies without
        # reporting (e.g. while importing) fails the run at once.
        while len(partials) < len(children) and not failures:
            try:
                _, outcome = results.get(timeout=0.5)
            except queue.Empty:
                crashed = [child for child in children if child.exitcode not in (None, 0)]
                if crashed:
                    failures.append(
                        f"{crashed[0].name} exited with code {crashed[0].exitcode}"
                        " before reporting (is the caller's main module import-safe?)"
                    )
                elif time.monotonic() > deadline:
                    failures.append("timed out waiting for a worker process")
                continue
            if isinstance(outcome, _PartialResult):
                partials.append(outcome)
            else:
                failures.append(outcome)
    finally:
        for child in children:
            if failures:
                child.terminate()  # the others may be stuck at the start barrier
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
                child.join()
    if failures:
        raise RuntimeError(f"load worker process failed: {failures[0]}")
    return partials


def _percentile(sorted_values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(math.ceil(percent / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def _merge(
    url: str,
    concurrency: int,
    processes: int,
    duration: float,
    warmup: float,
    partials: Sequence[_PartialResult],
) -> LoadResult:
    latencies = sorted(value for partial in partials for value in partial.latencies)
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for partial in partials:
        statuses.update(partial.statuses)
        errors.update(partial.errors)
    requests = sum(partial.requests for partial in partials)
    # Processes start together (barrier), so the longest window covers them all.
    elapsed = max((partial.elapsed_s for partial in partials), default=duration)
    return LoadResult(
        url=url,
        concurrency=concurrency,
        processes=processes,
        duration_s=duration,
        warmup_s=warmup,
        elapsed_s=round(elapsed, 4),
        requests=requests,
        failed=sum(partial.failed for partial in partials),
        rps=round(requests / elapsed, 2),
        mean_ms=round(1000 * sum(latencies) / len(latencies), 3) if latencies else 0.0,
        p50_ms=round(1000 * _percentile(latencies, 50), 3),
        p90_ms=round(1000 * _percentile(latencies, 90), 3),
        p99_ms=round(1000 * _percentile(latencies, 99), 3),
        max_ms=round(1000 * latencies[-1], 3) if latencies else 0.0,
        bytes_received=sum(partial.bytes_received for partial in partials),
        status_counts=dict(sorted(statuses.items())),
        error_counts=dict(sorted(errors.items())),
        capped=any(partial.capped for partial in partials),
    )


def run_load(
    url: str,
    concurrency: int,
    duration: float,
    warmup: float = 2.0,
    *,
    processes: int = 1,
    max_requests: int = MAX_REQUESTS,
    timeout: float = DEFAULT_TIMEOUT_S,
    more_urls: Sequence[str] = (),
) -> LoadResult:
    """Send GET requests to `url` from `concurrency` keep-alive connections.

    With `more_urls` (on the same host and port), each connection requests `url` and them in
    turn, so that a page with many variants (a search) is not measured on one of them.

    Requests made during the first `warmup` seconds are discarded; the next
    `duration` seconds are measured. `concurrency` is the total number of
    connections, split as evenly as possible over `processes`. No more than
    `max_requests` requests are sent in total, warmup included.
    """
    target = parse_target(url)
    others = [parse_target(other) for other in more_urls]
    if any((other.host, other.port) != (target.host, target.port) for other in others):
        raise ValueError("more_urls must be on the same host and port as url")
    target = replace(target, more_paths=tuple(other.path for other in others))
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not 1 <= processes <= min(MAX_PROCESSES, concurrency):
        raise ValueError(f"processes must be between 1 and min({MAX_PROCESSES}, concurrency)")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"duration must be more than 0 and at most {MAX_DURATION_S:g} seconds")
    if not 0 <= warmup <= MAX_DURATION_S:
        raise ValueError(f"warmup must be between 0 and {MAX_DURATION_S:g} seconds")
    if not 1 <= max_requests <= MAX_REQUESTS:
        raise ValueError(f"max_requests must be between 1 and {MAX_REQUESTS}")
    if timeout <= 0:
        raise ValueError("timeout must be positive")

    # Each thread gets an equal share of the request cap, which keeps the
    # hot loop free of shared counters and locks.
    budget_per_thread = max(max_requests // concurrency, 1)
    if processes == 1:
        partials = [_run_threads(target, concurrency, duration, warmup, budget_per_thread, timeout)]
    else:
        partials = _run_processes(
            target, concurrency, processes, duration, warmup, budget_per_thread, timeout
        )
    return _merge(url, concurrency, processes, duration, warmup, partials)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadgen",
        description="Send keep-alive GET load to a loopback URL; report latency and throughput.",
    )
    parser.add_argument("--url", required=True, help="http:// URL on 127.0.0.0/8, localhost or ::1")
    parser.add_argument("--concurrency", type=int, default=8, help="total connections (default 8)")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="measured seconds (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="client processes sharing the connections, to get past the GIL (default 1)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=MAX_REQUESTS,
        help=f"stop after this many requests in total (default and maximum {MAX_REQUESTS})",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="per-request socket timeout"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        result = run_load(
            args.url,
            args.concurrency,
            args.duration,
            args.warmup,
            processes=args.processes,
            max_requests=args.max_requests,
            timeout=args.timeout,
        )
    except ValueError as exc:  # includes LoopbackOnlyError
        parser.error(str(exc))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    # A run where nothing succeeded is almost certainly a setup problem; make it visible to scripts.
    return 1 if result.requests == result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
