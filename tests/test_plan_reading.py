"""Allocation plans read by meaning: sum rows anywhere, rows the reader does not know skipped
and reported, the parse report, and an honest status when a table cannot be read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.normalizers import normalize
from fiscaldoc.pipeline.process import process

HEADER = ["序号", "用款单位", "项目内容", "金额（万元）", "备注"]


def _row(*texts: str, page: int = 1) -> Row:
    return Row(tuple(Cell(t, page=page) for t in texts), page=page, engine="test")


def _doc(*blocks: Block) -> RawDocument:
    return RawDocument(media_type="test", engine="test", blocks=list(blocks))


def test_total_under_the_header_qizhong_headings_and_notes_do_not_end_the_plan() -> None:
    doc = _doc(
        Line("2023年测试专项资金分配方案"),
        _row(*HEADER),
        _row("", "合计", "", "600", ""),
        _row("", "其中：", "", "", ""),
        _row("一、省直单位", "", "", "", ""),
        _row("1", "省自然资源厅", "甲项目", "100", ""),
        _row("2", "", "乙项目", "200", ""),
        _row("", "自然资源厅合计", "", "300", ""),
        Line("注：本表金额已扣减提前下达部分。"),
        _row("二、市县", "", "", "", ""),
        _row("", "", "", "", ""),
        _row("3", "广州市", "丙项目", "300", ""),
        Line("说明：本方案经厅党组会议审议通过。"),
    )
    records = normalize(doc, "d")
    [plan] = records.allocation_plans
    assert [i.project for i in records.allocation_items] == ["甲项目", "乙项目", "丙项目"]
    assert plan.declared_total_yuan == Decimal("6000000.00")
    assert [(s.label, s.declared_yuan) for s in records.allocation_subtotals] == [
        ("省自然资源厅", Decimal("3000000.00"))
    ]
    [report] = records.parse_reports
    assert report.kind == "allocation_plan" and report.subject == plan.plan_id
    assert (report.rows_seen, report.rows_read, report.rows_skipped) == (10, 6, 4)
    assert (
        report.detail is not None and "text in the table: 注：本表金额已扣减提前下达部分。" in report.detail
    )
    assert "section heading or note: 二、市县" in report.detail


def test_a_subtotal_above_its_group_belongs_to_the_group_below() -> None:
    doc = _doc(
        _row(*HEADER),
        _row("", "小计", "", "30", ""),
        _row("1", "甲单位", "a", "10", ""),
        _row("2", "", "b", "20", ""),
        _row("", "小计", "", "5", ""),
        _row("3", "乙单位", "c", "5", ""),
        _row("", "总计", "", "35", ""),
    )
    records = normalize(doc, "d")
    assert records.allocation_plans[0].declared_total_yuan == Decimal("350000.00")
    assert [s.label for s in records.allocation_subtotals] == ["甲单位", "乙单位"]


def test_a_wrong_total_stays_the_total() -> None:
    """One figure off is the document's error: the row stays the total and fails its check."""
    doc = _doc(
        _row(*HEADER),
        _row("1", "甲单位", "a", "10", ""),
        _row("2", "乙单位", "b", "20", ""),
        _row("", "合计", "", "31", ""),
    )
    records = normalize(doc, "d")
    assert records.allocation_plans[0].declared_total_yuan == Decimal("310000.00")
    assert records.allocation_subtotals == []


def test_a_header_without_rows_is_no_plan() -> None:
    records = normalize(_doc(_row(*HEADER), Line("目录")), "d")
    assert records.allocation_plans == []
    assert records.parse_reports[0].subject is None


def test_report_ordinals_are_one_key_space(tmp_path: Path) -> None:
    doc = _doc(
        _row(*HEADER),
        _row("1", "甲", "a", "1", ""),
        Line("附件2"),
        _row(*HEADER),
        _row("1", "乙", "b", "2", ""),
    )
    records = normalize(doc, "d")
    assert [r.ordinal for r in records.parse_reports] == [1, 2]
    assert len(records.allocation_plans) == 2


def _dump(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "plan.txt"
    path.write_text(body, encoding="utf-8")
    return path


def test_rows_under_a_header_none_read_make_the_document_partial_without_blame(tmp_path: Path) -> None:
    body = "2023年测试专项资金分配方案\n序号\t用款单位\t项目内容\t金额\t备注\n" + "".join(
        f"{n}\t单位{n}\t项目{n}\t见附表\t\n" for n in range(1, 15)
    )
    result = process(_dump(tmp_path, body))
    assert result.document.status == "partial"
    assert result.document.error == "14 table rows under an allocation header, none read as items"
    assert result.records.allocation_plans == []
    assert not [c for c in result.check_results if c.status == "fail"]


def test_a_plan_read_in_part_is_partial_and_its_sums_are_not_blamed(tmp_path: Path) -> None:
    body = (
        "序号\t用款单位\t项目内容\t金额\t备注\n"
        "1\t甲\ta\t10\t\n"
        "2\t乙\tb\t\t20\n"  # the amount landed in the wrong column: a misread, not the document's error
        "\t合计\t\t30\t\n"
    )
    result = process(_dump(tmp_path, body))
    assert result.document.status == "partial"
    assert result.document.error == "1 numbered rows not read as items (no amount read)"
    totals = [c for c in result.check_results if c.rule == "total_matches_items"]
    assert [c.status for c in totals] == ["warn"]


def test_an_inconsistent_document_is_loaded_and_fails_its_check(tmp_path: Path) -> None:
    body = "序号\t用款单位\t项目内容\t金额\t备注\n1\t甲\ta\t10\t\n2\t乙\tb\t20\t\n\t合计\t\t31\t\n"
    result = process(_dump(tmp_path, body))
    assert result.document.status == "loaded"
    totals = [c for c in result.check_results if c.rule == "total_matches_items"]
    assert [c.status for c in totals] == ["fail"]


def test_a_plan_title_with_no_table_under_it_is_reported() -> None:
    from fiscaldoc.normalizers.parse_log import reading_problems

    doc = _doc(
        Line("附件1"), Line("2023年测试专项资金分配方案"), Line("单位：万元"), Line("1 甲单位 a项目 100")
    )
    records = normalize(doc, "d")
    assert records.allocation_plans == []
    assert reading_problems(records.parse_reports) == [
        "1 allocation plan title(s) with no table read under them: 2023年测试专项资金分配方案"
    ]


def test_rows_with_amounts_below_where_the_plan_ended_are_reported() -> None:
    from fiscaldoc.normalizers.parse_log import reading_problems

    odd = [_row(f"表外{n}", "", "", "", "") for n in range(4)]
    doc = _doc(_row(*HEADER), _row("1", "甲", "a", "1", ""), *odd, _row("2", "乙", "b", "2", ""))
    records = normalize(doc, "d")
    assert len(records.allocation_items) == 1
    assert reading_problems(records.parse_reports) == ["page 1: 1 rows with amounts below the plan not read"]


BOTTOM_ALIGNED_DUMP = """附件 6
                    2022年省级教育发展专项资金分配方案
                                                                        金额单位：万元
序 号     用款单位                  项目名称                  分  配  金  额
                                 STEM课程资源建设项目（2022
  1                              年度）                                155.3
  2     省学生资助管理中心       乡村小规模学校设备购置                 15.0
（以下为市县项目）
  3     省教育研究院             校园安全防范补助                      353.7
           合计                                                        524.0
"""


def test_a_text_dump_with_letter_spaced_header_and_cells_set_at_the_bottom(tmp_path: Path) -> None:
    """Columns by the header words' extents (not their starts), a wrapped project's first line
    above its row, a merged 用款单位 named on its last row, a note between rows."""
    result = process(_dump(tmp_path, BOTTOM_ALIGNED_DUMP))
    assert result.document.status == "loaded", result.document.error
    items = [(i.recipient, i.project, i.amount_yuan) for i in result.records.allocation_items]
    assert items == [
        ("省学生资助管理中心", "STEM课程资源建设项目（2022年度）", Decimal("1553000.00")),
        ("省学生资助管理中心", "乡村小规模学校设备购置", Decimal("150000.00")),
        ("省教育研究院", "校园安全防范补助", Decimal("3537000.00")),
    ]
    [plan] = result.records.allocation_plans
    assert (plan.unit, plan.declared_total_yuan) == ("万元", Decimal("5240000.00"))
    assert [c.status for c in result.check_results if c.rule == "total_matches_items"] == ["pass"]


def test_an_amount_its_narrow_column_wrapped_is_one_amount() -> None:
    doc = _doc(
        _row(*HEADER),
        _row("1", "甲", "大气污染防治试点", "2", ""),
        _row("", "", "", ",686,700.00", ""),
        _row("2", "乙", "饮用水水源地保护能力建设（含前期调查、成", "1", ""),
        _row("", "", "果汇交与质量检查）", ",308,900.00", ""),
        _row("", "总计", "", "3", ""),
        _row("", "", "", ",995,600.00", ""),
    )
    records = normalize(doc, "d")
    assert [(i.amount_text, i.project) for i in records.allocation_items] == [
        ("2,686,700.00", "大气污染防治试点"),
        ("1,308,900.00", "饮用水水源地保护能力建设（含前期调查、成果汇交与质量检查）"),
    ]
    assert records.allocation_plans[0].declared_total_yuan == Decimal("39956000000.00")


def test_a_second_opinion_that_loses_a_form_never_replaces_the_reading() -> None:
    """The first reading's plan does not add up, the alternative's does, but the alternative
    lost the performance form: the first reading is kept."""
    from dataclasses import replace

    from fiscaldoc.extractors.text import extract
    from fiscaldoc.model.document import Alternative
    from fiscaldoc.pipeline.choice import choose

    seed = extract(Path(__file__).parent.parent / "fixtures" / "seed" / "000_4ea89972e077d80e.txt")
    total = next(i for i, b in enumerate(seed.blocks) if isinstance(b, Row) and "总计" in "".join(b.texts()))
    wrong = list(seed.blocks)
    row = wrong[total]
    assert isinstance(row, Row)
    wrong[total] = Row(tuple(Cell("3901") if c.text == "3900" else c for c in row.cells))
    plan_only = replace(seed, blocks=list(seed.blocks[: total + 1]), alternatives=())
    first = replace(seed, blocks=wrong, alternatives=(Alternative("plan-only", lambda: plan_only),))
    reading = choose(first, "d")
    assert len(reading.records.performance_forms) == 1
    assert reading.records.allocation_plans[0].declared_total_yuan == Decimal("39010000.00")
