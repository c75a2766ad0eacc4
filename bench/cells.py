"""Cell accuracy of the PDF readers alone: are the truth's rows there, cell by cell?

    .venv/bin/python bench/cells.py [--seed 1] [--count 30] [--formats pdf-sheet,…] [--realdocs] [--careful]

The accuracy benchmark scores what the whole pipeline loads; a PDF reader's
regression can hide behind the normaliser there (or the other way round). This
reads each PDF with ``extractors.pdf.read`` only (the first reading; ``--careful``:
pdfplumber on every page) and asks, for every truth row, whether one row of cells
carries it:

- an allocation item: a cell whose text is the project's, a cell holding its printed
  amount and, where it has one, a cell holding its 序号 (the recipient is left out: a
  merged cell prints it once for its group);
- an indicator: a cell starting with its 三级指标 (its unit may follow in brackets) and a
  cell holding its printed value;
- a real disclosure's line (``fixtures/realdocs/*.truth.json``): a row on its page with a
  cell naming it (name or 科目编码) and a cell holding its printed amount.

Texts compare after NFKC with whitespace removed. Sets come from ``bench/accuracy.py``'s
cache (generated once). Per format it prints rows found / rows in the truth.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT / "fixtures" / "realdocs"
PDF_FORMATS = "pdf-word,pdf-sheet,pdf-lines,pdf-segments,pdf-rects,pdf-borderless"
_WS = re.compile(r"\s+")


def norm(text: Any) -> str:
    return "" if text is None else _WS.sub("", unicodedata.normalize("NFKC", str(text)))


Rows = list[tuple[int | None, list[str]]]
"""Every table row of a reading: its page and its cells' normalised texts."""


def read_rows(path: Path, careful: bool) -> Rows:
    from fiscaldoc.extractors import pdf
    from fiscaldoc.model.document import Row

    doc = pdf.read(path, fast=not careful)[0]
    return [(b.page, [norm(c.text) for c in b.cells]) for b in doc.blocks if isinstance(b, Row)]


def _holds(cells: list[str], want: str) -> bool:
    return any(c == want for c in cells)


def _starts(cells: list[str], want: str) -> bool:
    return any(c.startswith(want) for c in cells)


def _carries(cells: list[str], want: str) -> bool:
    return any(want in c for c in cells)


def found_items(rows: Rows, items: Iterable[dict[str, Any]]) -> tuple[int, int]:
    hit = total = 0
    for item in items:
        total += 1
        project, amount = norm(item["project"]), norm(item.get("amount_text"))
        seq = "" if item.get("seq") is None else str(item["seq"])
        hit += any(
            _holds(cells, project) and _carries(cells, amount) and (not seq or _holds(cells, seq))
            for _, cells in rows
        )
    return hit, total


def found_indicators(rows: Rows, indicators: Iterable[dict[str, Any]]) -> tuple[int, int]:
    hit = total = 0
    for ind in indicators:
        total += 1
        name, value = norm(ind["level3"] or ind["level2"]), norm(ind.get("target_text"))
        hit += any(_starts(cells, name) and _carries(cells, value) for _, cells in rows)
    return hit, total


def found_lines(rows: Rows, tables: Iterable[dict[str, Any]]) -> tuple[int, int]:
    by_page: dict[int | None, list[list[str]]] = defaultdict(list)
    for page, cells in rows:
        by_page[page].append(cells)
    hit = total = 0
    for table in tables:
        for line in table.get("lines", []):
            amount = norm(line.get("amount_text"))
            if not amount:
                continue
            total += 1
            names = [n for n in (norm(line.get("name")), norm(line.get("code"))) if n]
            hit += any(
                _carries(cells, amount) and any(_holds(cells, n) for n in names)
                for cells in by_page[line.get("page")]
            )
    return hit, total


def _ratio(hit: int, total: int) -> str:
    return f"{hit}/{total} ({hit / total:.2f})" if total else "-"


def generated(seed: int, count: int, formats: str, careful: bool, verbose: bool) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from accuracy import generate

    folder = generate(seed, count, formats)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for truth_path in sorted(folder.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pdf_path = truth_path.with_name(truth_path.name.replace(".truth.json", ".pdf"))
        if not pdf_path.exists():
            continue
        rows = read_rows(pdf_path, careful)
        items = found_items(rows, (i for p in truth.get("allocation_plans", []) for i in p["items"]))
        forms = truth.get("performance_forms", [])
        inds = found_indicators(rows, (i for f in forms for i in f["indicators"]))
        for fmt in (truth["format"], "ALL"):
            for n, v in enumerate((*items, *inds)):
                sums[fmt][n] += v
        if verbose and (items[0] < items[1] or inds[0] < inds[1]):
            print(f"  {pdf_path.name} {truth['format']}: items {_ratio(*items)}, indicators {_ratio(*inds)}")
    print(f"seed {seed}, {count} documents: rows of cells found / in the truth")
    print(f"{'format':<16}{'items':<22}{'indicators':<22}")
    for fmt, (ih, it, nh, nt) in sorted(sums.items(), key=lambda kv: kv[0] == "ALL"):
        print(f"{fmt:<16}{_ratio(ih, it):<22}{_ratio(nh, nt):<22}")


def realdocs(careful: bool) -> None:
    print("real disclosures: lines found / with a printed amount")
    for truth_path in sorted(REALDOCS.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        rows = read_rows(REALDOCS / truth["file"], careful)
        print(f"  {truth['file']:<45}{_ratio(*found_lines(rows, truth['tables']))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--formats", default=PDF_FORMATS)
    parser.add_argument("--realdocs", action="store_true", help="also the real disclosures")
    parser.add_argument("--careful", action="store_true", help="pdfplumber on every page (no fast path)")
    parser.add_argument("-v", "--verbose", action="store_true", help="name every document short of its truth")
    args = parser.parse_args()
    generated(args.seed, args.count, args.formats, args.careful, args.verbose)
    if args.realdocs:
        realdocs(args.careful)


if __name__ == "__main__":
    main()
