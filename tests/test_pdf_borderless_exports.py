"""Borderless tables as office suites export them (no rules, rows set without padding), read
into whole rows of cells. Each fixture in ``fixtures/pdf/`` has its reading beside it as
``X.blocks.txt`` (``tests/helpers/blocks.py``'s format; regenerate with
``FISCALDOC_REGENERATE_GOLDENS=1`` and review the diff). Tests are named after the bug they
caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscaldoc.extractors import pdf as pdf_extractor
from fiscaldoc.extractors import pdf_keyvalue
from fiscaldoc.extractors.pdf_words import Word
from fiscaldoc.model.document import Row

from helpers.blocks import write_blocks
from helpers.goldens import REGENERATE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
WORD_PLAN = FIXTURES / "word-borderless-plan.pdf"
"""Page 1 of a LibreOffice Writer export of a borderless plan: cells centred vertically, no
row padding, 序/号 wrapped in the header, ``单位：万元`` over the 序号 column, ``备  注``
letter-spaced, merged 用款单位 and 备注 cells."""


def _rows(path: Path) -> list[list[str]]:
    doc = pdf_extractor.read(path)[0]
    return [[c.text for c in b.cells] for b in doc.blocks if isinstance(b, Row)]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.pdf")), ids=lambda p: p.name)
def test_reading_matches_its_golden(fixture: Path) -> None:
    got = write_blocks(pdf_extractor.read(fixture)[0])
    golden = fixture.with_name(fixture.name + ".blocks.txt")
    if REGENERATE:
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_a_unit_note_over_the_first_column_is_not_part_of_the_header() -> None:
    """``单位：万元`` sat just above the wrapped ``序/号`` header cell and was taken for its
    first line, and the first row's merged 用款单位 with it: item 1 was lost."""
    rows = _rows(WORD_PLAN)
    assert rows[0] == ["序 号", "项目单位", "项目名称", "分配金额", "备 注"]
    assert rows[1] == ["1", "省非物质文化遗产保护中心", "文物保护利用专项资金", "2350.00", "据实结算"]


def test_a_cell_wrapped_over_three_lines_without_row_padding_stays_one_cell() -> None:
    """Rows set without padding are as far apart as a cell's wrapped lines: the widest gap
    said nothing, and the wrapped project was cut between items 4, 5 and 6."""
    projects = {r[0]: r[2] for r in _rows(WORD_PLAN)}
    assert projects["4"] == "乡村文化振兴运维"
    assert projects["5"] == "乡村文化振兴保护经费（含前期调查、成果汇交与质量检查、数据库建设及运行维护）"
    assert projects["6"] == "公共文化服务体系建设保护经费及广播电视户户通应用推广等"


def test_a_letter_spaced_header_is_one_column() -> None:
    """``备  注`` spaced wider than a cell gap was read as two columns, 备 and 注."""
    assert all(len(r) == 5 for r in _rows(WORD_PLAN))


CALC_FORM = FIXTURES / "calc-borderless-form.pdf"
"""A LibreOffice Calc export of a borderless 绩效目标填报表: indicator rows without padding,
level names merged and centred over their rows."""
WORD_FORM = FIXTURES / "word-borderless-form.pdf"
"""Page 2 of the Writer export: a 绩效目标申报表 whose indicator grid sits right under its header."""


def _indicator_rows(path: Path) -> list[list[str]]:
    rows = _rows(path)
    start = next(n for n, r in enumerate(rows) if "一级指标" in "".join(r).replace(" ", ""))
    return rows[start + 1 :]


def test_target_values_set_without_padding_are_one_row_each() -> None:
    """The values of the 年度指标值 column sat as close as wrapped lines and were read as one
    anchor: the whole indicator grid came out as a single row."""
    rows = _indicator_rows(CALC_FORM)
    assert len(rows) == 11
    assert [r[-2:] for r in rows[:3]] == [
        ["覆盖县（市、区）数", "≥102.00(个)"],
        ["工程验收合格率", ">=90"],
        ["设备完好率", "不低于95%"],
    ]


def test_stacked_level_names_are_one_cell_each() -> None:
    """Merged 二级指标 names stacked without padding (经济成本指标 over 社会成本指标, a name
    wrapped as 可持续影响指 / 标) were joined into one cell."""
    level2 = [r[1] for r in _indicator_rows(CALC_FORM) if r[1]]
    assert "经济成本指标" in level2 and "社会成本指标" in level2
    word_level2 = [r[2] for r in _indicator_rows(WORD_FORM) if r[2]]
    assert word_level2[-2:] == ["可持续影响指标", "服务对象满意度指标"]


def test_values_close_under_a_header_are_not_its_wrapped_tail() -> None:
    """The first row's ``>=14623`` sat as close under ``年度目标值`` as a wrapped header part,
    and the whole value column was taken into the header cell."""
    rows = _rows(WORD_FORM)
    header = next(r for r in rows if "一级指标" in "".join(r).replace(" ", ""))
    assert header[-1] == "年度目标值"
    assert ["编制完成管理制度数量（套）", ">=14623"] in [r[-2:] for r in rows]


def test_an_amount_glued_to_the_next_label_is_two_cells() -> None:
    """Calc set the right-aligned 项目资金总额 closer to the 年度资金申请总额 label than a word
    space: pdfplumber gives one word, ``7245749年度资金申请总额``, and the amount was lost."""
    rows = _rows(CALC_FORM)
    assert ["项目资金总额", "7245749", "年度资金申请总额", "7245749"] in rows
    assert ["其他资金", "1449100", "上年结转资金", "2173700"] in rows


def test_letter_spaced_labels_start_the_form() -> None:
    """``项 目 名 称`` spaced a character apart is four words; the form was found from its
    later labels only and its first three fields were left as running text."""
    doc = pdf_extractor.read(FIXTURES / "borderless-spaced-labels.pdf")[0]
    rows = [[c.text for c in b.cells] for b in doc.blocks if isinstance(b, Row)]
    assert rows[0][0] == "项 目 名 称" and rows[0][1].startswith("公共卫生服务补助专项资金")
    assert [r[0] for r in rows[1:3]] == ["项 目 类 型", "项 目 等 级"]


def test_a_total_right_above_a_merged_name_is_a_cell_of_its_own() -> None:
    """Calc printed 总计 in the 单位名称 column right under the header, as close to the first
    group's top-aligned merged name as a wrapped line: the two read as one cell,
    ``总计省渔业技术站``."""
    rows = _rows(FIXTURES / "calc-borderless-plan.pdf")
    assert rows[1][1:4] == ["总计", "", "24,617.78"]
    assert rows[2][:2] == ["1", "省渔业技术站"]


CALC_MOF_FORM = FIXTURES / "calc-borderless-mof-form.pdf"
"""A Calc export of a 项目支出绩效目标表: a narrow label column whose labels run into their
values, and indicator columns of their own for 指标方向 and 单位."""


def test_a_label_run_into_its_value_is_cut_off_it() -> None:
    """In a narrow label column Calc set ``主管部门及代`` (``码`` wrapped below), ``项目资金（万``
    and ``年度总体目标`` closer to their values than a word space: no label was found and the
    whole form was running text."""
    rows = _rows(CALC_MOF_FORM)
    assert ["主管部门及代码", "[360612]山东省农业农村厅", "实施单位", "省农业技术推广中心"] in rows
    assert ["项目资金（万元）", "年度资金总额", "24,624.78"] in rows
    assert any(r[0] == "年度总体目标" and r[1].startswith("目标1：") for r in rows)


def test_indicator_columns_of_a_rows_own_are_not_merged_cells() -> None:
    """指标方向 and 单位 were taken for merged columns like 一级指标: their stacked values
    (``=``, ``定性``, ``≥`` …) were read as one cell; and the letter-spaced, wrapped header
    ``指 标 方`` / ``向`` was three columns."""
    rows = _indicator_rows(CALC_MOF_FORM)
    header = next(r for r in _rows(CALC_MOF_FORM) if "一级指标" in "".join(r).replace(" ", ""))
    assert header[-3:] == ["指 标 方 向", "年度指标值", "单位"]
    want = [["=", "116.00", "人次"], ["定性", "较上年提升", ""], ["≥", "60", "%"]]
    assert [r[-3:] for r in rows[:3]] == want


def test_section_headings_and_repeated_names_are_rows_of_their_own() -> None:
    """``一、省直单位`` between the total and item 1 was read into the total's row and
    ``二、市县`` into item 6's 序号 (``6二、市县``); the recipient printed on every row
    (省卫生健康委员会 three times) read as one merged cell wrapped over three lines."""
    rows = _rows(FIXTURES / "borderless-headings-plan.pdf")
    assert ["一、省直单位", "", "", ""] in rows and ["二、市县", "", "", ""] in rows
    assert [r[:2] for r in rows if r[0] in ("1", "2", "3", "6")] == [
        ["1", "省卫生健康委员会"],
        ["2", "省卫生健康委员会"],
        ["3", "省卫生健康委员会"],
        ["6", "南沙区人民医院"],
    ]


def test_a_line_break_typed_in_a_top_aligned_cell_stays_in_its_row() -> None:
    """Calc set rows almost without padding: the gap after ``“一村一品`` (a line break typed
    in the cell) was a fraction wider than the gap above item 2, so ``、一镇一业”补助`` went to
    item 2. The table's clear row boundaries say its cells are top-aligned, so the near-tie
    goes right above the next item."""
    projects = {r[0]: r[2] for r in _rows(FIXTURES / "calc-borderless-plan.pdf")}
    assert projects["1"] == "“一村一品、一镇一业”补助"
    assert projects["2"] == "农村人居环境整治能力提升"


def test_an_amount_wrapped_in_a_narrow_column_is_one_number() -> None:
    """``4`` / ``900010.34``: an amount too wide for its column wrapped onto a second line,
    which was read as an item of its own (the first item's amount came out as 4)."""
    rows = _rows(FIXTURES / "borderless-wrapped-amounts.pdf")
    amounts = {r[0]: r[3] for r in rows if r[0].isdigit()}
    assert amounts["1"] == "4900010.34"
    assert amounts["2"] == "620029.89"
    assert all(r[0] for r in rows[1:]), "no row without its 序号"


def test_header_cells_wrapped_above_and_below_its_line_belong_to_it() -> None:
    """``编`` / ``号`` and ``金额`` / ``（万元）`` centred on the header's line reach a little
    more than a line above and below it: the header was read without its 序号 and amount
    columns, so it was no header at all and the whole plan came out as running text."""
    rows = _rows(FIXTURES / "borderless-wrapped-header.pdf")
    assert rows[0] == ["编 号", "项目单位", "项 目", "金额 （万元）", "备 注"]
    assert ["1", "省非物质文化遗产保护中心", "乡村文化振兴专项资金", "39", ""] in rows


def test_prose_whose_lines_begin_with_a_label_is_no_form() -> None:
    """A budget 说明 (万里 2024, p6): lines beginning with 财政拨款 stay running text; cutting
    the label off them made the next four pages a two-column "form" and lost the 说明's figures."""
    prose = [
        Word("财政拨款收入支出减少的主要原因是项目调整。", 82.2, 400.0, 202.5, 213.0),
        Word("财政拨款支出主要内容如下：", 82.2, 300.0, 217.2, 228.0),
        Word("1.“一般公共服务支出（类）”25.77万元，主要用于专项普查活动。", 82.2, 520.0, 232.0, 243.0),
        Word("2023年当年预算执行数为", 82.2, 200.0, 247.0, 258.0),
        Word("60.13万元。", 330.0, 380.0, 247.0, 258.0),
    ]
    assert pdf_keyvalue.find_form(prose) is None
