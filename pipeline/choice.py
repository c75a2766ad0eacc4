"""Keeping, among the readings of one document, the one whose arithmetic holds.

An extractor returns its first reading and, where it has them, second
opinions it can produce on request (:attr:`RawDocument.alternatives`: for a
PDF, pdfplumber on every page, the whitespace reader on every page, camelot
lattice and stream). The first reading is kept when its plans reconcile: items
add up to every declared subtotal and total, and the 序号 run has no gap. Only
when it does not are the alternatives read, each normalised and checked the
same way; the best wins, the first reading on a tie. Every row carries its
engine, which becomes ``allocation_plans.engine``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fiscaldoc.checks import run_checks
from fiscaldoc.lexicon.vocabulary import budget_kind, budget_title_key
from fiscaldoc.model.document import Line, RawDocument
from fiscaldoc.model.records import CheckResult, Records
from fiscaldoc.normalizers import normalize
from fiscaldoc.pipeline.honesty import reading_failures
from fiscaldoc.pipeline.stages import stage

ARITHMETIC_RULES = (
    "subtotal_matches_items",
    "total_matches_items",
    "sequence_complete",
    "budget_hierarchy_adds_up",
    "budget_columns_add_up",
    "budget_totals_balance",
)


@dataclass(frozen=True, order=True)
class Verdict:
    """Lower is better: no plan at all, then sums that fail less those that pass (a reading
    that lost its subtotals must not win by having nothing left to check), then items
    without a 序号, then fewer items read."""

    missing: int
    balance: int
    unnumbered: int
    fewer_items: int
    failures: int

    @property
    def key(self) -> tuple[int, int, int]:
        """What a second opinion must beat: a tie keeps the earlier reading (a reading that
        checks fewer sums does not win by failing fewer)."""
        return (self.missing, self.balance, self.unnumbered)

    @property
    def reconciles(self) -> bool:
        return self.missing == 0 and self.failures == 0


@dataclass(frozen=True)
class Reading:
    """A reading of the document with its records and the findings of the checks on them."""

    raw: RawDocument
    records: Records
    checks: list[CheckResult]

    @property
    def verdict(self) -> Verdict:
        found = self.records.allocation_plans or self.records.budget_tables
        missing = budget_shortfall(self.raw, self.records) + len(reading_failures(self.records))
        if not found or missing:
            return Verdict(max(missing, 1 if not found else 0), 0, 0, 0, 0)
        statuses = [c.status for c in self.checks if c.rule in ARITHMETIC_RULES]
        failures, passes = statuses.count("fail"), statuses.count("pass")
        items = self.records.allocation_items
        numbered = sum(1 for i in items if i.seq is not None)
        read = len(items) + len(self.records.budget_lines)
        return Verdict(0, failures - passes, len(items) - numbered, -read, failures)


def named_budget_kinds(raw: RawDocument) -> set[str]:
    """The standard budget tables (收支总表, 一般公共预算支出表 …) whose titles the text carries."""
    kinds: set[str] = set()
    for block in raw.blocks:
        if isinstance(block, Line):
            title = budget_title_key(block.text)
            if title is not None and budget_kind(title) != "other":
                kinds.add(budget_kind(title))
    return kinds


def names_budget_tables(raw: RawDocument) -> bool:
    return bool(named_budget_kinds(raw))


def budget_shortfall(raw: RawDocument, records: Records) -> int:
    """Standard tables a reading lost: kinds the text names that it did not read, and tables it
    found but read nothing of (no figure, and no note saying the table is empty)."""
    named = named_budget_kinds(raw)
    if not named and not records.budget_tables:
        return 0
    with_figures = {ln.table_id for ln in records.budget_lines if ln.amount_yuan is not None}
    with_notes = {s.subject for s in records.budget_statements if s.kind == "note"}
    read = {t.table_id for t in records.budget_tables if t.table_id in with_figures | with_notes}
    unread = len(records.budget_tables) - len(read)
    kinds = {t.kind for t in records.budget_tables if t.table_id in read}
    return unread + len(named - kinds)


def read(raw: RawDocument, document_id: str) -> Reading:
    """``raw`` normalised and checked."""
    with stage("normalise"):
        records = normalize(raw, document_id)
    with stage("check"):
        checks = run_checks(records, document_id)
    return Reading(raw, records, checks)


def worth_a_second_opinion(raw: RawDocument, verdict: Verdict) -> bool:
    """A plan that does not add up, a table we could not read, or none where the text names
    an allocation header."""
    if verdict.missing:
        words = "".join(b.text for b in raw.blocks if not hasattr(b, "cells"))
        cells = "".join(c.text for row in raw.rows() for c in row.cells)
        text = words + cells
        return ("序号" in text and "金额" in text) or names_budget_tables(raw)
    return not verdict.reconciles


def loses_forms(candidate: Records, best: Records) -> bool:
    """Fewer performance forms, or fewer of their indicators, than the reading it would replace."""
    return len(candidate.performance_forms) < len(best.performance_forms) or len(
        candidate.performance_indicators
    ) < len(best.performance_indicators)


def choose(first: RawDocument, document_id: str) -> Reading:
    """The first reading if it reconciles, else the best of it and its alternatives."""
    best = read(first, document_id)
    best_verdict = best.verdict
    if not (reading_failures(best.records) or worth_a_second_opinion(first, best_verdict)):
        return best
    for alternative in first.alternatives:
        try:
            with stage("extract"):
                candidate = alternative.read()
        except Exception:  # a second opinion that breaks is no opinion
            continue
        candidate = replace(
            candidate,
            problems=list(first.problems),
            text_source=first.text_source,
            page_count=first.page_count,
            alternatives=(),
        )
        reading = read(candidate, document_id)
        if loses_forms(reading.records, best.records):
            continue  # a plan read better at the price of a form read worse is no better reading
        if reading.verdict.key < best_verdict.key:
            best, best_verdict = reading, reading.verdict
            if best_verdict.reconciles:
                break
        if best.records.budget_tables and not best.records.allocation_plans:
            break  # other engines lose a budget table's merged headers: what fails is the document's
    return best
