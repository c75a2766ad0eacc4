"""Accuracy benchmark: generate a set of PDFs with ground truth, ingest it, score it per layout.

    python bench/accuracy.py [--count 10] [--seed 7] [--dir DIR] [--verbose]

Prints item and indicator precision / recall / F1 per layout (ruled,
borderless, multipage). An item counts as right only when every field the
truth gives (seq, 用款单位, 项目, amount, note) matches the contract's way
(NFKC, whitespace removed); an indicator likewise on all its fields.
``--dir`` scores an existing set (``*.pdf`` beside ``*.truth.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fiscaldoc.lexicon.text import key  # noqa: E402
from fiscaldoc.pipeline.process import process  # noqa: E402

ITEM_FIELDS = ("seq", "recipient", "project", "amount_yuan", "note")
INDICATOR_FIELDS = ("level1", "level2", "level3", "unit", "comparator", "target_value", "target_text")


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return str(Decimal(value).normalize())
    try:
        return str(Decimal(str(value)).normalize())
    except ArithmeticError:
        return key(str(value))


def _keys(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(_norm(r.get(f)) for f in fields) for r in rows)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, got: Counter[tuple[str, ...]], want: Counter[tuple[str, ...]]) -> None:
        hit = sum((got & want).values())
        self.tp += hit
        self.fp += sum(got.values()) - hit
        self.fn += sum(want.values()) - hit

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(paths: list[Path], verbose: bool) -> dict[str, dict[str, Score]]:
    table: dict[str, dict[str, Score]] = {}
    for pdf in paths:
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        result = process(pdf)
        records = result.records
        got_items = _keys([i.model_dump() for i in records.allocation_items], ITEM_FIELDS)
        want_items = _keys([i for p in truth["allocation_plans"] for i in p["items"]], ITEM_FIELDS)
        got_inds = _keys([i.model_dump() for i in records.performance_indicators], INDICATOR_FIELDS)
        want_inds = _keys([i for f in truth["performance_forms"] for i in f["indicators"]], INDICATOR_FIELDS)
        scores = table.setdefault(truth["layout"], {"items": Score(), "indicators": Score()})
        scores["items"].add(got_items, want_items)
        scores["indicators"].add(got_inds, want_inds)
        if verbose and (got_items != want_items or got_inds != want_inds):
            print(f"-- {pdf.name} ({result.document.status}: {result.document.error})")
            for row in list((want_items - got_items).elements())[:5]:
                print("   missing", row)
            for row in list((got_items - want_items).elements())[:5]:
                print("   extra  ", row)
            for row in list((want_inds - got_inds).elements())[:3]:
                print("   missing indicator", row)
            for row in list((got_inds - want_inds).elements())[:3]:
                print("   extra indicator  ", row)
    return table


def report(table: dict[str, dict[str, Score]]) -> None:
    print(f"{'layout':<12}{'what':<12}{'P':>8}{'R':>8}{'F1':>8}{'truth':>8}")
    for layout in sorted(table):
        for what, s in table[layout].items():
            if s.tp + s.fn == 0 and s.fp == 0:
                continue
            p, r, f = s.prf()
            print(f"{layout:<12}{what:<12}{p:8.4f}{r:8.4f}{f:8.4f}{s.tp + s.fn:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="documents per layout")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="score this existing set instead of generating one")
    parser.add_argument("--layouts", default="ruled,borderless,multipage")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    if args.dir:
        paths = sorted(args.dir.glob("*.pdf"))
    else:
        sys.path.insert(0, str(ROOT / "fixtures"))
        from generate import generate

        out = Path(tempfile.mkdtemp(prefix="fiscaldoc-bench-"))
        paths = generate(out, args.count, args.seed, args.layouts.split(","))
        print(f"generated {len(paths)} PDFs in {out}")
    report(score(paths, args.verbose))
    print(f"{len(paths)} documents in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
