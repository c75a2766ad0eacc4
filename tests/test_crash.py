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

from fiscaldoc.faults import CRASH_ENV
from tests.test_cli import ENV, ROOT, fiscaldoc
from tests.truth import SEED
from warehouse import schema
from warehouse.load import engine_url

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


def killed_ingest(inbox: Path, url: str, crash: str) -> int:
    """An ingest that SIGKILLs itself at ``crash``; its helpers (Prefect's server) die with it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fiscaldoc", "ingest", str(inbox), "--warehouse", url],
        cwd=ROOT,
        env={**ENV, "PYTHONPATH": str(ROOT), CRASH_ENV: crash},
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


@pytest.mark.parametrize(
    ("backend", "crashes"),
    [
        # Killed inside the first document's transaction (its row and plans written, not
        # committed); the re-run killed right after its second commit; then a full re-run.
        ("duckdb", ("in-transaction:2", "after-commit:2")),
        ("postgresql", ("in-transaction:9",)),  # inside the second document
    ],
)
def test_kill_then_rerun_equals_clean_run(
    tmp_path: Path,
    inbox: Path,
    clean: Snapshot,
    backend: str,
    crashes: tuple[str, ...],
    request: pytest.FixtureRequest,
) -> None:
    url = (
        request.getfixturevalue("postgres_url")
        if backend == "postgresql"
        else f"duckdb:///{tmp_path / 'w.duckdb'}"
    )
    present: set[str] = set()
    for crash in crashes:
        assert killed_ingest(inbox, url, crash) == -signal.SIGKILL
        present = assert_whole(url, clean)

    rerun = fiscaldoc("ingest", str(inbox), "--warehouse", url)
    assert rerun.returncode == 1, rerun.stderr[-2000:]
    assert f"{len(present)} already in the warehouse" in rerun.stdout
    assert snapshot(url) == clean
