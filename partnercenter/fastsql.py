"""Plain-SQL inserts for the few hot write paths (the ledger, the audit trail).

Django compiles every ORM query afresh, which costs more than the database work for tiny
inserts; this helper builds the INSERT once per model from its own field list and converts
values with each field's own get_db_prep_save, so it stays in step with the models.
"""

from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=32)
def _plan(model):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    return fields, f"INSERT INTO {table} ({columns}) VALUES ", placeholders, f" RETURNING {pk}"


def insert(model, rows):
    """Insert rows (dicts keyed by attname; missing keys take the field default); return their ids."""
    if not rows:
        return []
    fields, head, placeholders, tail = _plan(model)
    params = []
    for row in rows:
        for f in fields:
            value = row[f.attname] if f.attname in row else f.get_default()
            params.append(f.get_db_prep_save(value, connection))
    sql = head + ", ".join([placeholders] * len(rows)) + tail
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]
