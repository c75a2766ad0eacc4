"""Property and example tests for the pure normalisers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscaldoc.lexicon.numbers import (
    UNIT_FACTORS,
    cited_amounts,
    parse_number,
    parse_yuan,
    to_yuan,
    unit_in,
)
from fiscaldoc.lexicon.text import join_wrapped, key
from fiscaldoc.normalizers.indicators import parse_target, split_name_unit
from fiscaldoc.normalizers.markup import join_page_break, paragraphs

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in s)


@given(amounts)
def test_amount_round_trips_with_separators(value: Decimal) -> None:
    printed = f"{value:,.2f}"
    assert parse_number(printed) == value
    assert parse_number(_fullwidth(printed)) == value
    assert parse_number(printed.replace(",", "")) == value


@given(st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_accounting_parentheses_are_negative(value: Decimal) -> None:
    assert parse_number(f"({value})") == -value


@given(amounts, st.sampled_from(sorted(UNIT_FACTORS)))
def test_to_yuan_is_exact(value: Decimal, unit: str) -> None:
    yuan = to_yuan(value, unit)
    assert yuan == (value * UNIT_FACTORS[unit]).quantize(Decimal("0.01"))
    assert isinstance(yuan, Decimal)


@given(st.text())
def test_parsers_never_raise(text: str) -> None:
    parse_number(text)
    parse_target(text)
    split_name_unit(text)
    cited_amounts(text)
    unit_in(text)
    paragraphs(text)


@given(st.lists(st.text(CJK, min_size=1), min_size=1))
def test_cjk_wraps_join_without_spaces(parts: list[str]) -> None:
    assert join_wrapped(parts) == "".join(parts)


@given(st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), min_size=2))
def test_latin_words_keep_one_space(words: list[str]) -> None:
    assert join_wrapped(words) == " ".join(words)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("300", Decimal(300)),
        ("39,000,000", Decimal(39000000)),
        ("１２３．５", Decimal("123.5")),
        ("(1,200.50)", Decimal("-1200.50")),
        ("-5", Decimal(-5)),
        ("900 万元", Decimal(900)),
        ("", None),
        ("abc", None),
        ("12 34", None),
        ("1,2,3", None),
        ("总计", None),
    ],
)
def test_parse_number_examples(text: str, value: Decimal | None) -> None:
    assert parse_number(text) == value


def test_cell_unit_overrides_column_unit() -> None:
    assert parse_yuan("900 万元", "元") == Decimal("9000000.00")
    assert parse_yuan("2500", "万元") == Decimal("25000000.00")
    assert parse_yuan("1.5", "亿元") == Decimal("150000000.00")


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("1", "=", "1", None),
        ("≥85", ">=", "85", None),
        ("≤100", "<=", "100", None),
        ("不低于90%", ">=", "90", "%"),
        ("不超过 5", "<=", "5", None),
        ("＞3", ">", "3", None),
        ("小于2", "<", "2", None),
        ("≥13459.00(平方米)", ">=", "13459.00", "平方米"),
        ("长期", None, None, None),
        ("达标", None, None, None),
        ("2021年完成", None, None, None),
    ],
)
def test_parse_target(text: str, comparator: str | None, value: str | None, unit: str | None) -> None:
    target = parse_target(text)
    assert target.comparator == comparator
    assert target.value == (Decimal(value) if value else None)
    assert target.unit == unit


@pytest.mark.parametrize(
    ("name", "bare", "unit"),
    [
        ("编制完成管理制度数量（套）", "编制完成管理制度数量", "套"),
        ("进度计划（按时）完成率（%）", "进度计划（按时）完成率", "%"),
        ("群众满意度(%)", "群众满意度", "%"),
        ("系统建设（2021年度）", "系统建设（2021年度）", None),
        ("弥补成本率", "弥补成本率", None),
    ],
)
def test_split_name_unit(name: str, bare: str, unit: str | None) -> None:
    assert split_name_unit(name) == (bare, unit)


def test_page_break_join_drops_the_exporters_closing_tag() -> None:
    head = "<p>甲。</p> <p>根据《某某通知</p>"
    tail = "》（粤府〔2019〕49号）明确要求。"
    assert paragraphs(join_page_break(head, tail)) == "甲。\n根据《某某通知》（粤府〔2019〕49号）明确要求。"


def test_key_is_nfkc_without_whitespace() -> None:
    assert key(" 金额 （万元）\n") == "金额(万元)"
    assert key("〔2019〕") == "〔2019〕"  # 〔〕 are data, not folded


def test_cited_amounts() -> None:
    found = cited_amounts("一是甲（300万元）；五是乙（3000万元）。共1.5亿元")
    assert [a for a, _, _ in found] == [
        Decimal("3000000.00"),
        Decimal("30000000.00"),
        Decimal("150000000.00"),
    ]


def test_an_item_row_with_project_and_wan_yuan_note_is_not_a_header() -> None:
    from fiscaldoc.model.document import Cell, Row
    from fiscaldoc.normalizers.allocation import header_columns

    def row(*texts: str) -> Row:
        return Row(tuple(Cell(t, page=1) for t in texts), page=1)

    assert header_columns(row("序号", "用款单位", "项目内容", "金额（万元）", "备注")) is not None
    item = row("24", "肇庆市生态环境局", "水利工程建设试点示范项目实施", "3013", "合计 8197.7 万元")
    assert header_columns(item) is None
