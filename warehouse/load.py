"""The warehouse: create on first use, look up what is known, replace a document atomically."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from fiscaldoc.records import DocumentResult
from warehouse import DEFAULT_URL as DEFAULT_URL  # re-exported: callers import it from here too
from warehouse import schema


def engine_url(url: str) -> str:
    """Accept the contract's plain ``postgresql://`` and pick the installed psycopg 3 driver."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Known:
    pipeline_version: str
    status: str
    source_uri: str


class Warehouse:
    """A handle on one warehouse. ``load`` is the only writer of document rows."""

    def __init__(self, url: str = DEFAULT_URL, *, retries: int = 5, backoff_s: float = 0.5) -> None:
        self.url = url
        self.retries = retries
        self.backoff_s = backoff_s
        self.engine: Engine = create_engine(engine_url(url), future=True)
        self._with_retry(lambda: schema.metadata.create_all(self.engine))
        from warehouse.views import create_views

        self._with_retry(lambda: create_views(self.engine))

    def _with_retry(self, action: Any) -> Any:
        """Retry transient failures (a locked DuckDB file, a dropped connection) with backoff."""
        for attempt in range(self.retries + 1):
            try:
                return action()
            except (OperationalError, DBAPIError) as exc:
                transient = (
                    isinstance(exc, OperationalError)
                    or exc.connection_invalidated
                    or "lock" in str(exc).lower()
                )
                if attempt == self.retries or not transient:
                    raise
                time.sleep(self.backoff_s * 2**attempt)
        return None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def known(self) -> dict[str, Known]:
        """Documents already in the warehouse: id → (version, status, source)."""
        t = schema.documents
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.document_id, t.c.pipeline_version, t.c.status, t.c.source_uri))
            return {r[0]: Known(r[1], r[2], r[3]) for r in rows}

    def touch_source(self, document_id: str, source_uri: str, file_name: str) -> None:
        """A known file seen under a new path: remember the latest path, add no rows."""
        t = schema.documents
        with self.transaction() as conn:
            conn.execute(
                update(t)
                .where(t.c.document_id == document_id)
                .values(source_uri=source_uri, file_name=file_name)
            )

    def load(self, results: Iterable[DocumentResult]) -> int:
        """Replace each document's rows in its own transaction; returns documents written."""
        count = 0
        for result in results:
            self._with_retry(lambda r=result: self._replace(r))
            count += 1
        return count

    def _replace(self, result: DocumentResult) -> None:
        document_id = result.document.document_id
        with self.transaction() as conn:
            _delete_document(conn, document_id)
            for name, records in result.tables().items():
                if records:
                    table = schema.metadata.tables[name]
                    conn.execute(table.insert(), [r.row() for r in records])

    def dispose(self) -> None:
        self.engine.dispose()


def _delete_document(conn: Connection, document_id: str) -> None:
    for child, fk, parent in schema.CHILD_TABLES.values():
        parent_key = parent.c[fk]
        owned = select(parent_key).where(parent.c.document_id == document_id)
        conn.execute(delete(child).where(child.c[fk].in_(owned)))
    for table in schema.DOCUMENT_TABLES:
        conn.execute(delete(table).where(table.c.document_id == document_id))


def open_warehouse(url: str = DEFAULT_URL) -> Warehouse:
    return Warehouse(url)
