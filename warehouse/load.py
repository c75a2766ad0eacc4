"""The warehouse: create on first use, look up what is known, replace a document atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, delete, func, select, update

from fiscaldoc.model.records import DocumentResult
from fiscaldoc.warehouse import DEFAULT_URL as DEFAULT_URL  # re-exported: callers import it from here too
from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.bulk import insert_rows
from fiscaldoc.warehouse.faults import CrashPoints
from fiscaldoc.warehouse.retry import with_retry

SCHEMA_LOCK = 0x66697363616C  # any constant: serialises concurrent schema creation on PostgreSQL

T = TypeVar("T")


def engine_url(url: str) -> str:
    """Accept the contract's plain ``postgresql://`` and pick the installed psycopg 3 driver."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    engine = create_engine(engine_url(url), pool_pre_ping=True)
    if engine.dialect.name == "duckdb":
        # duckdb-engine declares no native decimal, so SQLAlchemy would send and read money
        # as floats (999999999999999999.99 → 1e18); DuckDB's driver takes Decimal as is.
        engine.dialect.supports_native_decimal = True
    return engine


@dataclass(frozen=True)
class Known:
    pipeline_version: str
    status: str
    source_uri: str


class Warehouse:
    """A handle on one warehouse. ``load`` is the only writer of document rows.

    On DuckDB the handle keeps the file open (and so locked against other
    processes) until :meth:`dispose`: a second ingest started meanwhile waits in
    the constructor, then finds the first one's documents and skips them.
    Transient errors (that lock, a dropped PostgreSQL connection, a concurrent
    writer's duplicate key) are retried with backoff for up to ``wait_s`` seconds.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        wait_s: float = 600.0,
        backoff_s: float = 0.5,
        crash: str | None = None,
    ) -> None:
        self.url = url
        self.wait_s = wait_s
        self.backoff_s = backoff_s
        self.crash = CrashPoints(crash)
        self.engine = make_engine(url)
        self._with_retry(self._create)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _create(self) -> None:
        from fiscaldoc.warehouse.views import create_views

        with self.transaction() as conn:
            if self.is_postgresql:  # two ingests creating the same tables at once
                conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))
            schema.metadata.create_all(conn)
            add_missing_columns(conn)
            create_views(conn)

    def _with_retry(self, action: Callable[[], T]) -> T:
        return with_retry(action, url=self.url, wait_s=self.wait_s, backoff_s=self.backoff_s)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def known(self) -> dict[str, Known]:
        """Documents already in the warehouse: id → (version, status, source)."""
        t = schema.documents

        def read() -> dict[str, Known]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.c.document_id, t.c.pipeline_version, t.c.status, t.c.source_uri))
                return {r[0]: Known(r[1], r[2], r[3]) for r in rows}

        return self._with_retry(read)

    def touch_source(self, document_id: str, source_uri: str, file_name: str) -> None:
        """A known file seen under a new path: remember the latest path, add no rows."""
        t = schema.documents

        def write() -> None:
            with self.transaction() as conn:
                conn.execute(
                    update(t)
                    .where(t.c.document_id == document_id)
                    .values(source_uri=source_uri, file_name=file_name)
                )

        self._with_retry(write)

    def load(self, results: Iterable[DocumentResult]) -> int:
        """Replace each document's rows in its own transaction; returns documents written."""
        count = 0
        for result in results:
            self.load_together([result])
            count += 1
        return count

    def load_together(self, results: Sequence[DocumentResult]) -> None:
        """Replace the rows of all ``results`` in one transaction: one delete and one insert per
        table for the lot, since per-statement costs dominate small documents. All or none
        of them are written."""
        if results:
            self._with_retry(partial(self._replace, results))
            self.crash.reached("after-commit")

    def _replace(self, results: Sequence[DocumentResult]) -> None:
        ids = sorted({r.document.document_id for r in results})
        rows: dict[str, list[dict[str, Any]]] = {}
        for result in results:
            for name, records in result.tables().items():
                rows.setdefault(name, []).extend(r.row() for r in records)
        with self.transaction() as conn:
            if self.is_postgresql:
                # Two ingests replacing the same document: one after the other. Sorted, so two
                # batches sharing documents take their locks in one order (no deadlock).
                for document_id in ids:
                    conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(document_id, 0))))
            _delete_documents(conn, ids)
            for name, table_rows in rows.items():  # tables() lists parents before children
                if table_rows:
                    insert_rows(conn, schema.metadata.tables[name], table_rows)
                    self.crash.reached("in-transaction")

    def dispose(self) -> None:
        self.engine.dispose()


def add_missing_columns(conn: Connection) -> None:
    """A warehouse made by an earlier version gets the columns the contract has gained since
    (only ever nullable additions), so its old rows stay and new ones load."""
    from sqlalchemy import column as column_clause
    from sqlalchemy import table as table_clause

    # information_schema answers on both backends (duckdb-engine's inspector does not).
    columns = table_clause(
        "columns",
        column_clause("table_schema"),
        column_clause("table_name"),
        column_clause("column_name"),
        schema="information_schema",
    )
    found = conn.execute(
        select(columns.c.table_name, columns.c.column_name).where(
            columns.c.table_schema == func.current_schema()
        )
    )
    present_by_table: dict[str, set[str]] = {}
    for table_name, column_name in found:
        present_by_table.setdefault(table_name, set()).add(column_name)
    for table in schema.metadata.sorted_tables:
        present = present_by_table.get(table.name, set())
        for col in table.columns:
            if col.name not in present:
                assert col.nullable, f"{table.name}.{col.name}: the contract only adds nullable columns"
                conn.execute(schema.AddColumn(table, col))


def _delete_documents(conn: Connection, document_ids: list[str]) -> None:
    for child, fk, parent in schema.CHILD_TABLES.values():
        parent_key = parent.c[fk]
        owned = select(parent_key).where(parent.c.document_id.in_(document_ids))
        conn.execute(delete(child).where(child.c[fk].in_(owned)))
    for table in schema.DOCUMENT_TABLES:
        conn.execute(delete(table).where(table.c.document_id.in_(document_ids)))


def open_warehouse(url: str = DEFAULT_URL) -> Warehouse:
    return Warehouse(url)
