"""Property tests beyond tests/test_normalizers.py: round-trips and invariants of the pure
normalisers, and no exception from ``normalize`` + checks on any stream of rows and lines."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscaldoc.checks import run_checks
from fiscaldoc.lexicon.numbers import UNIT_FACTORS, parse_number, parse_yuan, to_yuan
from fiscaldoc.lexicon.text import join_wrapped, key
from fiscaldoc.model.document import Cell, Line, RawDocument, Row
from fiscaldoc.model.records import CheckResult
from fiscaldoc.normalizers import normalize
from fiscaldoc.normalizers.indicators import parse_target

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
LATIN = st.sampled_from("abcXYZ019")
WORDISH = st.text(st.one_of(CJK, LATIN, st.sampled_from(" \t（）%")), max_size=12)
targets = st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False)
amounts = st.decimals(min_value=Decimal("-1e10"), max_value=Decimal("1e10"), places=2, allow_nan=False)

# Printed comparators → the contract's symbol (CONTRACT.md, performance_indicators).
COMPARATORS = {
    "≥": ">=",
    "＞＝": ">=",
    ">=": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "大于等于": ">=",
    "≤": "<=",
    "<=": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "小于等于": "<=",
    "＞": ">",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "＜": "<",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "=": "=",
    "等于": "=",
    "": "=",
}


@given(st.sampled_from(sorted(COMPARATORS)), targets, st.sampled_from(["", " ", "　"]))
def test_comparator_and_value_round_trip(symbol: str, value: Decimal, gap: str) -> None:
    target = parse_target(f"{symbol}{gap}{value}")
    assert (target.comparator, target.value, target.unit) == (COMPARATORS[symbol], value, None)


@given(
    st.sampled_from(sorted(COMPARATORS)), targets, st.sampled_from(["%", "个", "平方米", "(套)", "（人次）"])
)
def test_unit_after_the_value_is_kept(symbol: str, value: Decimal, unit: str) -> None:
    target = parse_target(f"{symbol}{value}{unit}")
    assert target.comparator == COMPARATORS[symbol] and target.value == value
    assert target.unit == unit.strip("()（）")


@given(st.sampled_from(sorted(COMPARATORS)), st.integers(min_value=0, max_value=10**9))
def test_thousands_separators_do_not_change_the_target(symbol: str, value: int) -> None:
    assert parse_target(f"{symbol}{value:,}") == parse_target(f"{symbol}{value}")


@given(amounts)
def test_wan_yuan_is_ten_thousand_yuan(value: Decimal) -> None:
    assert to_yuan(value, "万元") == to_yuan(value * 10_000, "元")
    assert to_yuan(value, "亿元") == to_yuan(value * 10_000, "万元")
    assert to_yuan(value, "千元") == to_yuan(value * 1_000, "元")


@given(amounts, st.sampled_from(sorted(UNIT_FACTORS)), st.sampled_from(sorted(UNIT_FACTORS)))
def test_conversion_is_unit_independent(value: Decimal, unit: str, other: str) -> None:
    """The same amount printed in two units is the same yuan."""
    in_other = value * UNIT_FACTORS[unit] / UNIT_FACTORS[other]
    assert to_yuan(in_other, other) == to_yuan(value, unit)


@given(amounts, st.sampled_from(sorted(UNIT_FACTORS)), st.sampled_from(sorted(UNIT_FACTORS)))
def test_a_unit_in_the_cell_beats_the_column_unit(value: Decimal, cell_unit: str, column_unit: str) -> None:
    assert parse_yuan(f"{value:,}{cell_unit}", column_unit) == to_yuan(value, cell_unit)
    assert parse_yuan(f"{value}", column_unit) == to_yuan(value, column_unit)


@given(amounts)
def test_to_yuan_is_exact_to_the_fen(value: Decimal) -> None:
    yuan = to_yuan(value, "元")
    assert yuan == value and yuan.as_tuple().exponent == -2


@given(st.text(max_size=40))
def test_parse_number_is_nfkc_stable(text: str) -> None:
    import unicodedata

    assert parse_number(text) == parse_number(unicodedata.normalize("NFKC", text))


@given(st.lists(WORDISH, max_size=8))
def test_join_keeps_every_character_but_whitespace(parts: list[str]) -> None:
    assert key(join_wrapped(parts)) == key("".join(parts))


@given(st.lists(WORDISH, max_size=8))
def test_join_is_idempotent_and_trimmed(parts: list[str]) -> None:
    joined = join_wrapped(parts)
    assert join_wrapped([joined]) == joined
    assert joined == joined.strip()


@given(st.lists(WORDISH, max_size=8), st.integers(min_value=0, max_value=8))
def test_join_is_associative(parts: list[str], cut: int) -> None:
    assert join_wrapped([join_wrapped(parts[:cut]), join_wrapped(parts[cut:])]) == join_wrapped(parts)


@given(st.lists(st.text(CJK, min_size=1, max_size=6), min_size=1, max_size=6))
def test_cjk_never_gets_a_space(parts: list[str]) -> None:
    assert " " not in join_wrapped(parts)


# Streams of rows and lines built from the words the normalisers look for, numbers, and noise.
VOCABULARY = [
    "序号", "用款单位", "项目名称", "项目内容", "金额（万元）", "金额(元)", "备注", "合计", "小计", "总计",
    "单位：万元", "附件8", "2021年资金分配方案", "绩效目标申报表", "项目类型", "主管部门", "实施周期",
    "项目金额", "总金额", "2021年度金额", "设立依据", "项目概述", "总体绩效目标", "绩效指标",
    "一级指标", "二级指标", "三级指标", "指标值", "产出指标", "数量指标", "效益指标", "满意度指标",
    "成本指标", "≥85", "≤100%", "长期", "达标", "厅本级共计900万元", "<p>甲</p>", "1", "2", "3",
    "39,000,000", "(1,200.50)", "１２３", "", " ", "—", "第1页",
]  # fmt: skip
cell_text = st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=10), amounts.map(str))
cells = st.builds(Cell, cell_text, page=st.integers(1, 3), covered=st.booleans())
rows = st.builds(Row, st.lists(cells, min_size=1, max_size=7).map(tuple), page=st.integers(1, 3))
lines = st.builds(Line, cell_text, page=st.integers(1, 3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(rows, rows, lines), max_size=40))
def test_normalize_and_checks_never_raise(blocks: list[Row | Line]) -> None:
    document_id = "f" * 64
    records = normalize(RawDocument(media_type="text", engine="test", blocks=blocks), document_id)
    plan_ids = {p.plan_id for p in records.allocation_plans}
    form_ids = {f.form_id for f in records.performance_forms}
    assert all(i.plan_id in plan_ids for i in records.allocation_items)
    assert all(s.plan_id in plan_ids for s in records.allocation_subtotals)
    assert all(i.form_id in form_ids for i in records.performance_indicators)
    assert all(p.document_id == document_id for p in records.allocation_plans)
    for result in run_checks(records, document_id):
        assert result.message and "\n" not in result.message


def test_a_check_message_quoting_a_wrapped_name_is_one_line() -> None:
    """Hypothesis's find: indicator_value_plausible quoted a 三级指标 wrapped in its cell."""
    result = CheckResult(
        document_id="d",
        rule="indicator_value_plausible",
        subject="f",
        status="fail",
        message="line 3 满意度\n（群众）: 120% is not a 0..100 percentage",
    )
    assert result.message == "line 3 满意度 （群众）: 120% is not a 0..100 percentage"
