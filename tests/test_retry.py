"""Transient warehouse failures are waited out with backoff; permanent ones fail at once.

All against the real databases: a DuckDB file held by another process, a
PostgreSQL connection killed under the loader, real duplicate-key errors.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import Warehouse, engine_url
from fiscaldoc.warehouse.retry import (
    MAX_CONFLICT_RETRIES,
    WarehouseBusy,
    is_transient,
    kind,
    retry_condition,
    with_retry,
)

from helpers.truth import SEED
from helpers.warehouse_state import SEED_TEXT, counts, duplicates


def _hold(db: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process that opens the DuckDB file (so locks it) for ``seconds``."""
    script = (
        f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep({seconds})"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    return holder


@pytest.mark.slow
def test_a_locked_duckdb_is_waited_for(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "w.duckdb"
    url = f"duckdb:///{db}"
    holder = _hold(db, 2.5)
    with pytest.raises(
        WarehouseBusy, match=r"still busy after 0.3 s: another process \(PID \d+\) has the DuckDB file open"
    ):
        Warehouse(url, wait_s=0.3, backoff_s=0.1)
    caplog.set_level(logging.WARNING, "fiscaldoc.warehouse")
    started = time.monotonic()
    wh = Warehouse(url, wait_s=60, backoff_s=0.2)  # waits for the holder to let go
    waited = time.monotonic() - started
    holder.wait()
    assert waited > 1.0
    assert "has the DuckDB file open; trying again in" in caplog.text
    wh.load([process(SEED / SEED_TEXT)])
    assert counts(url)["documents"] == 1
    wh.dispose()


def test_a_dropped_postgresql_connection_is_recovered(postgres_url: str) -> None:
    result = process(SEED / SEED_TEXT)
    wh = Warehouse(postgres_url, backoff_s=0.1)
    wh.load([result])
    name = postgres_url.rsplit("/", 1)[1]

    def kill_connections() -> None:
        with psycopg.connect(postgres_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )

    kill_connections()
    wh.load([result])  # the pool's dead connection is noticed and replaced
    assert counts(postgres_url)["documents"] == 1

    # Without a pre-ping the error reaches us: it is classed as transient, retried, and passes.
    raw = sa.create_engine(engine_url(postgres_url))
    with raw.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    kill_connections()
    with pytest.raises(sa.exc.DBAPIError) as dropped, raw.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert kind(dropped.value) == "connection"
    assert with_retry(lambda: _select_one(raw), url=postgres_url, wait_s=10, backoff_s=0.1) == 1
    raw.dispose()
    wh.dispose()


def _select_one(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT 1")).scalar_one())


def test_duplicate_key_race_is_retried_but_a_bad_document_is_not(postgres_url: str) -> None:
    wh = Warehouse(postgres_url, backoff_s=0.05)
    result = process(SEED / SEED_TEXT)
    row = result.document.row()
    insert = sa.insert(schema.documents).values(**row)
    wh.load([result])
    tries = []

    def insert_once_the_other_is_gone() -> None:
        tries.append(1)
        with wh.transaction() as conn:
            if len(tries) == 2:  # the concurrent writer's row is gone by the second try
                conn.execute(sa.delete(schema.documents))
            conn.execute(insert)

    with_retry(insert_once_the_other_is_gone, url=postgres_url, wait_s=10, backoff_s=0.05)
    assert len(tries) == 2

    tries.clear()

    def always_duplicate() -> None:
        tries.append(1)
        with wh.transaction() as conn:
            conn.execute(insert)

    with pytest.raises(sa.exc.IntegrityError) as permanent:
        with_retry(always_duplicate, url=postgres_url, wait_s=60, backoff_s=0.05)
    assert len(tries) == MAX_CONFLICT_RETRIES  # gives up quickly: not a race but the rows themselves

    # A document whose rows break the schema is no transient failure: Prefect won't retry it.
    with pytest.raises(sa.exc.DBAPIError) as bad, wh.transaction() as conn:
        conn.execute(sa.text("SELECT CAST('not a number' AS NUMERIC)"))
    assert not is_transient(bad.value)
    assert is_transient(permanent.value)  # the duplicate key on its own looks like a race
    wh.dispose()


def test_concurrent_loads_of_one_document_leave_it_once(postgres_url: str) -> None:
    """Two writers replacing the same document over and over: no error, no duplicate."""
    result = process(SEED / SEED_TEXT)
    Warehouse(postgres_url).dispose()
    errors: list[BaseException] = []

    def writer() -> None:
        wh = Warehouse(postgres_url, backoff_s=0.05)
        try:
            for _ in range(8):
                wh.load([result])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            wh.dispose()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts(postgres_url)["check_results"] == len(result.check_results)
    assert not any(duplicates(postgres_url).values())


class _State:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def result(self) -> None:
        raise self.exc


def test_prefect_retries_only_transient_errors() -> None:
    locked = sa.exc.OperationalError(
        "connect", {}, Exception('IO Error: Could not set lock on file "w.duckdb"')
    )
    assert retry_condition(None, None, _State(locked))
    assert retry_condition(None, None, _State(WarehouseBusy("still busy")))
    assert not retry_condition(None, None, _State(ValueError("bad document")))
    assert not retry_condition(None, None, _State(sa.exc.DataError("insert", {}, Exception("bad value"))))
