"""fiscaldoc against the parsers it stands on, one table from one run.

    .venv/bin/python bench/run.py [--docs 200] [--max-pages 80] [--camelot-pages 20]

Generates (once, cached under bench/corpora/) a corpus of allocation-table
PDFs, ruled and borderless, with ground truth, then runs every measurement in
a fresh process and reads that process' peak RSS (its VmHWM, or its largest
child's: for ``fiscaldoc ingest`` the CLI, Prefect's server or a document's
worker). Times include each process' imports and start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import build, build_typical  # noqa: E402
from fiscaldoc.flows.runners import default_workers  # noqa: E402

CACHE = ROOT / "bench" / "corpora"  # git-ignored; not hidden, as discovery skips dot-folders


def measure(mode: str, corpus: Path, arg: str = "") -> dict[str, Any]:
    import psutil

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONWARNINGS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.measure", mode, str(corpus), arg],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    tree_peak = [0.0]
    done = threading.Event()

    def poll() -> None:
        """The whole process tree's RSS (workers, forkserver, Prefect's server) every 20 ms."""
        root = psutil.Process(proc.pid)
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
            except psutil.Error:
                return
            tree_peak[0] = max(tree_peak[0], total / (1 << 20))
            done.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    poller.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed with exit status {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["tree_rss_mb"] = tree_peak[0]
    # CPU seconds of the whole tree: bench.measure adopts and waits for every process started
    # under it (a forkserver's workers, Prefect's server), so all of it reaches wait4.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        choices=("typical", "mixed", "long"),
        default="typical",
        help="typical: text-layer PDFs as attachments come (mostly 1-5 pages, one long in 50); "
        "mixed: the same with DOCX and text dumps; long: 1 to --max-pages pages each",
    )
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--max-pages", type=int, default=80)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--camelot-pages", type=int, default=20, help="pages sampled for camelot (slow)")
    parser.add_argument("--skip", nargs="*", default=[], help="rows to leave out: flow camelot …")
    parser.add_argument(
        "--memory-pages",
        type=int,
        default=0,
        help="also ingest one PDF of this many pages through the flow and report its peak RSS",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    if args.corpus == "long":
        corpus = build(CACHE, args.docs, args.max_pages, args.seed)
    else:
        corpus = build_typical(CACHE, args.docs, args.seed, mixed=args.corpus == "mixed")
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    pages = sum(d["pages"] for d in truth)
    console.print(
        f"corpus {corpus.relative_to(ROOT)}: {len(truth)} PDFs, {pages} pages, "
        f"{sum(len(d['items']) for d in truth)} items; load average {os.getloadavg()[0]:.2f}"
    )
    plan = [
        ("workers1", "fiscaldoc ingest --workers 1 (Prefect → DuckDB)", "cli", "1"),
        ("workers2", "fiscaldoc ingest --workers 2", "cli", "2"),
        ("pipeline1", "fiscaldoc pipeline, 1 worker process (no Prefect, no warehouse)", "workers", "1"),
        ("pipeline2", "fiscaldoc pipeline, 2 worker processes", "workers", "2"),
        ("library", "fiscaldoc extract+normalise (library, 1 process)", "library", ""),
        ("reference", "  same, pdfplumber only (no fast path)", "reference", ""),
        ("pdfplumber", "pdfplumber extract_tables", "pdfplumber", ""),
        (
            "camelot",
            f"camelot lattice ({args.camelot_pages}-p sample)",
            "camelot",
            str(args.camelot_pages),
        ),
        ("pypdfium2", "pypdfium2 text", "pypdfium2", ""),
    ]
    if default_workers() not in (1, 2):
        plan.insert(0, ("flow", f"fiscaldoc ingest (default: {default_workers()} workers)", "cli", ""))
    plan = [(name, label, mode, arg, corpus) for name, label, mode, arg in plan]
    if args.memory_pages:
        long_doc = build(CACHE, 1, args.memory_pages, args.seed, exact=True)
        plan.append(("memory", f"fiscaldoc ingest, one {args.memory_pages}-page PDF", "cli", "", long_doc))
    results: dict[str, dict[str, Any]] = {}
    for name, label, mode, arg, folder in plan:
        if name in args.skip or mode in args.skip:
            continue
        console.print(f"[dim]measuring {label}…[/dim]")
        started = time.perf_counter()
        results[name] = {"label": label, **measure(mode, folder, arg)}
        results[name]["wall"] = time.perf_counter() - started

    base = results.get("pdfplumber")
    base_rate = base["pages"] / base["seconds"] if base else None
    base_cpu_rate = base["pages"] / base["cpu"] if base else None
    layouts = Counter(d.get("layout", "ruled") for d in truth)
    kinds = ", ".join(f"{n} {layout}" for layout, n in sorted(layouts.items()))
    table = Table(title=f"{pages} pages in {len(truth)} files ({kinds}) — one run, {os.cpu_count()} CPUs")
    columns = ("engine", "pages", "wall s", "pages/s", "docs/s", "× pdfpl.", "CPU s", "× pdfpl. (CPU)")
    for col in (*columns, "peak RSS MB", "tree RSS MB", "item F1"):
        table.add_column(col, justify="left" if col == "engine" else "right")
    for r in results.values():
        rate = r["pages"] / r["seconds"]
        cpu_rate = r["pages"] / r["cpu"] if r["cpu"] else None
        r["pages_per_s"], r["pages_per_cpu_s"] = rate, cpu_rate
        documents = r.get("documents")
        table.add_row(
            r["label"],
            str(r["pages"]),
            f"{r['seconds']:.1f}",
            f"{rate:.1f}",
            f"{documents / r['seconds']:.1f}" if documents else "—",
            f"{rate / base_rate:.2f}" if base_rate else "—",
            f"{r['cpu']:.1f}" if r["cpu"] else "—",
            f"{cpu_rate / base_cpu_rate:.2f}" if cpu_rate and base_cpu_rate else "—",
            f"{r['rss_mb']:.0f}",
            f"{r['tree_rss_mb']:.0f}",
            f"{r['f1']:.4f}" if "f1" in r else "—",
        )
    console.print(table)
    stages = Table(title="CPU seconds per stage (orchestration: all the rest — Prefect, imports, planning)")
    for col in ("engine", "extract", "normalise", "check", "load", "orchestration", "total"):
        stages.add_column(col, justify="left" if col == "engine" else "right")
    for r in results.values():
        if "cpu_s" in r:
            spent = {k: r["cpu_s"].get(k, 0.0) for k in ("extract", "normalise", "check", "load")}
            rest = r["cpu"] - sum(spent.values())
            stages.add_row(r["label"], *(f"{v:.1f}" for v in (*spent.values(), rest, r["cpu"])))
    console.print(stages)
    for one, two, what in (
        ("workers1", "workers2", "end to end"),
        ("pipeline1", "pipeline2", "pipeline only"),
    ):
        if one in results and two in results:
            speedup = results[one]["seconds"] / results[two]["seconds"]
            console.print(f"2 workers vs 1 worker, {what}: {speedup:.2f}× (same corpus, same run)")
    console.print(
        f"load average at the end {os.getloadavg()[0]:.2f} (other work on this machine skews absolute times)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
