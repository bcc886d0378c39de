"""A GIN index on the weighted search document, on PostgreSQL only.

Without it every search computes the text vector of every article. The expression must be the
one articles/search.py queries with, for the default text-search configuration ("english");
a site that sets NEWSROOM_SEARCH_CONFIG to another one needs an index of its own.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "article_search_document"


def search_index() -> GinIndex:
    return GinIndex(
        SearchVector("headline", weight="A", config="english")
        + SearchVector("dek", weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        name=INDEX_NAME,
    )


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), search_index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), search_index())


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_reader_indexes")]

    operations = [migrations.RunPython(add_index, remove_index)]
