"""Isolation: a worker that hangs, crashes or explodes fails only its own document."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscaldoc.flows import isolation
from fiscaldoc.flows.isolation import failed, process_isolated, run_isolated
from fiscaldoc.model.records import DocumentResult
from fiscaldoc.model.settings import Settings, WorkerLimits
from fiscaldoc.pipeline.process import process

from helpers.truth import SEED

TEXT_SEED = SEED / "000_4ea89972e077d80e.txt"


# Workers: importable by name, so the forkserver child can run them.
def hang(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    while True:
        time.sleep(1)


def segfault(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    ctypes.string_at(0)
    raise AssertionError("unreachable")


def sudden_exit(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    os._exit(3)


def allocate(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def hoard(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    """Memory really used: every page written (a zeroed ``bytearray`` may stay unmapped)."""
    kept = []
    while True:
        kept.append(b"x" * (16 << 20))
        time.sleep(0.005)


def bug(path: Path, document_id: str, source: str | None = None, _: object = None) -> DocumentResult:
    raise KeyError("no such column")


def abort(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    os.kill(os.getpid(), signal.SIGABRT)
    raise AssertionError("unreachable")


def hang_and_tell(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    path.with_suffix(".pid").write_text(str(os.getpid()))
    return hang(path, document_id)


def whoami(
    path: Path, document_id: str, source_uri: str | None = None, limits: object = None
) -> DocumentResult:
    return failed(path, document_id, f"pid {os.getpid()}", source_uri)


def _worker_pid(path: Path, settings: WorkerLimits) -> int:
    error = run_isolated(whoami, path, "c" * 64, settings).document.error
    assert error and error.startswith("pid "), error
    return int(error.split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.slow
def test_worker_dies_with_a_killed_ingest(tmp_path: Path) -> None:
    path = tmp_path / "stuck.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from test_isolation import hang_and_tell;"
            "from fiscaldoc.flows.isolation import run_isolated;"
            "from fiscaldoc.model.settings import WorkerLimits;"
            "run_isolated(hang_and_tell, Path(sys.argv[1]), 'd' * 64, WorkerLimits(600, None))",
            str(path),
        ],
        cwd=Path(__file__).resolve().parent,
    )
    pid_file = path.with_suffix(".pid")
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    worker = int(pid_file.read_text())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "the worker outlived its killed ingest"


def test_isolated_result_equals_in_process() -> None:
    digest = "a" * 64
    direct = process(TEXT_SEED, digest)
    for _ in range(2):  # a fresh worker, then the same worker again
        isolated = process_isolated(TEXT_SEED, digest, Settings(worker=WorkerLimits(60, 1024)))
        assert isolated.document.status == "loaded"
        assert isolated.records == direct.records
        assert isolated.check_results == direct.check_results


@pytest.mark.parametrize(
    ("fn", "reason"),
    [
        (hang, "timed out after 2 s"),
        (segfault, "extractor crashed (signal 11, SIGSEGV)"),
        (sudden_exit, "exited with code 3"),
        (allocate, "exceeded 512 MB memory limit"),
        (abort, "extractor crashed (signal 6, SIGABRT)"),
        (bug, "could not process: KeyError: 'no such column'"),
    ],
    ids=["hang", "segfault", "exit", "memory", "abort", "bug"],
)
def test_worker_failure_is_a_failed_row(tmp_path: Path, fn: object, reason: str) -> None:
    path = tmp_path / "bad name 附件.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    started = time.monotonic()
    result = run_isolated(fn, path, "b" * 64, WorkerLimits(timeout_s=2, memory_mb=512))  # type: ignore[arg-type]
    assert time.monotonic() - started < 10
    doc = result.document
    assert doc.status == "failed" and doc.error and reason in doc.error, doc.error
    assert "\n" not in doc.error
    assert doc.file_name == path.name and doc.media_type == "pdf" and doc.document_id == "b" * 64


def test_resident_memory_over_the_ceiling_is_a_failed_row(tmp_path: Path) -> None:
    """The ceiling is on what the worker really holds (measured), far below its address space."""
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    limits = WorkerLimits(timeout_s=30, memory_mb=4096, rss_mb=300)
    started = time.monotonic()
    result = run_isolated(hoard, path, "c" * 64, limits)  # type: ignore[arg-type]
    assert time.monotonic() - started < 20
    doc = result.document
    assert doc.status == "failed" and doc.error == "exceeded 300 MB resident memory (FISCALDOC_WORKER_RSS_MB)"
    # An ordinary document under the same ceiling is read as usual, by a fresh worker.
    seed = SEED / "000_4ea89972e077d80e.txt"
    assert run_isolated(process, seed, "d" * 64, limits).document.status == "loaded"


def test_a_worker_reads_document_after_document(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    settings = WorkerLimits(timeout_s=30, memory_mb=1024)
    first = _worker_pid(path, settings)
    assert _worker_pid(path, settings) == first, "a worker that gave a result takes the next document"
    assert _worker_pid(path, WorkerLimits(timeout_s=30, memory_mb=768)) != first, "other limits"
    # A failure retires its worker; the next document gets a fresh one and is read as usual.
    assert "could not process" in (run_isolated(bug, path, "b" * 64, settings).document.error or "")
    after_bug = _worker_pid(path, settings)
    assert after_bug != first and not _alive(first)
    assert "timed out" in (run_isolated(hang, path, "b" * 64, WorkerLimits(1, 1024)).document.error or "")
    assert _worker_pid(path, settings) == after_bug


def test_workers_are_recycled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    settings = WorkerLimits(timeout_s=30, memory_mb=1000)
    monkeypatch.setattr(isolation, "RECYCLE_AFTER_DOCUMENTS", 2)
    pids = [_worker_pid(path, settings) for _ in range(4)]
    assert pids[0] == pids[1] != pids[2] == pids[3]
    assert not _alive(pids[0]), "a retired worker is gone, not left idle"
    monkeypatch.setattr(isolation, "RECYCLE_RSS_MB", 1)  # any worker holds more than 1 MB
    assert len({_worker_pid(path, settings) for _ in range(2)}) == 2


def test_bad_limits_are_bad_usage(tmp_path: Path) -> None:
    from helpers.cli import ENV, ROOT, fiscaldoc

    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    assert fiscaldoc("ingest", str(path), "--timeout", "-1").returncode == 2
    bad_env = subprocess.run(
        [
            sys.executable,
            "-m",
            "fiscaldoc",
            "ingest",
            str(path),
            "--warehouse",
            f"duckdb:///{tmp_path / 'w.db'}",
        ],
        cwd=ROOT,
        env={**ENV, "FISCALDOC_MEMORY_MB": "lots"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad_env.returncode == 2 and "FISCALDOC_MEMORY_MB must be a whole number" in bad_env.stderr
    assert "Traceback" not in bad_env.stderr
