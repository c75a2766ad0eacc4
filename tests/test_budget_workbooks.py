"""A disclosure's tables as an Excel workbook (one sheet per table, merged headers, numbers with
formats) read back through the XLSX extractor: the same tables, kinds, totals and rows as the
PDF's truth. The interpreter is engine-agnostic; this holds it to that."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fiscaldoc.pipeline.process import process

from helpers.budget_render import write_workbook
from helpers.budget_truth import load, score

REALDOCS = Path(__file__).resolve().parent.parent / "fixtures" / "realdocs"
TRUTHS = sorted(REALDOCS.glob("*.truth.json"))


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_workbook_reads_back_to_the_truth(truth_path: Path, tmp_path: Path) -> None:
    truth = load(truth_path)
    workbook = tmp_path / "budget.xlsx"
    write_workbook(truth, workbook)
    result = process(workbook)
    assert result.document.status == "loaded", result.document.error
    found = score(truth, result.records, result.check_results)
    assert found.tables_found == found.tables, found.misses
    assert found.totals_exact == found.totals, found.misses
    assert found.coded_rows_exact == found.coded_rows, found.misses
    assert found.lines_exact == found.lines, found.misses
    assert not result.records.allocation_plans


def _to_pdf(workbook: Path) -> Path:
    """The workbook printed by LibreOffice Calc (a spreadsheet's PDF export), own profile."""
    profile = workbook.parent / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workbook.parent),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return workbook.with_suffix(".pdf")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("truth_path", TRUTHS[:3], ids=lambda p: p.name.removesuffix(".truth.json"))
def test_spreadsheet_pdf_export_reads_back(truth_path: Path, tmp_path: Path) -> None:
    """The same workbook exported to PDF: ruled cells drawn by another producer, one sheet a page
    or more, tables continued over pages without their header."""
    truth = load(truth_path)
    workbook = tmp_path / "budget.xlsx"
    write_workbook(truth, workbook)
    result = process(_to_pdf(workbook))
    found = score(truth, result.records, result.check_results, by_order=True)
    assert found.tables_found == found.tables, found.misses
    assert found.totals_exact == found.totals, found.misses
    assert found.coded_rows_exact == found.coded_rows, found.misses
    table_fails = [
        c for c in result.check_results if c.status == "fail" and c.rule != "budget_tables_complete"
    ]
    assert table_fails == []  # no text in a workbook: only the tables' own findings could fail
