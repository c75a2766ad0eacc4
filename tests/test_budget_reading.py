"""Reading budget tables by meaning: titles, header paths, label columns, sides, codes, pages.

The grids below are excerpts of real disclosures (the careful reading's blocks, see
``helpers/blocks.py``), trimmed or varied the way other exports print the same tables.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscaldoc.lexicon.vocabulary import budget_kind, budget_title_key
from fiscaldoc.model.records import BudgetLine, Records
from fiscaldoc.normalizers import normalize

from helpers.blocks import read_blocks


def _read(tmp_path: Path, text: str) -> Records:
    path = tmp_path / "doc.blocks.txt"
    path.write_text(text, encoding="utf-8")
    return normalize(read_blocks(path), "doc")


def _lines(records: Records, table: int = 1) -> list[BudgetLine]:
    return [ln for ln in records.budget_lines if ln.table_id == f"doc:b{table}"]


def _cell(records: Records, name: str, measure: str, table: int = 1, side: str | None = None) -> BudgetLine:
    found = [
        ln
        for ln in _lines(records, table)
        if ln.name == name and ln.measure == measure and (side is None or ln.side == side)
    ]
    assert len(found) == 1, (name, measure, [(ln.name, ln.measure) for ln in _lines(records, table)])
    return found[0]


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("2024年部门财务收支预算总表", "income_expenditure_summary"),
        ("2025年预算单位收支总表", "income_expenditure_summary"),
        ("收入支出决算总表", "income_expenditure_summary"),
        ("2024年部门收入预算总表", "income"),
        ("收入决算表", "income"),
        ("表3 2024年部门支出预算总表", "expenditure"),
        ("支出决算表", "expenditure"),
        ("2024年部门财政拨款收支预算总表", "fiscal_grant_summary"),
        ("财政拨款收入支出决算总表", "fiscal_grant_summary"),
        ("5．2024年部门一般公共预算支出功能分类预算表", "general_public_expenditure"),
        ("一般公共预算财政拨款支出决算表", "general_public_expenditure"),
        ("2024年部门一般公共预算基本支出部门预算经济分类预算表", "general_public_basic_expenditure"),
        ("一般公共预算财政拨款基本支出决算表", "general_public_basic_expenditure"),
        ("部门“三公”经费和机关运行经费预算表", "three_public"),
        ("财政拨款“三公”经费支出决算表", "three_public"),
        ("政府性基金预算财政拨款收入支出决算表", "gov_fund"),
        ("2025年部门国有资本经营预算支出功能分类预算表", "state_capital"),
        ("2024年部门项目支出预算表", "other"),
        ("2024年部门政府采购预算表", "other"),
        ("附表1-1 2024年部门收入预算总表（续）", "income"),
        ("2024年部门收支预算总表（单位：万元）", "income_expenditure_summary"),
    ],
)
def test_kind_from_title(title: str, kind: str) -> None:
    found = budget_title_key(title)
    assert found is not None, title
    assert budget_kind(found) == kind


@pytest.mark.parametrize(
    "text",
    [
        "1. 2024年部门财务收支预算总表 ……………………",
        "一、收入支出决算总体情况说明",
        "第二部分 上海市普陀区财政局 2024 年度部门决算表",
        "本部门2024年无政府性基金预算财政拨款安排的预算，故本表为空表。",
        "详见《2024年部门收入预算总表》，其中财政拨款收入15621.11万元",
    ],
)
def test_not_a_title(text: str) -> None:
    assert budget_title_key(text) is None


SUMMARY = """\
p10 L 2024年部门财务收支预算总表
p10 L 编制部门：上海市普陀区人民政府万里街道办事处 单位：元
p10 R 本年收入<1x2> | ~ | 本年支出<1x2> | ~
p10 R 项目 | 预算数 | 项目 | 预算数
p10 R 一、财政拨款收入 | 156,211,123 | 一、一般公共服务支出 | 2,932,700
p10 R 1. 一般公共预算资金 | 156,211,123 | 二、公共安全支出 | 153,278,423
p10 R 二、事业收入 |  |  |
p10 R  |  |  |
p10 R 收入总计 | 156,211,123 | 支出总计 | 156,211,123
"""


def test_two_sided_summary(tmp_path: Path) -> None:
    records = _read(tmp_path, SUMMARY)
    (table,) = records.budget_tables
    assert (table.kind, table.unit, table.fiscal_year, table.stage) == (
        "income_expenditure_summary",
        "元",
        2024,
        "budget",
    )
    assert table.entity == "上海市普陀区人民政府万里街道办事处"
    income = _cell(records, "收入总计", "本年收入/预算数", side="income")
    spent = _cell(records, "支出总计", "本年支出/预算数", side="expenditure")
    assert income.amount_yuan == spent.amount_yuan == Decimal("156211123.00")
    assert income.line_no == spent.line_no  # one printed row, two sides
    blank = _cell(records, "二、事业收入", "本年收入/预算数")
    assert (blank.amount_yuan, blank.amount_text) == (None, "")
    assert not [ln for ln in records.budget_lines if ln.side == "expenditure" and ln.line_no == blank.line_no]


INCOME = """\
p11 L 2024年部门收入预算总表
p11 L 编制部门：某部门 单位：元
p11 R 项目<1x4> | ~ | ~ | ~ | 收入预算<1x3> | ~ | ~
p11 R 功能分类科目编码<1x3> | ~ | ~ | 功能分类科目名称<2x1> | 合计<2x1> | 财政拨款收入<2x1> | 事业收入<2x1>
p11 R 类 | 款 | 项 | ~ | ~ | ~ | ~
p11 R 201 |  |  | 一般公共服务支出 | 257,700 | 257,700 | 0
p11 R 201 | 05 |  | 统计信息事务 | 257,700 | 257,700 | -
p11 R  | 5 | 7 | 专项普查⏎活动 | 257,700 | 257,700 |
p12 R 合计 | 257,700 | 257,700 |
"""


def test_merged_header_paths_split_codes_and_a_lone_total_row(tmp_path: Path) -> None:
    records = _read(tmp_path, INCOME)
    (table,) = records.budget_tables
    assert (table.kind, table.page_start, table.page_end) == ("income", 11, 12)
    lines = _lines(records)
    assert list(dict.fromkeys(ln.measure for ln in lines)) == [
        "收入预算/合计",
        "收入预算/财政拨款收入",
        "收入预算/事业收入",
    ]
    codes = [(ln.code, ln.level, ln.name) for ln in lines if ln.measure == "收入预算/合计"]
    assert codes == [
        ("201", 1, "一般公共服务支出"),
        ("20105", 2, "统计信息事务"),
        ("2010507", 3, "专项普查活动"),  # 类 carried down, 款/项 zero-padded, wrapped name joined
        (None, None, "合计"),
    ]
    zero, dash, blank = (ln for ln in lines if ln.measure == "收入预算/事业收入" and ln.code)
    assert (zero.amount_yuan, dash.amount_yuan, blank.amount_yuan) == (Decimal("0.00"), Decimal("0.00"), None)
    total = _cell(records, "合计", "收入预算/事业收入")
    assert total.amount_yuan is None  # the page's short row keeps its figures in their columns
    assert _cell(records, "合计", "收入预算/财政拨款收入").amount_yuan == Decimal("257700.00")


CONTINUED = """\
p22 L 2024年部门一般公共预算支出功能分类预算表
p22 L 单位：万元
p22 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p22 R 栏次 | 1 | 2 | 3 | 4
p22 R 2013802一般行政管理事务 |  | 13.52 |  | 13.52
p23 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p23 R 2210201 | 住房公积金 | 350.35 | 350.35 |
p23 L - 23 -
p24 R 合计 |  | 363.87 | 350.35 | 13.52
p24 L 注：本表反映一般公共预算支出情况。
p25 L 二、政府性基金预算支出情况
"""


def test_repeated_header_column_numbers_and_glued_codes(tmp_path: Path) -> None:
    records = _read(tmp_path, CONTINUED)
    (table,) = records.budget_tables
    assert (table.kind, table.unit, table.page_end) == ("general_public_expenditure", "万元", 24)
    rows = {(ln.code, ln.name) for ln in _lines(records)}
    assert rows == {("2013802", "一般行政管理事务"), ("2210201", "住房公积金"), (None, "合计")}
    assert _cell(records, "合计", "合计").amount_yuan == Decimal("3638700.00")
    (note,) = records.budget_statements
    assert (note.kind, note.subject, note.page) == ("note", "doc:b1", 24)


def test_contents_page_titles_are_not_tables(tmp_path: Path) -> None:
    text = "p2 L 目 录\np2 R 1. 收入支出决算总表 | 5\np2 L 二、收入决算表\np2 R 序号 | 页码\n" + SUMMARY
    records = _read(tmp_path, text)
    assert [t.page_start for t in records.budget_tables] == [10]


THREE_PUBLIC_FINAL = """\
p18 L 财政拨款 三公 经费支出决算表
p18 L “ ”
p18 L 单位：万元
p18 R 财政拨款“三公”经费<1x6> | ~ | ~ | ~ | ~ | ~
p18 R 合计<1x2> | ~ | 公务用车购置及运行费<1x2> | ~ | 公务接待费<2x2> | ~
p18 R ~ | ~ | 小计<1x2> | ~ | ~ | ~
p18 R  |  |  |  | ~ | ~
p18 R 预算数 | 决算数 | 预算数 | 决算数 | 预算数 | 决算数
p18 R 0.95 |  |  |  | 0.95 |
"""


def test_crossed_header_with_spacer_row_and_quotes_put_back(tmp_path: Path) -> None:
    records = _read(tmp_path, THREE_PUBLIC_FINAL)
    (table,) = records.budget_tables
    assert (table.kind, table.title, table.stage) == ("three_public", "财政拨款“三公”经费支出决算表", "final")
    measures = list(dict.fromkeys(ln.measure for ln in _lines(records)))
    assert measures[:2] == ["财政拨款“三公”经费/合计/预算数", "财政拨款“三公”经费/合计/决算数"]
    assert "财政拨款“三公”经费/公务用车购置及运行费/小计/预算数" in measures
    assert _cell(records, "", "财政拨款“三公”经费/公务接待费/预算数").amount_yuan == Decimal("9500.00")


EMPTY_FUND = """\
p15 L 政府性基金预算财政拨款收入支出决算表
p15 L 单位：万元
p15 R 项目<1x2> | ~ | 年初结转和结余<2x1> | 本年收入<2x1> | 本年支出<2x3> | ~ | ~ | 年末结转和结余<2x1>
p15 R 功能分类科目编码 | 科目名称 | ~ | ~ | ~ | ~ | ~ | ~
p15 R 合计<1x2> | ~ |  |  | 合计 | 基本支出 | 项目支出 |
p15 R  |  |  |  |  |  |  |
p15 L 注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。
p15 L 说明：本部门本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。
"""


def test_header_words_in_the_total_row_extend_the_header(tmp_path: Path) -> None:
    records = _read(tmp_path, EMPTY_FUND)
    lines = _lines(records)
    assert [ln.measure for ln in lines] == [
        "年初结转和结余",
        "本年收入",
        "本年支出/合计",
        "本年支出/基本支出",
        "本年支出/项目支出",
        "年末结转和结余",
    ]
    assert {(ln.name, ln.amount_yuan, ln.amount_text) for ln in lines} == {("合计", None, "")}
    assert len(records.budget_statements) == 2


def test_a_budget_table_is_found_in_an_in_grid_title_row(tmp_path: Path) -> None:
    text = """\
p14 R 2025年预算单位财政拨款收支预算总表<1x4> | ~ | ~ | ~
p14 R 编制单位：上海市普陀区商务委员会<1x3> | ~ | ~ | 单位：元
p14 R 财政拨款收入<1x2> | ~ | 财政拨款支出<1x2> | ~
p14 R 项目 | 预算数 | 项目 | 一般公共预算
p14 R 一、一般公共预算资金 | 100.00 | 一、一般公共服务支出 | 100.00
p14 R 收入总计 | 100.00 | 支出总计 | 100.00
"""
    records = _read(tmp_path, text)
    (table,) = records.budget_tables
    assert (table.kind, table.entity, table.unit) == ("fiscal_grant_summary", "上海市普陀区商务委员会", "元")
    assert {ln.side for ln in records.budget_lines} == {"income", "expenditure"}


def test_codes_printed_whole_in_each_level_column_or_bracketed(tmp_path: Path) -> None:
    text = """\
p3 L 2024年部门支出预算总表
p3 L 单位：元
p3 R 类 | 款 | 项 | 科目名称 | 合计 | 基本支出 | 项目支出
p3 R 201 |  |  | 一般公共服务支出 | 10 | 10 |
p3 R 201 | 20101 |  | 人大事务 | 10 | 10 |
p3 R 201 | 20101 | 2010101 | 行政运行 | 10 | 10 |
p4 L 2024年部门一般公共预算支出功能分类预算表
p4 L 单位：元
p4 R 科目 | 合计 | 基本支出 | 项目支出
p4 R [2010101] 行政运行（人大） | 10 | 10 |
"""
    records = _read(tmp_path, text)
    assert [(ln.code, ln.level) for ln in _lines(records) if ln.measure == "合计"] == [
        ("201", 1),
        ("20101", 2),
        ("2010101", 3),
    ]
    assert [(ln.code, ln.name) for ln in _lines(records, 2) if ln.measure == "合计"] == [
        ("2010101", "行政运行（人大）")
    ]
