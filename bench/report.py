"""Benchmark result files and process memory readings.

`write_results` stores a benchmark run twice: as JSON, with every field, for
later comparison, and as a Markdown table of the headline numbers, for
reading. A results dict looks like

    {
        "title": "Article pages, gunicorn sync workers",   # optional
        "meta": {"python": "3.11.7", "database": "postgres"},  # optional
        "runs": [result_row(page="detail", cache="warm", workers=4, load=..., ...), ...],
    }

`peak_rss_mib` reads peak resident memory from /proc, so it works on Linux only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bench.loadgen import LoadResult

DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results"

# (key in a run dict, Markdown column heading)
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("page", "page"),
    ("cache", "cache"),
    ("workers", "workers"),
    ("concurrency", "concurrency"),
    ("rps", "req/s"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("failed", "failed"),
    ("queries_per_page", "queries/page"),
)
MISSING = "–"


def result_row(
    *,
    page: str,
    cache: str,
    workers: int,
    load: LoadResult,
    queries_per_page: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One run as a flat dict: the table columns plus the full load result."""
    if cache not in ("cold", "warm"):
        raise ValueError(f"cache must be 'cold' or 'warm', got {cache!r}")
    return {
        "page": page,
        "cache": cache,
        "workers": workers,
        "queries_per_page": queries_per_page,
        **load.to_dict(),
        **extra,
    }


def _format_cell(key: str, value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if key == "rps":
            return f"{value:,.1f}"
        if key.endswith("_ms"):
            return f"{value:.2f}"
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    return str(value).replace("|", "\\|")  # a stray pipe would split the cell


def markdown_table(runs: Iterable[Mapping[str, Any]]) -> str:
    header = "| " + " | ".join(heading for _, heading in TABLE_COLUMNS) + " |"
    # Right-align the numeric columns so figures line up when rendered.
    rule = "|" + "|".join("---" if key in ("page", "cache") else "---:" for key, _ in TABLE_COLUMNS)
    lines = [header, rule + "|"]
    for run in runs:
        cells = (_format_cell(key, run.get(key)) for key, _ in TABLE_COLUMNS)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(results: Mapping[str, Any]) -> str:
    parts = [f"# {results.get('title', 'Benchmark results')}", ""]
    meta = results.get("meta") or {}
    if meta:
        parts += [f"- {key}: {value}" for key, value in meta.items()]
        parts.append("")
    parts += [markdown_table(results.get("runs", [])), ""]
    return "\n".join(parts)


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in results JSON")


def write_results(
    results: dict[str, Any],
    directory: Path | str = DEFAULT_RESULTS_DIR,
    name: str = "results",
) -> tuple[Path, Path]:
    """Write `<name>.json` and `<name>.md` into `directory`; return both paths."""
    if not isinstance(results.get("runs", []), list):
        raise ValueError("results['runs'] must be a list of run dicts")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    json_path = target / f"{name}.json"
    markdown_path = target / f"{name}.md"
    json_path.write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=_json_default) + "\n",
        encoding="utf-8",
    )
    markdown_path.write_text(render_markdown(results), encoding="utf-8")
    return json_path, markdown_path


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # "VmHWM:   123456 kB"
    return 0  # kernel threads and zombies report no memory


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue  # exited while we were looking
        # The command name is in parentheses and may itself contain spaces or
        # parentheses, so split after the last ")": "pid (comm) state ppid ...".
        fields = stat.rpartition(")")[2].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return sorted(found)


def peak_rss_by_pid(pid: int, include_children: bool = True) -> dict[int, float]:
    """Peak resident memory (VmHWM) in MiB of `pid` and, optionally, all its descendants."""
    peaks = {pid: _peak_rss_kib(pid) / 1024}  # let a missing root process raise
    if include_children:
        for child in _descendants(pid):
            try:
                peaks[child] = _peak_rss_kib(child) / 1024
            except (FileNotFoundError, ProcessLookupError):
                continue  # a worker that exited between listing and reading
    return peaks


def peak_rss_mib(pid: int, include_children: bool = True) -> float:
    """Sum of the peak resident memory of `pid` and its descendants, in MiB.

    Read it before stopping the server: the numbers disappear with the
    processes. Each process's peak includes pages it shares with the others
    (e.g. code loaded by a gunicorn master before forking), so the sum is an
    upper bound; `peak_rss_by_pid` gives the per-process figures.
    """
    return round(sum(peak_rss_by_pid(pid, include_children).values()), 1)
