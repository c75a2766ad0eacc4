"""The performance-form reader piece by piece: labels, money, indicator rows, merged levels,
regions in a longer document, and the form_funds_add_up rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiscaldoc.checks.rules import form_funds_add_up
from fiscaldoc.extractors.text import to_blocks
from fiscaldoc.lexicon.vocabulary import field_of, indicator_header, is_form_title
from fiscaldoc.model.document import Cell, Line, RawDocument, Row
from fiscaldoc.model.records import PerformanceForm, Records
from fiscaldoc.normalizers import normalize
from fiscaldoc.normalizers.form_fields import Entry
from fiscaldoc.normalizers.form_grid import Columns, assign
from fiscaldoc.normalizers.form_money import read_funds
from fiscaldoc.normalizers.form_slots import Slot
from fiscaldoc.normalizers.indicators import parse_target


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("项目名称", "project_name"),
        ("项 目 名 称", "project_name"),
        ("项　目　名　称", "project_name"),
        ("省级主管\n部门", "department"),
        ("主管部门及代码", "department"),
        ("项目性质", "project_nature"),
        ("项目类别", "project_category"),
        ("实 施 单 位", "implementing_unit"),
        ("计划开始日期", "start_date"),
        ("计划完成日期", "end_date"),
        ("项目资金（元）", "amount"),
        ("项目资金(万元)", "amount"),
        ("项目资金总额", "money_total"),
        ("其中：财政资金", "money_fiscal"),
        ("其中:财政拨款", "money_fiscal"),
        ("其中：当年财政拨款", "money_current"),
        ("上年结转资金", "money_carryover"),
        ("其他资金", "money_other"),
        ("年度资金申请总额", "money_annual"),
        ("2021年度金额", "money_annual"),
        ("设立依据", "basis"),
        ("项目概述", "overview"),
        ("总体绩效目标", "overall_goal"),
        ("项目总目标", "overall_goal"),
        ("年度总体目标", "annual_goal"),
        ("绩效指标", "indicators"),
        ("2021年度目标", None),  # a heading inside the goal, not a label
        ("绩效目标申报表", None),  # a title
        ("联系人", None),
        ("自然资源事务专项资金-自然资源保护与利用", None),
    ],
)
def test_labels_by_meaning(label: str, field: str | None) -> None:
    assert field_of(label) == field


@pytest.mark.parametrize(
    "title",
    [
        "绩效目标申报表(一级项目)",
        "上海市普陀区财政项目支出绩效目标填报表",
        "2021年度项目支出绩效目标表",
        "项目绩效目标表",
    ],
)
def test_titles(title: str) -> None:
    assert is_form_title(title)


def test_indicator_header_with_columns_of_their_own() -> None:
    found = indicator_header(
        ["绩效指标", "一级指标", "二 级 指 标", "三级指标", "指标性质", "指标值", "度量单位", "权重"]
    )
    assert found == {
        "level1": 1,
        "level2": 2,
        "level3": 3,
        "nature": 4,
        "target": 5,
        "unit": 6,
        "weight": 7,
    }
    assert indicator_header(["项目总目标", "", "", "年度总体目标", "", ""]) == {}


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("≥13459.00(平方米)", ">=", "13459.00", "平方米"),
        ("=100.00(%)", "=", "100.00", "%"),
        ("不低于80%", ">=", "80", "%"),
        ("≤4500", "<=", "4500", None),
        ("100", "=", "100", None),
        ("＞109.00(个)", ">", "109.00", "个"),
        ("≤1,200.00(元)", "<=", "1200.00", "元"),
        ("年底前完成", None, None, None),
        ("长期", None, None, None),
    ],
)
def test_targets(text: str, comparator: str | None, value: str | None, unit: str | None) -> None:
    target = parse_target(text)
    assert target.comparator == comparator
    assert target.value == (Decimal(value) if value else None)
    assert target.unit == unit


def _entry(name: str, label: str, value: str, col: int) -> Entry:
    return Entry(name, label, value, col, 0, None)


def test_money_block_of_two_columns() -> None:
    """其他资金 belongs to the side whose heading stands above it."""
    funds = read_funds(
        [
            _entry("amount", "项目资金（元）", "", 0),
            _entry("money_total", "项目资金总额", "1,536,800.00", 1),
            _entry("money_annual", "年度资金申请总额", "1,536,800.00", 3),
            _entry("money_fiscal", "其中：财政资金", "1,236,800.00", 1),
            _entry("money_current", "其中：当年财政拨款", "1,236,800.00", 3),
            _entry("money_other", "其他资金", "300,000.00", 1),
            _entry("money_carryover", "上年结转资金", "0.00", 3),
            _entry("money_other", "其他资金", "300,000.00", 3),
        ]
    )
    assert (funds.total, funds.annual) == (Decimal("1536800.00"), Decimal("1536800.00"))
    assert (funds.fiscal, funds.other) == (Decimal("1236800.00"), Decimal("300000.00"))
    assert (funds.current_grant, funds.carryover, funds.annual_other) == (
        Decimal("1236800.00"),
        Decimal("0.00"),
        Decimal("300000.00"),
    )


def test_money_block_in_wan_with_one_figure() -> None:
    """项目资金（万元） with only 年度资金总额 printed: that figure is the project's total."""
    funds = read_funds(
        [
            _entry("amount", "项目资金（万\n元）", "", 0),
            _entry("money_annual", "年度资金总额", "116.74", 1),
            _entry("money_fiscal", "其中：财政拨款", "116.74", 1),
            _entry("money_other", "其他资金", "0.00", 1),
        ]
    )
    assert (funds.total, funds.annual, funds.fiscal) == (Decimal("1167400.00"), None, Decimal("1167400.00"))


def _slots(*cells: tuple[int, str]) -> list[Slot]:
    return [Slot(col, text) for col, text in cells]


def test_indicator_cells_by_content_and_column() -> None:
    columns = Columns.of({"level1": 1, "level2": 2, "level3": 3, "target": 4})
    # the seed's row whose name spans the level-2 column
    chosen = assign(columns, _slots((1, "成本指标"), (2, "弥补成本率（%）"), (3, "≤100")))
    assert {r: s.text for r, s in chosen.items()} == {
        "level1": "成本指标",
        "level3": "弥补成本率（%）",
        "target": "≤100",
    }
    # a level-2 name shifted into the left label's column
    chosen = assign(columns, _slots((0, "服务对象满意度指标"), (2, "群众满意度（%）"), (3, "≥85")))
    assert {r: s.text for r, s in chosen.items()} == {
        "level2": "服务对象满意度指标",
        "level3": "群众满意度（%）",
        "target": "≥85",
    }


def test_comparator_and_unit_in_columns_of_their_own() -> None:
    rows = [
        Row(tuple(Cell(t) for t in ("项目名称", "教育信息化"))),
        Row(tuple(Cell(t) for t in ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"))),
        Row(tuple(Cell(t) for t in ("产出指标", "数量指标", "覆盖学校数", "≥", "58", "个"))),
        Row(tuple(Cell(t) for t in ("", "质量指标", "资金使用合规性", "定性", "优", ""))),
    ]
    records = normalize(RawDocument("text", "test", list(rows)), "d")
    ind = records.performance_indicators
    assert [
        (i.level1, i.level2, i.level3, i.unit, i.comparator, i.target_value, i.target_text) for i in ind
    ] == [
        ("产出指标", "数量指标", "覆盖学校数", "个", ">=", Decimal(58), "58"),
        ("产出指标", "质量指标", "资金使用合规性", None, None, None, "优"),
    ]


def _row(*texts: str, covered: tuple[int, ...] = (), page: int = 1) -> Row:
    cells = tuple(
        Cell("" if i in covered else t, page=page, covered=i in covered) for i, t in enumerate(texts)
    )
    return Row(cells, page=page, engine="test")


def test_merged_level_split_by_a_page_break() -> None:
    """A merged 一级 cell split by a page break prints its name on one part only."""
    blocks = [
        Line("财政项目支出绩效目标填报表", page=1),
        _row("项目名称", "城市网格化管理"),
        _row("一级指标", "二级指标", "三级指标", "年度指标值"),
        _row("产出指标", "数量指标", "巡查街巷数", "=56.00(条)"),
        _row("", "经济效益指标", "带动就业人数", "≥20(人)"),  # 效益指标's first part: blank
        Line("- 1 -", page=1),
        _row("效益指标", "社会效益指标", "群众知晓率", "≥90.00(%)", page=2),
        _row("", "", "市容环境秩序", "明显改善", covered=(0, 1), page=2),
    ]
    records = normalize(RawDocument("pdf", "test", blocks), "d")
    levels = [(i.level1, i.level2) for i in records.performance_indicators]
    assert levels == [
        ("产出指标", "数量指标"),
        ("效益指标", "经济效益指标"),
        ("效益指标", "社会效益指标"),
        ("效益指标", "社会效益指标"),
    ]


CENTRED = """\
                         项目支出绩效目标表
 项目名称    乡村学校专项经费
   主管      教育部                            实施单位            教育部机关本级
部门及代码
项目资金（   年度资金总额                                                    480.00
  万元）     其中：财政拨款                                                  480.00
             其他资金                                                          0.00
年度总体目   目标1：完善校园安全防范工作机制。
    标
 绩效指标    一级指标        二级指标       三级指标           指标值      度量单位
                            数量指标     受益学生人数          大于17         人
               产出指标                  监测点位数量           ≥71           个
                            质量指标     工程验收合格率         <=80          %
                                         数据质量合格率         <=80          %
              满意度指标   服务对象满意  群众满意度             =100          %
                              度指标
"""


def test_text_dump_with_centred_names_and_wrapped_labels() -> None:
    records = normalize(RawDocument("text", "text", to_blocks(CENTRED)), "d")
    (form,) = records.performance_forms
    assert (form.project_name, form.department, form.implementing_unit) == (
        "乡村学校专项经费",
        "教育部",
        "教育部机关本级",
    )
    assert (form.total_amount_yuan, form.fiscal_funds_yuan, form.other_funds_yuan) == (
        Decimal("4800000.00"),
        Decimal("4800000.00"),
        Decimal("0.00"),
    )
    assert form.overall_goal == "目标1：完善校园安全防范工作机制。"
    got = [(i.level1, i.level2, i.level3, i.unit, i.comparator) for i in records.performance_indicators]
    assert got == [
        ("产出指标", "数量指标", "受益学生人数", "人", ">"),
        ("产出指标", "数量指标", "监测点位数量", "个", ">="),
        ("产出指标", "质量指标", "工程验收合格率", "%", "<="),
        ("产出指标", "质量指标", "数据质量合格率", "%", "<="),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "%", "="),
    ]


def test_forms_inside_a_longer_document() -> None:
    """Forms after other tables and text: each found by its title and labels; the table
    after the first form does not end up in it; unknown rows go to the parse report."""
    blocks = [
        Line("2024年部门预算", page=1),
        _row("科目编码", "科目名称", "合计", page=1),
        _row("201", "一般公共服务支出", "1,000", page=1),
        Line("项目支出绩效目标表", page=2),
        Line("（2024年度）", page=2),
        _row("项目名称", "社区文化活动", page=2),
        _row("联系人", "张三", page=2),
        _row("项目资金（万元）", "年度资金总额", "68.00", page=2),
        _row("", "其中：财政拨款", "52.00", covered=(0,), page=2),
        _row("", "其他资金", "16.00", covered=(0,), page=2),
        _row("年度总体目标", "全年举办活动不少于120场。", page=2),
        _row("一级指标", "二级指标", "三级指标", "指标值", page=2),
        _row("产出指标", "数量指标", "活动场次", "≥120(场)", page=2),
        Line("注：绩效目标应当清晰反映预算资金的预期产出和效果。", page=2),
        Line("2024年项目支出预算表", page=3),
        _row("序号", "项目单位", "项目内容", "金额（万元）", page=3),
        _row("1", "区文化馆", "社区文化活动", "68.00", page=3),
        Line("项目支出绩效目标表", page=4),
        _row("项目名称", "城市网格化管理", page=4),
        _row("一级指标", "二级指标", "三级指标", "指标值", page=4),
        _row("满意度指标", "服务对象满意度指标", "居民满意度", "≥90.00(%)", page=4),
    ]
    records = normalize(RawDocument("pdf", "test", blocks), "d")
    first, second = records.performance_forms
    assert (first.project_name, first.page_start, first.page_end) == ("社区文化活动", 2, 2)
    assert (first.total_amount_yuan, first.fiscal_funds_yuan, first.other_funds_yuan) == (
        Decimal("680000.00"),
        Decimal("520000.00"),
        Decimal("160000.00"),
    )
    assert first.overall_goal == "全年举办活动不少于120场。" and first.annual_goal is None
    assert second.project_name == "城市网格化管理"
    assert [i.level3 for i in records.performance_indicators] == ["活动场次", "居民满意度"]
    reports = [r for r in records.parse_reports if r.subject == first.form_id]
    assert reports and "联系人" in (reports[0].detail or "")


def _form(**money: str) -> PerformanceForm:
    return PerformanceForm(
        form_id="d:1", document_id="d", project_name="p", **{k: Decimal(v) for k, v in money.items()}
    )


def test_form_funds_add_up() -> None:
    ok = _form(
        total_amount_yuan="1536800",
        fiscal_funds_yuan="1236800",
        other_funds_yuan="300000",
        annual_amount_yuan="1536800",
        current_grant_yuan="1236800",
        carryover_yuan="0",
        annual_other_funds_yuan="300000",
    )
    (result,) = form_funds_add_up(Records(performance_forms=[ok]), "d")
    assert result.status == "pass"

    over = _form(
        total_amount_yuan="12680000",
        fiscal_funds_yuan="12680000",
        other_funds_yuan="0",
        annual_amount_yuan="6340000",
        current_grant_yuan="6540000",
        carryover_yuan="0",
    )
    (result,) = form_funds_add_up(Records(performance_forms=[over]), "d")
    assert result.status == "fail"
    assert (result.expected, result.actual) == (Decimal("6340000"), Decimal("6540000"))
    assert "当年财政拨款" in result.message and "20万元" in result.message

    above_total = _form(total_amount_yuan="100", annual_amount_yuan="120")
    (result,) = form_funds_add_up(Records(performance_forms=[above_total]), "d")
    assert result.status == "fail" and "≤" in result.message

    no_parts = _form(total_amount_yuan="100", annual_amount_yuan="100")
    assert form_funds_add_up(Records(performance_forms=[no_parts]), "d") == []
