"""Two ``fiscaldoc ingest`` processes started at once over the same folder, on real DuckDB
and real PostgreSQL: both exit 0 and the warehouse holds every row exactly once.

The two processes share the session's Prefect server, as a team's runs would.
DuckDB admits one writing process: the test holds the file itself until both
ingests report that they are waiting, then lets go; one ingests, the other
waits for it and then skips everything. PostgreSQL takes both at once: loads of
the same document are serialised by an advisory lock (and a duplicate-key race
would be retried), so neither surfaces an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.warehouse_state import SEED_TEXT, counts, duplicates, rows_of, seed_inbox, variant

pytestmark = pytest.mark.slow  # real ingests end to end: the full suite's, not the fast tier's

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
BUSY = "busy: another process"


def _start(args: list[str], log: Path, api: str, **env: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "fiscaldoc", *args],
            cwd=ROOT,
            env={**ENV, "PREFECT_API_URL": api, **env},
            stdout=out,
            stderr=out,
        )


def _wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _hold(db: Path) -> subprocess.Popen[bytes]:
    """Another process with the DuckDB file open until its stdin is closed."""
    script = f"import duckdb,sys; c=duckdb.connect({str(db)!r}); print('held', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    return holder


def _expected(inbox: Path) -> dict[str, int]:
    per_file = [rows_of(p) for p in sorted(inbox.iterdir())]
    return {t: sum(f[t] for f in per_file) for t in per_file[0]}


def test_two_ingests_at_once_duckdb(tmp_path: Path, prefect_api_url: str) -> None:
    inbox = seed_inbox(tmp_path / "inbox")
    variant(inbox, 1)
    db = tmp_path / "w.duckdb"
    url = f"duckdb:///{db}"
    holder = _hold(db)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    runs = [_start(["ingest", str(inbox), "--warehouse", url], log, prefect_api_url) for log in logs]
    try:
        _wait_for(lambda: all(BUSY in log.read_text(encoding="utf-8") for log in logs), 120)
    finally:
        holder.communicate(b"")  # release the file
    codes = [run.wait(timeout=180) for run in runs]
    outputs = [log.read_text(encoding="utf-8") for log in logs]
    assert codes == [0, 0], outputs
    assert all("Traceback" not in out for out in outputs), outputs
    assert sorted("3 ingested" in out for out in outputs) == [False, True], outputs
    assert sum("3 already in the warehouse" in out for out in outputs) == 1, outputs
    assert counts(url) == _expected(inbox)
    assert not any(duplicates(url).values())


def test_two_ingests_at_once_postgresql(tmp_path: Path, postgres_url: str, prefect_api_url: str) -> None:
    inbox = seed_inbox(tmp_path / "inbox")
    for n in (1, 2):
        variant(inbox, n)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    runs = [_start(["ingest", str(inbox), "--warehouse", postgres_url], log, prefect_api_url) for log in logs]
    codes = [run.wait(timeout=180) for run in runs]
    outputs = [log.read_text(encoding="utf-8") for log in logs]
    assert codes == [0, 0], outputs
    assert all("Traceback" not in out and "rror" not in out for out in outputs), outputs
    assert counts(postgres_url) == _expected(inbox)
    assert not any(duplicates(postgres_url).values())


def test_a_warehouse_locked_too_long_is_a_clean_failure(tmp_path: Path, prefect_api_url: str) -> None:
    inbox = seed_inbox(tmp_path / "inbox", SEED_TEXT)
    db = tmp_path / "w.duckdb"
    holder = _hold(db)
    try:
        log = tmp_path / "run.log"
        run = _start(
            ["ingest", str(inbox), "--warehouse", f"duckdb:///{db}"],
            log,
            prefect_api_url,
            FISCALDOC_WAREHOUSE_WAIT_S="1",
        )
        assert run.wait(timeout=120) == 1
    finally:
        holder.communicate(b"")
    out = log.read_text(encoding="utf-8")
    assert "Traceback" not in out, out
    assert "error: warehouse" in out and "still busy after 1 s" in out, out
