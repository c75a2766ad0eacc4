"""The six budget rules, each on small real-shaped tables: what passes, what rounding explains
(``warn``) and what only an error explains (``fail``), and no alarm where a unit's money is
not all 财政拨款."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fiscaldoc.checks import RULES, run_checks
from fiscaldoc.checks.budget_sums import column_relations
from fiscaldoc.model.records import CheckResult, Records
from fiscaldoc.normalizers import normalize

from helpers.blocks import read_blocks

BUDGET_RULES = {
    "budget_totals_balance",
    "budget_hierarchy_adds_up",
    "budget_columns_add_up",
    "budget_tables_agree",
    "budget_text_matches_tables",
    "budget_tables_complete",
}


def _checks(tmp_path: Path, text: str, rule: str) -> tuple[Records, list[CheckResult]]:
    path = tmp_path / "doc.blocks.txt"
    path.write_text(text, encoding="utf-8")
    records = normalize(read_blocks(path), "doc")
    return records, [c for c in run_checks(records, "doc") if c.rule == rule]


def _statuses(found: list[CheckResult]) -> list[str]:
    return sorted(c.status for c in found)


def test_every_budget_rule_is_registered() -> None:
    assert set(RULES) >= BUDGET_RULES


def _function_table(rows: str, unit: str = "元") -> str:
    return f"""\
p1 L 2024年部门一般公共预算支出功能分类预算表
p1 L 单位：{unit}
p1 R 功能分类科目编码<1x3> | ~ | ~ | 功能分类科目名称<2x1> | 一般公共预算支出<1x3> | ~ | ~
p1 R 类 | 款 | 项 | ~ | 合计 | 基本支出 | 项目支出
{rows}"""


GOOD_ROWS = """\
p1 R 201 |  |  | 一般公共服务支出 | 300 | 100 | 200
p1 R 201 | 05 |  | 统计信息事务 | 300 | 100 | 200
p1 R 201 | 05 | 01 | 行政运行 | 100 | 100 | 0
p1 R 201 | 05 | 07 | 专项普查活动 | 200 |  | 200
p1 R 合计<1x4> | ~ | ~ | ~ | 300 | 100 | 200
"""


def test_hierarchy_and_columns_hold(tmp_path: Path) -> None:
    for rule in ("budget_hierarchy_adds_up", "budget_columns_add_up"):
        _, found = _checks(tmp_path, _function_table(GOOD_ROWS), rule)
        assert _statuses(found) == ["pass"], found


def test_a_row_that_does_not_add_up_fails_with_both_figures(tmp_path: Path) -> None:
    rows = GOOD_ROWS.replace("行政运行 | 100 | 100 | 0", "行政运行 | 100 | 100 | 64,840,547")
    _, found = _checks(tmp_path, _function_table(rows), "budget_columns_add_up")
    (fail,) = [c for c in found if c.status == "fail"]
    assert fail.subject == "doc:b1/2010501"
    assert (fail.expected, fail.actual) == (Decimal("100.00"), Decimal("64840647.00"))
    _, found = _checks(tmp_path, _function_table(rows), "budget_hierarchy_adds_up")
    assert [c.subject for c in found if c.status == "fail"] == ["doc:b1/20105"]


def test_rounding_of_万元_figures_is_a_warning(tmp_path: Path) -> None:
    rows = """\
p1 R 208 |  |  | 社会保障和就业支出 | 326.72 | 326.72 |
p1 R 208 | 05 |  | 行政事业单位养老支出 | 326.72 | 326.72 |
p1 R 208 | 05 | 01 | 行政单位离退休 | 84.65 | 84.65 |
p1 R 208 | 05 | 05 | 机关事业单位基本养老保险缴费支出 | 160.75 | 160.75 |
p1 R 208 | 05 | 06 | 机关事业单位职业年金缴费支出 | 80.38 | 80.38 |
p1 R 208 | 05 | 99 | 其他行政事业单位养老支出 | 0.95 | 0.95 |
"""
    _, found = _checks(tmp_path, _function_table(rows, "万元"), "budget_hierarchy_adds_up")
    warns = [c for c in found if c.status == "warn"]
    assert warns and all(c.actual - c.expected == Decimal("100.00") for c in warns)  # 0.01万元 over 5 figures
    _, found = _checks(
        tmp_path, _function_table(rows.replace("0.95", "1.95"), "万元"), "budget_hierarchy_adds_up"
    )
    assert "fail" in _statuses(found)


def test_column_relations_follow_the_header_tree() -> None:
    unit_summary = [
        "本年支出/预算数/合计",
        "本年支出/预算数/基本支出/人员经费",
        "本年支出/预算数/基本支出/公用经费",
        "本年支出/预算数/项目支出",
    ]
    assert column_relations(unit_summary) == [
        (["本年支出/预算数/合计"], unit_summary[1:]),
    ]
    three_public = [
        "“三公”经费/合计/预算数",
        "“三公”经费/因公出国(境)费/预算数",
        "“三公”经费/公务用车购置及运行费/小计/预算数",
        "“三公”经费/公务用车购置及运行费/购置费/预算数",
        "“三公”经费/公务用车购置及运行费/运行费/预算数",
        "“三公”经费/公务接待费/预算数",
        "机关运行经费预算数",
    ]
    relations = dict((a[0], b) for a, b in column_relations(three_public))
    assert relations["“三公”经费/合计/预算数"] == [three_public[1], three_public[2], three_public[5]]
    assert relations["“三公”经费/公务用车购置及运行费/小计/预算数"] == three_public[3:5]
    fund = [
        "年初结转和结余",
        "本年收入",
        "本年支出/小计",
        "本年支出/基本支出",
        "本年支出/项目支出",
        "年末结转和结余",
    ]
    assert (["本年支出/小计", "年末结转和结余"], ["年初结转和结余", "本年收入"]) in column_relations(fund)


FINAL_SUMMARY = """\
p6 L 收入支出决算总表
p6 L 单位：万元
p6 R 收入<1x2> | ~ | 支出<1x2> | ~
p6 R 项目 | 决算数 | 项目 | 决算数
p6 R 一、一般公共预算财政拨款收入 | 2,940.05 | 一、一般公共服务支出 | 2,940.05
p6 R 二、其他收入 | 6.20 |  |
p6 R 本年收入合计 | 2,946.25 | 本年支出合计 | 2,940.05
p7 R 年初结转和结余 | 49.14 | 年末结转和结余 | 55.34
p7 R 总计 | 2,995.39 | 总计 | 2,995.39
"""


def test_final_summary_sides_balance_through_carry_overs(tmp_path: Path) -> None:
    _, found = _checks(tmp_path, FINAL_SUMMARY, "budget_totals_balance")
    assert _statuses(found) == ["pass"], [c.message for c in found]
    broken = FINAL_SUMMARY.replace("年末结转和结余 | 55.34", "年末结转和结余 | 45.34")
    _, found = _checks(tmp_path, broken, "budget_totals_balance")
    (fail,) = [c for c in found if c.status == "fail"]
    assert (fail.expected, fail.actual) == (Decimal("29953900.00"), Decimal("29853900.00"))


NON_FISCAL_UNIT = """\
p1 L 2025年单位财务收支预算总表
p1 L 单位：元
p1 R 本年收入<1x2> | ~ | 本年支出<1x2> | ~
p1 R 项目 | 预算数 | 项目 | 预算数
p1 R 一、财政拨款收入 | 100 | 一、教育支出 | 150
p1 R 二、事业收入 | 50 |  |
p1 R 收入总计 | 150 | 支出总计 | 150
p2 L 2025年单位收入预算总表
p2 L 单位：元
p2 R 科目编码 | 科目名称 | 合计 | 财政拨款收入 | 事业收入
p2 R 205 | 教育支出 | 150 | 100 | 50
p2 R 合计 |  | 150 | 100 | 50
p3 L 2025年单位支出预算总表
p3 L 单位：元
p3 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p3 R 205 | 教育支出 | 150 | 120 | 30
p3 R 合计 |  | 150 | 120 | 30
p4 L 2025年单位财政拨款收支预算总表
p4 L 单位：元
p4 R 财政拨款收入<1x2> | ~ | 财政拨款支出<1x3> | ~ | ~
p4 R 项目 | 预算数 | 项目 | 合计 | 一般公共预算
p4 R 一、一般公共预算资金 | 100 | 一、教育支出 | 100 | 100
p4 R 收入总计 | 100 | 支出总计 | 100 | 100
p5 L 2025年单位一般公共预算支出功能分类预算表
p5 L 单位：元
p5 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p5 R 205 | 教育支出 | 100 | 90 | 10
p5 R 合计 |  | 100 | 90 | 10
p6 L 2025年单位一般公共预算基本支出部门预算经济分类预算表
p6 L 单位：元
p6 R 经济分类科目编码 | 经济分类科目名称 | 合计 | 人员经费 | 公用经费
p6 R 301 | 工资福利支出 | 90 | 90 |
p6 R 合计 |  | 90 | 90 |
"""


def test_tables_agree_for_a_unit_with_事业收入(tmp_path: Path) -> None:
    """The 收支总表 (150, with 事业收入) and the 财政拨款 tables (100) differ by design."""
    _, found = _checks(tmp_path, NON_FISCAL_UNIT, "budget_tables_agree")
    assert _statuses(found) == ["pass"], [c.message for c in found]
    broken = NON_FISCAL_UNIT.replace("p6 R 合计 |  | 90 | 90 |", "p6 R 合计 |  | 95 | 95 |").replace(
        "p6 R 301 | 工资福利支出 | 90 | 90 |", "p6 R 301 | 工资福利支出 | 95 | 95 |"
    )
    _, found = _checks(tmp_path, broken, "budget_tables_agree")
    (fail,) = [c for c in found if c.status == "fail"]
    assert (fail.subject, fail.expected, fail.actual) == ("doc:b6", Decimal("90.00"), Decimal("95.00"))


TEXT = """\
p6 L 2025年单位预算编制说明
p6 L 2025年，某单位收入预算0.02万元，其中：财政拨款收入0.01万元；事业收入0.01万元。
p6 L 1、教育支出（205类）普通教育（02款）小学教育（03项）0.01万元。2024年当年预算执行数为0.01万元，2025年
p6 L 预算安排0.02万元，比2024年预算执行数增加100.00%。
"""


def test_text_figures_compared_at_the_texts_precision(tmp_path: Path) -> None:
    tables = NON_FISCAL_UNIT.replace("教育支出 | 150", "教育支出 | 150").replace(
        "p5 R 205 | 教育支出 | 100 | 90 | 10",
        "p5 R 205 | 教育支出 | 100 | 90 | 10\np5 R 2050203 | 小学教育 | 100 | 90 | 10",
    )
    records, found = _checks(tmp_path, TEXT + tables, "budget_text_matches_tables")
    kinds = {(s.kind, s.subject) for s in records.budget_statements}
    assert ("amount", "income_total") in kinds and ("amount", "code:2050203") in kinds
    assert ("change", "code:2050203") in kinds
    bad = {c.message.split(" states ")[1].split(" ")[0] for c in found if c.status == "fail"}
    assert bad == {"0.02万元"}, [c.message for c in found]  # 150元 ≈ 0.02万元 passes; 100元 ≠ 0.02万元


def test_a_share_cut_off_is_a_warning_and_a_wrong_one_fails(tmp_path: Path) -> None:
    text = (
        "p20 L 三、支出决算情况说明\n"
        "p20 L 本年支出合计 150 元，其中：基本支出 120 元，占 79.9%；项目支出 30 元，占 25.00%。\n"
    )
    _, found = _checks(tmp_path, NON_FISCAL_UNIT + text, "budget_text_matches_tables")
    assert _statuses(found) == ["fail", "warn"], [c.message for c in found]


def test_complete_tables_and_honest_notes(tmp_path: Path) -> None:
    empty_fund = """\
p7 L 2025年单位政府性基金预算支出功能分类预算表
p7 L 单位：元
p7 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p7 R 合计 |  |  |  |
p7 L 注：本单位无政府性基金预算财政拨款安排的预算，故本表为空表。
"""
    three_public = """\
p8 L 2025年单位“三公”经费和机关运行经费预算表
p8 L 单位:万元
p8 R “三公”经费预算数<1x2> | ~ | 机关运行经费预算数<2x1>
p8 R 合计 | 公务接待费 | ~
p8 R 1.35 | 1.35 | 20.00
"""
    _, found = _checks(tmp_path, NON_FISCAL_UNIT + empty_fund + three_public, "budget_tables_complete")
    assert [c.subject for c in found] == ["doc/state_capital"]
    lying = three_public + "p8 L 注:本单位无“三公”经费和机关运行经费预算，故本表为空表。\n"
    silent = empty_fund.replace("p7 L 注：本单位无政府性基金预算财政拨款安排的预算，故本表为空表。\n", "")
    _, found = _checks(tmp_path, NON_FISCAL_UNIT + silent + lying, "budget_tables_complete")
    assert {c.subject for c in found if c.status == "fail"} == {"doc/state_capital", "doc:b7", "doc:b8"}


def test_a_misread_table_is_one_warning_and_a_partial_document(tmp_path: Path) -> None:
    """Figures shifted by a column in every row: the reading is wrong, not the document."""
    from fiscaldoc.pipeline.process import budget_problems

    shifted = "\n".join(
        line.replace(" | 100 | 100 | 0", " | 100 | 0 | 100").replace(
            " | 300 | 100 | 200", " | 100 | 300 | 200"
        )
        for line in GOOD_ROWS.splitlines()
    )
    shifted += "\np1 R 201 | 05 | 08 | 普查 | 50 | 0 | 10\np1 R 201 | 05 | 09 | 调查 | 60 | 0 | 10\n"
    records, found = _checks(tmp_path, _function_table(shifted), "budget_columns_add_up")
    assert [(c.status, c.subject) for c in found] == [("warn", "doc:b1")]
    assert "misread" in found[0].message
    assert [c.status for c in run_checks(records, "doc") if c.rule == "budget_hierarchy_adds_up"] == ["warn"]
    (problem,) = budget_problems(records, "doc")
    assert "looks misread" in problem
