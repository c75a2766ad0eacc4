"""How long the review report takes to write, and to open in a browser.

    .venv/bin/python bench/report_speed.py [--count 200] [--workers 2] [--source fixtures/seed/seed-ruled.pdf]

Loads ``--count`` documents into a fresh DuckDB warehouse without ingesting them: each is
the source PDF with a comment line after it (other bytes, so another document; same
pages), under the records the pipeline read from the original. Then writes the report
twice (cold: every page drawn; warm: images already there) and opens its index and one
document page in Debian's headless Chromium, timing each until its rows are on screen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fiscaldoc.report import ReportOptions, write_report  # noqa: E402

from helpers.browser import chromium  # noqa: E402
from helpers.report_batch import many, read  # noqa: E402

NAVIGATION_MS = "const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd;"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--source", type=Path, default=ROOT / "fixtures" / "seed" / "seed-ruled.pdf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-speed-") as folder:
        tmp = Path(folder)
        (tmp / "files").mkdir()
        url = f"duckdb:///{tmp / 'w.duckdb'}"
        started = time.perf_counter()
        ids = many(url, read(args.source), args.count, files=tmp / "files")
        print(f"{len(ids)} documents loaded in {time.perf_counter() - started:.1f} s")
        options = ReportOptions(workers=args.workers)
        for run in ("cold", "warm"):
            result = write_report(url, tmp / "out", options=options)
            print(
                f"write ({run}): {result.documents} documents, {result.pages_drawn} pages "
                f"in {result.seconds:.1f} s ({result.seconds / result.documents * 1000:.0f} ms a document)"
            )
        size = sum(p.stat().st_size for p in (tmp / "out").rglob("*") if p.is_file())
        print(f"report folder: {size / 1e6:.1f} MB; index.html {result.index.stat().st_size / 1e3:.0f} KB")
        with chromium() as browser:
            from selenium.webdriver.common.by import By

            for name, target, selector in (
                ("index", result.index, "#rows tr"),
                ("document", next((tmp / "out" / "documents").iterdir()), "tr[id^='rec-']"),
            ):
                started = time.perf_counter()
                browser.get(target.resolve().as_uri())
                rows = browser.find_elements(By.CSS_SELECTOR, selector)
                shown = time.perf_counter() - started
                loaded = browser.execute_script(NAVIGATION_MS)
                print(f"open {name}: {len(rows)} rows on screen in {shown:.2f} s (loaded at {loaded:.0f} ms)")


if __name__ == "__main__":
    main()
