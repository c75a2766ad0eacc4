"""One measurement in its own process: ``python -m bench.measure MODE CORPUS [N]``.

Prints one JSON line: pages, seconds (from the process' first line, so imports
and start-up count), peak RSS (this process' or its largest child's) and, for
fiscaldoc modes, item F1.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _pdfs(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.pdf"))


def _documents(corpus: Path) -> list[Path]:
    """Every file of the corpus fiscaldoc reads (PDFs, DOCX, text dumps)."""
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.name != "truth.json")


def _pdf_pages(corpus: Path) -> int:
    return sum(d["pages"] for d in _truth(corpus) if d["file"].endswith(".pdf"))


def _truth(corpus: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    return data


def _pages(corpus: Path) -> int:
    return sum(d["pages"] for d in _truth(corpus))


def _score(corpus: Path, got: list[Any]) -> dict[str, float]:
    from bench.score import f1, truth_keys

    return f1(got, truth_keys(_truth(corpus)))


def _record_keys(name: str, records: Any) -> list[Any]:
    from bench.score import item_key

    return [
        item_key(name, i.seq, i.recipient, i.project, i.amount_yuan, i.note) for i in records.allocation_items
    ]


def pdfplumber_tables(corpus: Path, _: str) -> dict[str, Any]:
    import pdfplumber

    for path in _pdfs(corpus):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.close()
    return {"pages": _pdf_pages(corpus), "documents": len(_pdfs(corpus))}


def pypdfium2_text(corpus: Path, _: str) -> dict[str, Any]:
    import pypdfium2

    for path in _pdfs(corpus):
        pdf = pypdfium2.PdfDocument(path)
        for page in pdf:
            text = page.get_textpage()
            text.get_text_range()
            text.close()
            page.close()
        pdf.close()
    return {"pages": _pdf_pages(corpus), "documents": len(_pdfs(corpus))}


def camelot_lattice(corpus: Path, sample: str) -> dict[str, Any]:
    """Camelot is slow: a sample of pages spread over the corpus (``sample`` pages)."""
    import camelot

    wanted = int(sample or 20)
    docs = _truth(corpus)
    picks: list[tuple[str, int]] = []
    step = max(1, sum(d["pages"] for d in docs) // wanted)
    n = 0
    for d in docs:
        for page in range(1, d["pages"] + 1):
            if n % step == 0 and len(picks) < wanted:
                picks.append((d["file"], page))
            n += 1
    for file, page in picks:
        camelot.read_pdf(str(corpus / file), pages=str(page), flavor="lattice")
    return {"pages": len(picks)}


def fiscaldoc_library(corpus: Path, _: str) -> dict[str, Any]:
    """extract → normalise, in this process, no checks, no warehouse, no Prefect."""
    from fiscaldoc.extractors import extract
    from fiscaldoc.normalizers import normalize

    got: list[Any] = []
    for path in _documents(corpus):
        got += _record_keys(path.name, normalize(extract(path), path.name))
    return {"pages": _pages(corpus), "documents": len(_documents(corpus)), **_score(corpus, got)}


def fiscaldoc_workers(corpus: Path, workers: str) -> dict[str, Any]:
    """The whole pipeline (extract → normalise → check) per document in fiscaldoc's isolation
    workers, ``workers`` at a time, largest first, as the flow runs them; no Prefect, no
    warehouse: how the pipeline itself scales with worker processes."""
    from concurrent.futures import ThreadPoolExecutor

    from fiscaldoc.flows.isolation import process_isolated, warm_up
    from fiscaldoc.model.settings import Settings

    settings = Settings()
    warm_up(int(workers))
    paths = sorted(_documents(corpus), key=lambda p: p.stat().st_size, reverse=True)
    got: list[Any] = []
    with ThreadPoolExecutor(int(workers)) as pool:
        results = pool.map(lambda p: process_isolated(p, p.name, settings), paths)
        for path, result in zip(paths, results, strict=True):
            got += _record_keys(path.name, result.records)  # the result itself is let go
    from fiscaldoc.flows.isolation import CPU

    return {"pages": _pages(corpus), "documents": len(paths), "cpu_s": CPU.snapshot(), **_score(corpus, got)}


def fiscaldoc_reference(corpus: Path, _: str) -> dict[str, Any]:
    """extract → normalise with pdfplumber on every page (no pdfium fast path): the reading the
    fast path must match, for F1 and speed side by side."""
    from fiscaldoc.extractors.pdf import extract_careful
    from fiscaldoc.normalizers import normalize

    got: list[Any] = []
    for path in _pdfs(corpus):
        got += _record_keys(path.name, normalize(extract_careful(path), path.name))
    return {"pages": _pages(corpus), **_score(corpus, got)}


def fiscaldoc_load(corpus: Path, folder: str) -> dict[str, Any]:
    """pipeline.process then the warehouse load, one document at a time, no Prefect."""
    from fiscaldoc.pipeline.process import process
    from fiscaldoc.warehouse.load import Warehouse

    db = Path(folder or corpus) / "bench-load.duckdb"
    db.unlink(missing_ok=True)
    warehouse = Warehouse(f"duckdb:///{db}")
    got: list[Any] = []
    try:
        for path in _pdfs(corpus):
            result = process(path)
            warehouse.load([result])
            got += _record_keys(path.name, result.records)
            del result
    finally:
        warehouse.dispose()
        db.unlink(missing_ok=True)
    return {"pages": _pages(corpus), **_score(corpus, got)}


def fiscaldoc_cli(corpus: Path, workers: str) -> dict[str, Any]:
    """``fiscaldoc ingest`` as a user runs it (Prefect, checks, a fresh DuckDB), with
    ``--workers N`` when given; F1 is read back from the warehouse, CPU seconds per stage
    from the run's summary (:mod:`bench.ingest_stats`)."""
    import subprocess
    import tempfile

    import duckdb

    from bench.score import item_key

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        stats = Path(folder) / "summary.json"
        command = [sys.executable, "-m", "bench.ingest_stats", str(stats), str(corpus)]
        command += ["--warehouse", f"duckdb:///{db}"] + (["--workers", workers] if workers else [])
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"fiscaldoc ingest failed ({done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(stats.read_text(encoding="utf-8"))
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute(
                "SELECT d.file_name, i.seq, i.recipient, i.project, i.amount_yuan, i.note "
                "FROM allocation_items i JOIN allocation_plans p USING (plan_id) "
                "JOIN documents d ON d.document_id = p.document_id"
            ).fetchall()
    return {
        "pages": _pages(corpus),
        "documents": summary["processed"],
        "cpu_s": summary["cpu_s"],
        "ingest_cpu_s": summary["ingest_cpu_s"],
        "server_cpu_s": summary["server_cpu_s"],
        "stderr": done.stderr[-2000:],
        **_score(corpus, [item_key(*r) for r in rows]),
    }


def peak_rss_mb() -> float:
    """This process' peak RSS (VmHWM: counted from exec, unlike ru_maxrss, which inherits the
    launching process' peak across fork+exec) or its largest worker's, whichever is higher."""
    import resource

    status = Path("/proc/self/status").read_text()
    hwm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(hwm_kb, children_kb) / 1024


MODES: dict[str, Callable[[Path, str], dict[str, Any]]] = {
    "cli": fiscaldoc_cli,
    "library": fiscaldoc_library,
    "workers": fiscaldoc_workers,
    "load": fiscaldoc_load,
    "reference": fiscaldoc_reference,
    "pdfplumber": pdfplumber_tables,
    "camelot": camelot_lattice,
    "pypdfium2": pypdfium2_text,
}


def _adopt_orphans() -> None:
    """Become the subreaper of everything started from here (Linux), so that the CPU time of
    every process of a run (a forkserver's workers, Prefect's server) reaches the benchmark
    through this process' waited-for children."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap() -> None:
    """Wait for every orphan adopted (the forkserver outlives the command by a moment)."""
    import os

    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def main() -> None:
    _adopt_orphans()
    mode, corpus = sys.argv[1], Path(sys.argv[2])
    arg = sys.argv[3] if len(sys.argv) > 3 else ""
    result = MODES[mode](corpus, arg)
    result["seconds"] = time.perf_counter() - T0
    _reap()
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
