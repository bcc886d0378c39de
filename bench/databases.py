"""Creating and dropping the benchmark's own databases (never the site's)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DATA_DIR = Path(__file__).resolve().parent / ".data"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def sqlite_url(name: str) -> str:
    DATA_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{DATA_DIR / (name + '.sqlite3')}"


def name_of(url: str) -> str:
    """The database's name: PostgreSQL's database, or the SQLite file's stem."""
    path = urlsplit(url).path
    return path.lstrip("/") if is_postgres(url) else Path(path).stem


def with_database(url: str, name: str) -> str:
    """The same PostgreSQL server, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg

    return psycopg.connect(
        with_database(url, "postgres").replace("postgresql://", "postgres://"), autocommit=True
    )


def recreate(url: str) -> None:
    """An empty database at ``url`` (PostgreSQL database or SQLite file)."""
    if is_postgres(url):
        name = urlsplit(url).path.lstrip("/")
        if not (name.startswith("newsroom_bench") or name.endswith("_bench")):
            raise ValueError(
                f"refusing to drop {name!r}: benchmark databases are newsroom_bench* or *_bench"
            )
        with _admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def exists(url: str) -> bool:
    if is_postgres(url):
        name = urlsplit(url).path.lstrip("/")
        with _admin_connection(url) as connection:
            row = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        return row is not None
    return Path(urlsplit(url).path).is_file()
