"""Real budget and final-accounts disclosures against their hand-checked truth.

The fast tier reads each document's careful PDF reading, kept beside it as ``*.blocks.txt``
(the interpreter and the checks without the PDF's cost); the slow tier runs the whole
pipeline on the PDFs. Both must find every standard table with its kind, every grand total
and coded row exact, report the document's own discrepancies as ``fail`` and nothing else
as ``fail`` on a correct document, and read no allocation plan from a disclosure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fiscaldoc.checks import run_checks
from fiscaldoc.normalizers import normalize
from fiscaldoc.pipeline.process import process

from helpers.blocks import read_blocks
from helpers.budget_truth import load, score

REALDOCS = Path(__file__).resolve().parent.parent / "fixtures" / "realdocs"
TRUTHS = sorted(REALDOCS.glob("*.truth.json"))


def _truth(path: Path) -> dict[str, Any]:
    return load(path)


def _companion(truth: Path, suffix: str) -> Path:
    return truth.with_name(truth.name.replace(".truth.json", suffix))


def test_there_are_budgets_and_final_accounts() -> None:
    stages = {_truth(p)["stage"] for p in TRUTHS}
    assert stages == {"budget", "final"}
    assert len(TRUTHS) >= 5


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_careful_reading_matches_truth(truth_path: Path) -> None:
    truth = _truth(truth_path)
    records = normalize(read_blocks(_companion(truth_path, ".blocks.txt")), "doc")
    checks = run_checks(records, "doc")
    found = score(truth, records, checks)
    assert found.tables_found == found.tables, found.misses
    assert found.totals_exact == found.totals, found.misses
    assert found.coded_rows_exact == found.coded_rows, found.misses
    assert found.lines_exact == found.lines, found.misses
    assert found.discrepancies_failed == found.discrepancies, found.misses
    fails = [c for c in checks if c.status == "fail"]
    if not truth["discrepancies"]:
        assert fails == [], [c.message for c in fails]
    assert not records.allocation_plans
    assert {t.stage for t in records.budget_tables} == {truth["stage"]}
    assert {t.fiscal_year for t in records.budget_tables} == {truth["fiscal_year"]}
    assert {t.entity for t in records.budget_tables} == {truth["entity"]}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_every_line_of_truth_is_read_once(truth_path: Path) -> None:
    """No line beyond the truth's: nothing read twice, no repeated header read as data."""
    truth = _truth(truth_path)
    records = normalize(read_blocks(_companion(truth_path, ".blocks.txt")), "doc")
    assert len(records.budget_lines) == sum(len(t["lines"]) for t in truth["tables"])


@pytest.mark.slow
@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_pipeline_reads_the_pdf(truth_path: Path) -> None:
    truth = _truth(truth_path)
    result = process(_companion(truth_path, ".pdf"))
    assert result.document.status in ("loaded", "partial"), result.document.error
    found = score(truth, result.records, result.check_results)
    assert found.tables_found == found.tables, found.misses
    assert found.totals_exact == found.totals, found.misses
    assert found.coded_rows_exact == found.coded_rows, found.misses
    assert found.discrepancies_failed == found.discrepancies, found.misses
    if not truth["discrepancies"]:
        assert [c.message for c in result.check_results if c.status == "fail"] == []
    assert not result.records.allocation_plans
