"""Workbooks of the seed (generated here) yield the seed's truth records."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscaldoc.extractors import detect, extract
from fiscaldoc.extractors.sheet import number_text
from fiscaldoc.model.document import Row
from fiscaldoc.pipeline.process import process

from helpers.renderings import seed_workbook, seed_xls
from helpers.truth import differences


def _assert_truth(path: Path, media_type: str) -> None:
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    assert result.document.media_type == media_type
    assert differences(result.records) == []


@pytest.mark.parametrize("split_sheets", [False, True], ids=["one-sheet-from-B3", "two-sheets"])
def test_xlsx_seed(tmp_path: Path, split_sheets: bool) -> None:
    _assert_truth(seed_workbook(tmp_path / "seed.xlsx", split_sheets=split_sheets), "xlsx")


def test_xlsx_merges_are_covered(tmp_path: Path) -> None:
    doc = extract(seed_workbook(tmp_path / "seed.xlsx", split_sheets=True))
    rows = [b for b in doc.blocks if isinstance(b, Row)]
    first_item, second_item = rows[1], rows[2]
    assert first_item.cells[1].text == "省自然资源厅" and not first_item.cells[1].covered
    assert second_item.cells[1].covered and second_item.cells[1].text == ""
    assert second_item.cells[4].covered  # the merged 备注


def test_xls_seed(tmp_path: Path) -> None:
    path = seed_xls(tmp_path / "seed.xls")
    assert detect(path).media_type == "xls"
    _assert_truth(path, "xls")


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.1 + 0.2, "General", "0.3"),
        (2500.0, "General", "2500"),
        (39000000, "#,##0", "39,000,000"),
        (1234.5, "#,##0.00", "1,234.50"),
        (12.345, "0.00_);(0.00)", "12.35"),
        (0.853, "0.0%", "85.3%"),
        (3900.0000000000005, None, "3900"),
        (Decimal("7.10"), "0.00", "7.10"),
    ],
)
def test_number_text(value: float, number_format: str | None, shown: str) -> None:
    assert number_text(value, number_format) == shown


def test_title_rows_above_the_table_are_lines(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "附件 3"
    ws["A2"] = "2022 年专项资金分配方案"
    ws.merge_cells("A2:D2")
    ws["D3"] = "单位：元"
    ws.append(["序号", "用款单位", "项目", "金额"])
    ws.append([1, "某市", "某项目", 1234.5])
    ws["D5"].number_format = "#,##0.00"
    ws.append([None, "合计", None, "=SUM(D5)"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    result = process(path)
    plan = result.records.allocation_plans[0]
    assert (plan.title, plan.attachment_label, plan.unit) == ("2022 年专项资金分配方案", "附件 3", "元")
    item = result.records.allocation_items[0]
    assert (item.amount_text, item.amount_yuan) == ("1,234.50", Decimal("1234.50"))
