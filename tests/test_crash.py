"""Crash safety: ``kill -9`` of an ingest at exact moments, then a re-run, yields exactly the
warehouse of an uninterrupted run; after the kill, every document present is whole."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import engine_url

from helpers.cli import ENV, ROOT, fiscaldoc
from helpers.truth import SEED

pytestmark = pytest.mark.slow  # real ingests end to end: the full suite's, not the fast tier's

Snapshot = dict[str, dict[str, list[tuple[object, ...]]]]
"""table → document_id → sorted rows (``ingested_at`` left out)."""


def snapshot(url: str) -> Snapshot:
    engine = create_engine(engine_url(url))
    out: Snapshot = {}
    try:
        with engine.connect() as conn:
            for name, table in schema.metadata.tables.items():
                columns = [c for c in table.c if c.name != "ingested_at"]
                by_doc: dict[str, list[tuple[object, ...]]] = defaultdict(list)
                for row in conn.execute(select(*columns)):
                    values = row._mapping
                    owner = values.get("document_id") or str(values.get("plan_id") or values["form_id"])
                    by_doc[owner.split(":")[0]].append(tuple(row))
                out[name] = {doc: sorted(rows, key=repr) for doc, rows in by_doc.items()}
    finally:
        engine.dispose()
    return out


def make_inbox(root: Path) -> Path:
    inbox = root / "inbox"
    inbox.mkdir()
    seed = SEED / "000_4ea89972e077d80e.txt"
    shutil.copy(seed, inbox / seed.name)
    (inbox / "gb18030.txt").write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    (inbox / "notes.txt").write_text("会议纪要\n无表格内容\n", encoding="utf-8")
    (inbox / "truncated.pdf").write_bytes((SEED / "seed-ruled.pdf").read_bytes()[:5000])
    return inbox


def killed_ingest(inbox: Path, url: str, crash: str, batch: int = 1) -> int:
    """An ingest that SIGKILLs itself at ``crash``, loading ``batch`` documents per transaction;
    its helpers (Prefect's server) die with it. One worker, so documents arrive in the planned
    order (largest first) and the Nth insert falls in the same document every time."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fiscaldoc", "ingest", str(inbox), "--warehouse", url, "--workers", "1"],
        cwd=ROOT,
        env={**ENV, "FISCALDOC_TEST_CRASH": crash, "FISCALDOC_LOAD_BATCH": str(batch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One inbox for every run, so ``source_uri`` is the same in all warehouses."""
    return make_inbox(tmp_path_factory.mktemp("crash"))


@pytest.fixture(scope="module")
def clean(inbox: Path) -> Snapshot:
    url = f"duckdb:///{inbox.parent / 'clean.duckdb'}"
    assert fiscaldoc("ingest", str(inbox), "--warehouse", url).returncode == 1
    return snapshot(url)


def assert_whole(url: str, clean: Snapshot) -> set[str]:
    """After a kill: some documents are missing, and every one present has exactly its rows."""
    after_kill = snapshot(url)
    present = set(after_kill["documents"])
    assert present < set(clean["documents"])
    for table, rows in after_kill.items():
        assert rows == {doc: clean[table][doc] for doc in present if doc in clean[table]}, table
    return present


def test_kill_then_rerun_equals_clean_run(tmp_path: Path, inbox: Path, clean: Snapshot) -> None:
    """DuckDB, end to end, one document per transaction: killed inside the second document's
    transaction (the first one committed); the re-run killed right after its first commit;
    then a full re-run."""
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    present: set[str] = set()
    for crash in ("in-transaction:9", "after-commit:1"):
        assert killed_ingest(inbox, url, crash) == -signal.SIGKILL
        present = assert_whole(url, clean)
    assert len(present) == 2

    rerun = fiscaldoc("ingest", str(inbox), "--warehouse", url)
    assert rerun.returncode == 1, rerun.stderr[-2000:]
    assert "2 already in the warehouse" in rerun.stdout
    assert snapshot(url) == clean


def test_kill_inside_a_batch_leaves_none_of_it(tmp_path: Path, inbox: Path, clean: Snapshot) -> None:
    """Documents loaded together commit together: killed between two inserts of the batch,
    the warehouse holds none of its documents; a re-run gives the clean run's rows."""
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    assert killed_ingest(inbox, url, "in-transaction:3", batch=32) == -signal.SIGKILL
    assert assert_whole(url, clean) == set()
    rerun = fiscaldoc("ingest", str(inbox), "--warehouse", url)
    assert rerun.returncode == 1, rerun.stderr[-2000:]
    assert snapshot(url) == clean


LOAD_SCRIPT = """
import sys
from pathlib import Path
from fiscaldoc.model.settings import Settings
from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse.load import Warehouse

settings = Settings.resolve()
files = sorted(p for p in Path(sys.argv[1]).iterdir())
Warehouse(sys.argv[2], crash=settings.test_crash).load([process(p) for p in files])
"""


def test_loader_killed_mid_transaction(inbox: Path, clean: Snapshot, warehouse_url: str) -> None:
    """Both backends, the loader alone: SIGKILL between two inserts of one document's
    transaction leaves none of it; loading again gives the clean run's rows."""
    run = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, str(inbox), warehouse_url],
        cwd=ROOT,
        env={**ENV, "FISCALDOC_TEST_CRASH": "in-transaction:10"},
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    assert len(assert_whole(warehouse_url, clean)) == 1

    again = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, str(inbox), warehouse_url],
        cwd=ROOT,
        env={**ENV},
        capture_output=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert snapshot(warehouse_url) == clean
