"""What a warehouse holds, read back the same way from DuckDB and PostgreSQL.

Helpers for the orchestration tests: row counts, the full contents (minus
``ingested_at``, the one column that differs run to run), duplicate checks,
and seed inboxes with cheap distinct documents.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import engine_url

from helpers.truth import SEED

TABLES = list(schema.metadata.tables)
SEED_TEXT = "000_4ea89972e077d80e.txt"
SEED_PDF = "seed-ruled.pdf"


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(
                    sa.select(sa.func.count()).select_from(schema.metadata.tables[t])
                ).scalar_one()
                for t in TABLES
            }
    finally:
        engine.dispose()


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every contract table, sorted, without ``documents.ingested_at``."""
    engine = sa.create_engine(engine_url(url))
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for name, table in schema.metadata.tables.items():
                columns = [c for c in table.columns if c.name != "ingested_at"]
                rows = [tuple(r) for r in conn.execute(sa.select(*columns))]
                out[name] = sorted(rows, key=repr)
    finally:
        engine.dispose()
    return out


def duplicates(url: str) -> dict[str, int]:
    """Rows that appear more than once, per table (should all be 0)."""
    found = {}
    for name, rows in contents(url).items():
        found[name] = len(rows) - len(set(rows))
    return found


def rows_of(path: Path) -> dict[str, int]:
    """How many rows one document adds to each table."""
    from fiscaldoc.pipeline.process import process

    return {name: len(records) for name, records in process(path).tables().items()}


def seed_inbox(folder: Path, *names: str) -> Path:
    """A folder with copies of seed files (by default the text dump and the ruled PDF)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or (SEED_TEXT, SEED_PDF):
        shutil.copy(SEED / name, folder / name)
    return folder


def variant(folder: Path, n: int, name: str = SEED_TEXT) -> Path:
    """A distinct document with the seed's rows: the same bytes plus ``n`` blank lines."""
    path = folder / f"variant-{n}-{name}"
    path.write_bytes((SEED / name).read_bytes() + b"\n" * n)
    return path
