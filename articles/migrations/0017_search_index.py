"""The databases' own full-text indexes of the articles (articles/search_index.py).

Replaces 0005's PostgreSQL index on the search expression by a stored, trigger-kept column with
its own index; adds an FTS5 table on SQLite.
"""

from django.db import migrations


def install(apps, schema_editor):
    from articles import search_index

    search_index.install(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_document")


def remove(apps, schema_editor):
    from articles import search_index

    search_index.remove(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX article_search_document ON articles_article USING gin (("
            + search_index.POSTGRES_DOCUMENT.format(row="articles_article")
            + "))"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_seo_and_social")]

    operations = [migrations.RunPython(install, remove)]
