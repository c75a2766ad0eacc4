"""Inserting rows on DuckDB exactly, and many at once.

Through duckdb-engine, SQLAlchemy binds a ``Decimal`` as a float (the dialect
has no native decimal): 999999999999999999.99 would arrive as 1e18. And its
``executemany`` binds rows one at a time (about 0.1 ms a row: a 1,300-item
plan takes 150 ms). So on DuckDB rows go in as a registered pandas frame,
scanned in one go: every value is text there (money as its exact decimal
digits) and the ``INSERT … SELECT`` casts each column to its own type, so
nothing passes through a float. Other databases keep ``executemany``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, cast, column, select
from sqlalchemy import table as table_clause

FRAME = "fiscaldoc_rows"
"""The name the frame is registered under, for the length of one insert."""


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``rows`` (dicts keyed by column name) into ``table`` on ``conn``'s transaction."""
    if conn.dialect.name == "duckdb" and rows:
        _insert_frame(conn, table, rows)
    else:
        conn.execute(table.insert(), list(rows))


def as_text(value: Any) -> str | None:
    """A value as the text DuckDB casts back to the column's type exactly."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")  # never exponent notation
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _column_text(rows: Sequence[dict[str, Any]], name: str, python_type: type | None) -> list[str | None]:
    """One column of ``rows`` as :func:`as_text` writes it; text columns are taken as they are."""
    if python_type is str:
        return [r[name] for r in rows]
    return [as_text(r[name]) for r in rows]


def _python_type(column: Any) -> type | None:
    try:
        python_type: type = column.type.python_type
    except NotImplementedError:
        return None
    return python_type


def _insert_frame(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    import pandas as pd

    names = [c.name for c in table.columns if c.name in rows[0]]
    frame = pd.DataFrame(
        {
            name: pd.array(_column_text(rows, name, _python_type(table.c[name])), dtype="string")
            for name in names
        }
    )
    source = table_clause(FRAME, *(column(name) for name in names))
    query = table.insert().from_select(
        names, select(*(cast(source.c[name], table.c[name].type) for name in names))
    )
    duck = conn.connection.driver_connection
    assert duck is not None
    duck.register(FRAME, frame)
    try:
        conn.execute(query)
    except BaseException:
        with suppress(Exception):  # an aborted transaction refuses this too; the next register replaces it
            duck.unregister(FRAME)
        raise
    duck.unregister(FRAME)
