"""Many rows in few statements, the fastest way each database takes them.

For bulk writes that send no model signals (an import batch, the webhook outbox it fills): the
caller has validated the values and tells the page cache itself. PostgreSQL takes new rows by
COPY, with their ids reserved from the table's sequence first, so no row needs the SQL, the
placeholders and the quoting that an ``INSERT`` of thousands of values costs in Python. Other
databases get Django's ``bulk_create`` or ``INSERT ... VALUES`` in chunks.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models, transaction

SQLITE_CHUNK = 2000  # rows per statement: well under SQLite's limit on bound parameters


def insert_objects(objects: Sequence[models.Model]) -> None:
    """Insert unsaved model instances of one model, setting their primary keys, like
    ``bulk_create``: defaults and ``auto_now`` values are filled in, no signal is sent."""
    if not objects:
        return
    model = type(objects[0])
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects)
        return
    meta = model._meta
    # As bulk_create does: the database computes generated fields.
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    for instance in objects:
        # As bulk_create does: a related object saved after it was assigned gives its key now.
        instance._prepare_related_fields_for_save(operation_name="insert_objects")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
    rows = [
        (
            instance.pk,
            *(
                field.get_db_prep_save(field.pre_save(instance, True), connection)
                for field in fields
            ),
        )
        for instance in objects
    ]
    insert_rows(model, (meta.pk.column, *(field.column for field in fields)), rows)
    for instance in objects:
        instance._state.adding = False
        instance._state.db = connection.alias


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert plain rows of ``columns``, values as the database stores them: for thousands of
    rows (a batch's rail entries) building a model instance for each would cost the most."""
    if not rows:
        return
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor != "postgresql":
        with_values(f"INSERT INTO {table} ({names}) {{values}}", rows, types=())
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def with_values(sql: str, rows: list[tuple], *, types: Sequence[str]) -> list[tuple]:
    """Run ``sql`` with ``rows`` as a table of columns column1, column2... in place of
    ``{values}``; return what the statements return.

    PostgreSQL gets each column as one array (``unnest``, of the given ``types``): a statement
    of a few parameters, where thousands of ``VALUES`` placeholders cost more to build and parse
    than the query takes. SQLite gets ``VALUES (...), (...)`` in chunks.
    """
    found: list[tuple] = []
    if not rows:
        return found
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f"column{n}" for n in range(1, len(types) + 1))
            arrays = ", ".join(f"%s::{type_}[]" for type_ in types)
            cursor.execute(
                sql.format(values=f"SELECT * FROM unnest({arrays}) AS rows ({names})"),
                [list(column) for column in zip(*rows, strict=True)],
            )
            return cursor.fetchall() if cursor.description else found
        for start in range(0, len(rows), SQLITE_CHUNK):
            part = rows[start : start + SQLITE_CHUNK]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(part[0])) + ")"] * len(part))
            cursor.execute(
                sql.format(values=f"VALUES {placeholders}"),
                [value for row in part for value in row],
            )
            if cursor.description:
                found += cursor.fetchall()
    return found
