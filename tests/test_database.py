"""The database connection: a lost connection is replaced without a failed request."""

import pytest
from django.db import close_old_connections, connection


@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_is_replaced_on_the_next_request(client, make_article, settings):
    """After the server drops our connection (a restart), the next request reconnects."""
    if connection.vendor != "postgresql":
        pytest.skip("tests PostgreSQL's connection health checks; SQLite has no server")
    import psycopg

    # A page cache hit makes no query at all: render each time, so the request needs the database.
    settings.PAGE_CACHE_SECONDS = 0
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    backend = connection.connection.info.backend_pid
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    close_old_connections()  # what every request starts with (the test client skips it)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != backend
