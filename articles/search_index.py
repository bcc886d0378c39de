"""Each database's own full-text index of the articles, kept by the database itself.

- PostgreSQL: a ``search_document`` tsvector column (headline weight A, dek B, body C, in the
  English configuration) filled by a trigger and GIN-indexed, so a search reads each match's
  vector from its row instead of computing it again for ``ts_rank``. (A trigger rather than a
  generated column, which would forbid later changes to the three columns' types.)
- SQLite: an FTS5 table of headline, dek and the body's plain text, kept by triggers. The body
  is turned into text by ``articles_plain_text``, which ``add_sqlite_functions`` gives every
  connection. Django rebuilds a SQLite table to alter it, which drops its triggers; after every
  ``migrate`` the triggers are checked and, when missing, put back and the index rebuilt.

Triggers, rather than model signals, so that bulk writes, ``update()`` and raw SQL keep the
index in step too. ``articles/search.py`` queries it.
"""

from __future__ import annotations

from articles.sanitize import to_plain_text

SQLITE_TABLE = "articles_article_search"
SQLITE_FUNCTION = "articles_plain_text"

POSTGRES_DOCUMENT = """
    setweight(to_tsvector('english'::regconfig, coalesce({row}.headline, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}.dek, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}.body, '')), 'C')
"""
POSTGRES_INSTALL = [
    "ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_document tsvector",
    "CREATE OR REPLACE FUNCTION articles_article_search_document() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN NEW.search_document := "
    + POSTGRES_DOCUMENT.format(row="NEW")
    + "; RETURN NEW; END $$",
    "CREATE OR REPLACE TRIGGER articles_article_search_document "
    "BEFORE INSERT OR UPDATE OF headline, dek, body ON articles_article "
    "FOR EACH ROW EXECUTE FUNCTION articles_article_search_document()",
    "UPDATE articles_article SET search_document = "
    + POSTGRES_DOCUMENT.format(row="articles_article"),
    "CREATE INDEX IF NOT EXISTS article_search_document_stored "
    "ON articles_article USING gin (search_document)",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS articles_article_search_document ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_document()",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_document",
]

_SQLITE_ROW = (
    f"INSERT INTO {SQLITE_TABLE} (rowid, headline, dek, body) "
    f"VALUES (new.id, new.headline, new.dek, {SQLITE_FUNCTION}(new.body));"
)
SQLITE_TRIGGERS = {
    "articles_article_search_insert": (f"AFTER INSERT ON articles_article BEGIN {_SQLITE_ROW} END"),
    "articles_article_search_update": (
        "AFTER UPDATE OF id, headline, dek, body ON articles_article BEGIN "
        f"DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id; {_SQLITE_ROW} END"
    ),
    "articles_article_search_delete": (
        "AFTER DELETE ON articles_article BEGIN "
        f"DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id; END"
    ),
}


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created``: the function the SQLite index's triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, to_plain_text, deterministic=True)


def install(connection) -> None:
    """Create the index and its triggers where missing, and fill it; safe to run again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_INSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["articles_article"],
            )
            present = {name for (name,) in cursor.fetchall()}
            if present >= set(SQLITE_TRIGGERS):
                return
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(headline, dek, "
                "body, tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, headline, dek, body) "
                f"SELECT id, headline, dek, {SQLITE_FUNCTION}(body) FROM articles_article"
            )
            for name, definition in SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {definition}")


def remove(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_REMOVE:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")


def reinstall_after_migrate(sender, using, plan=None, **kwargs) -> None:
    """``post_migrate``: put back SQLite triggers that rebuilding the table dropped."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    recorder = MigrationRecorder(connection)
    if ("articles", "0017_search_index") in recorder.applied_migrations():
        install(connection)
