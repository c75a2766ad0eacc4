"""OCR benchmark: adversarial PDFs scanned (150/200 dpi, skew, noise), read back and scored.

    .venv/bin/python bench/ocr.py [--seed 1] [--count 12] [--dpi 150,200] [--workers 2]
                                  [--formats pdf-lines,pdf-segments,pdf-rects,pdf-borderless]
                                  [--speed-pages 6] [--no-score]

Generates (once; cached in the git-ignored ``bench/corpora/``) an adversarial set of PDFs
with ``fixtures/adversarial``, scans every file with ``fixtures/scanned.py`` at each
resolution (a skew of 0.3-2° either way, grain, dust specks, JPEG), extracts every scan the
way ``fiscaldoc extract`` does (isolated workers, the same settings) and prints the
adversarial scorer's tables (items, indicators, long text, planted inconsistencies caught,
false alarms). Then the speed: pages per second per core, measured as pages over the CPU
time of one single-threaded process OCR-reading ``--speed-pages`` scanned pages (render,
straighten, rules, detection, recognition, page readers), so other work on the machine
does not count against it.

The held-out seed is 20261201: report it, never tune on it. Develop on others.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures"))
sys.path.insert(0, str(ROOT))

from bench.accuracy import CACHE, HELD_OUT_SEED, extract_all, generate  # noqa: E402

DEFAULT_FORMATS = "pdf-lines,pdf-segments,pdf-rects,pdf-borderless"


def scan_folder(source: Path, dpi: int, seed: int) -> Path:
    """Every PDF of ``source`` scanned at ``dpi`` (once; cached), truth beside each."""
    from scanned import Scanner, scan_pdf

    folder = source.with_name(f"{source.name}-scan{dpi}")
    if (folder / ".complete").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 1000 + dpi)
    for n, pdf in enumerate(sorted(source.glob("*.pdf"))):
        scanner = Scanner.drawn(rng, dpi)
        target = folder / pdf.name
        scan_pdf(pdf, target, scanner, seed=seed * 100_000 + n)
        truth_path = pdf.with_name(pdf.name.removesuffix(".pdf") + ".truth.json")
        if truth_path.exists():
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            truth["scanner"] = {"dpi": dpi, "angle": scanner.angle, "grain": round(scanner.grain, 1)}
            (folder / truth_path.name).write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    (folder / ".complete").touch()
    return folder


def speed(folder: Path, pages: int) -> tuple[int, float, float]:
    """(pages read, CPU seconds, wall seconds) for OCR-reading up to ``pages`` pages, one
    process, one thread."""
    import pypdfium2

    from fiscaldoc.extractors import ocr_engine
    from fiscaldoc.extractors.ocr_cells import finish
    from fiscaldoc.extractors.ocr_page import read_pdf_page
    from fiscaldoc.extractors.pdf import read_page
    from fiscaldoc.extractors.pdf_borderless import Carry

    ocr_engine.engine()  # loading the models is once per worker, not per page
    done, cpu, wall = 0, 0.0, 0.0
    for path in sorted(folder.glob("*.pdf")):
        pdf = pypdfium2.PdfDocument(path)
        try:
            for index in range(len(pdf)):
                if done >= pages:
                    return done, cpu, wall
                c0, w0 = time.process_time(), time.perf_counter()
                page = pdf[index]
                scanned = read_pdf_page(page)
                page.close()
                if scanned is not None:
                    blocks, _, _ = read_page(scanned.view, index + 1, Carry())
                    finish(blocks, scanned)
                cpu += time.process_time() - c0
                wall += time.perf_counter() - w0
                done += 1
        finally:
            pdf.close()
    return done, cpu, wall


def realdocs(dpi: int, names: list[str]) -> None:
    """Real disclosures (``fixtures/realdocs``) scanned at ``dpi`` and read back whole (no OCR
    budget), scored against their hand-checked truth like ``tests/test_budget_realdocs.py``."""
    from scanned import Scanner, scan_pdf

    sys.path.insert(0, str(ROOT / "tests"))
    from fiscaldoc.model.settings import ReadingLimits
    from fiscaldoc.pipeline.process import process

    from helpers.budget_truth import load, score

    folder = CACHE / f"realdocs-scan{dpi}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(dpi)
    for truth_path in sorted((ROOT / "fixtures" / "realdocs").glob("*.truth.json")):
        name = truth_path.name.removesuffix(".truth.json")
        if names and name not in names:
            continue
        scan = folder / f"{name}.pdf"
        if not scan.exists():
            scan_pdf(truth_path.with_name(f"{name}.pdf"), scan, Scanner.drawn(rng, dpi), seed=dpi)
        started = time.monotonic()
        result = process(scan, limits=ReadingLimits(ocr_budget_s=None))
        found = score(load(truth_path), result.records, result.check_results)
        row = ", ".join(f"{k} {v}" for k, v in found.row().items())
        print(f"{name} at {dpi} dpi ({time.monotonic() - started:.0f} s, {result.document.status}): {row}")
        for miss in found.misses[:8]:
            print(f"    {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--dpi", default="150,200", help="comma-separated scan resolutions")
    parser.add_argument("--formats", default=DEFAULT_FORMATS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed-pages", type=int, default=6)
    parser.add_argument("--no-score", action="store_true", help="speed only")
    parser.add_argument("--fields", action="store_true", help="also print per-field accuracy")
    parser.add_argument(
        "--realdocs",
        nargs="*",
        metavar="NAME",
        help="score scans of fixtures/realdocs instead (all if none named)",
    )
    args = parser.parse_args()
    if args.realdocs is not None:
        for dpi in (int(d) for d in args.dpi.split(",")):
            realdocs(dpi, args.realdocs)
        return
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    source = generate(args.seed, args.count, args.formats)
    held_out = " (held out)" if args.seed == HELD_OUT_SEED else ""
    for dpi in (int(d) for d in args.dpi.split(",")):
        folder = scan_folder(source, dpi, args.seed)
        if not args.no_score:
            started = time.monotonic()
            results = folder.with_name(folder.name + "-results")
            extract_all(folder, results, args.workers)
            from adversarial.score.__main__ import main as score

            print(f"\n=== scans at {dpi} dpi, seed {args.seed}{held_out}: {folder}")
            score([str(folder), str(results)] + (["--fields"] if args.fields else []))
            print(f"extracted and scored in {time.monotonic() - started:.0f} s")
        pages, cpu, wall = speed(folder, args.speed_pages)
        if pages:
            print(
                f"speed at {dpi} dpi: {pages} pages, {pages / cpu:.2f} pages/s per core "
                f"(CPU {cpu / pages:.2f} s/page; wall {wall / pages:.2f} s/page on this machine)"
            )


if __name__ == "__main__":
    main()
