"""Choosing between parses of one PDF by the arithmetic.

The first parse (pdfplumber: ruled tables where the page has rules, the
whitespace reader elsewhere) is kept when its plans reconcile: items add up
to every declared subtotal and total, and the 序号 run has no gap. Only when
it does not are the second opinions run (the whitespace reader on every page,
camelot lattice, camelot stream), each normalised and checked the same way;
the best wins, the first parse on a tie. Every row carries its engine, which
becomes ``allocation_plans.engine``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fiscaldoc.model.document import RawDocument

ARITHMETIC_RULES = ("subtotal_matches_items", "total_matches_items", "sequence_complete")


@dataclass(frozen=True, order=True)
class Verdict:
    """Lower is better: no plan at all, then sums that fail less those that pass (a parse
    that lost its subtotals must not win by having nothing left to check), then items
    without a 序号, then fewer items read."""

    missing: int
    balance: int
    unnumbered: int
    fewer_items: int
    failures: int

    @property
    def key(self) -> tuple[int, int, int]:
        """What a second opinion must beat: a tie keeps the earlier parse (a parse that checks
        fewer sums does not win by failing fewer)."""
        return (self.missing, self.balance, self.unnumbered)

    @property
    def reconciles(self) -> bool:
        return self.missing == 0 and self.failures == 0


def judge(doc: RawDocument) -> Verdict:
    from fiscaldoc.checks import run_checks
    from fiscaldoc.normalizers import normalize_and_keep

    records = normalize_and_keep(doc, "candidate")  # the pipeline re-keys these rather than read again
    if not records.allocation_plans:
        return Verdict(1, 0, 0, 0, 0)
    statuses = [c.status for c in run_checks(records, "candidate") if c.rule in ARITHMETIC_RULES]
    failures, passes = statuses.count("fail"), statuses.count("pass")
    items = records.allocation_items
    numbered = sum(1 for i in items if i.seq is not None)
    return Verdict(0, failures - passes, len(items) - numbered, -len(items), failures)


def worth_a_second_opinion(doc: RawDocument, verdict: Verdict) -> bool:
    """A plan that does not add up, or none where the text names an allocation header."""
    if verdict.missing:
        words = "".join(b.text for b in doc.blocks if not hasattr(b, "cells"))
        cells = "".join(c.text for row in doc.rows() for c in row.cells)
        text = words + cells
        return "序号" in text and "金额" in text
    return not verdict.reconciles


def choose(path: Path, first: RawDocument, others: list[Callable[[Path], RawDocument]]) -> RawDocument:
    """The first parse if it reconciles, else the best of it and the second opinions."""
    verdict = judge(first)
    if not worth_a_second_opinion(first, verdict):
        return first
    best, best_verdict = first, verdict
    for read in others:
        try:
            candidate = read(path)
        except Exception:  # a second opinion that breaks is no opinion
            continue
        candidate.problems = list(first.problems)
        candidate.text_source = first.text_source
        candidate.page_count = first.page_count
        candidate_verdict = judge(candidate)
        if candidate_verdict.key < best_verdict.key:
            best, best_verdict = candidate, candidate_verdict
            if best_verdict.reconciles:
                break
    return best
