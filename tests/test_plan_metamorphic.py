"""Metamorphic: one plan laid out many ways reads back to the same records.

Hypothesis draws a plan (groups of items) and a layout: column order, header wording and
letter spacing, where the unit is printed, how amounts are printed, where the total and
the subtotals sit, whether a merged 用款单位 leaves the rows below it blank. Whatever the
layout, the items, the total and the subtotals read must be the plan's. A failure shrinks
to its smallest layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.normalizers import normalize

ROLES = ("seq", "recipient", "project", "amount", "note")
WORDS = {
    "seq": ("序号", "编号"),
    "recipient": ("用款单位", "资金使用单位", "单位名称", "项目单位", "用款单位名称"),
    "project": ("项目内容", "项目名称", "支持方向及内容"),
    "amount": ("金额", "资金额度", "分配金额", "安排金额", "下达资金"),
    "note": ("备注", "说明"),
}
UNITS = {"元": Decimal(1), "万元": Decimal(10_000)}
NAMES = ("省自然资源厅", "省土地调查规划院", "广州市测绘院", "惠来县", "省图书馆")


@dataclass(frozen=True)
class Layout:
    order: tuple[str, ...]
    words: dict[str, str]
    spaced: bool
    unit: str
    unit_at: str  # header | line | cells
    thousands: bool
    decimals: int
    total_at: str  # top | bottom | none
    total_word: str
    subtotals_at: str  # after | before | none
    merged: bool


plans = st.lists(
    st.lists(st.integers(min_value=1, max_value=99_999), min_size=1, max_size=4), min_size=1, max_size=4
)


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    order = tuple(draw(st.permutations(ROLES)))
    return Layout(
        order=order,
        words={role: draw(st.sampled_from(WORDS[role])) for role in ROLES},
        spaced=draw(st.booleans()),
        unit=draw(st.sampled_from(sorted(UNITS))),
        unit_at=draw(st.sampled_from(["header", "line", "cells"])),
        thousands=draw(st.booleans()),
        decimals=draw(st.sampled_from([0, 2])),
        total_at=draw(st.sampled_from(["top", "bottom", "none"])),
        total_word=draw(st.sampled_from(["合计", "总计", "全省合计", "合  计"])),
        subtotals_at=draw(st.sampled_from(["after", "before", "none"])),
        merged=draw(st.booleans()),
    )


def _amount(value: Decimal, layout: Layout) -> str:
    text = f"{value:,.{layout.decimals}f}" if layout.thousands else f"{value:.{layout.decimals}f}"
    return text + (layout.unit if layout.unit_at == "cells" else "")


def _header(layout: Layout) -> Row:
    cells = []
    for role in layout.order:
        word = layout.words[role]
        if layout.spaced and role != "amount":
            word = " ".join(word)
        if role == "amount" and layout.unit_at == "header":
            word += f"（{layout.unit}）"
        cells.append(word)
    return Row(tuple(Cell(c) for c in cells))


def _row(layout: Layout, **texts: str) -> Row:
    return Row(tuple(Cell(texts.get(role, "")) for role in layout.order))


def render(groups: list[list[int]], layout: Layout) -> tuple[RawDocument, list[tuple[str, str, Decimal]]]:
    """The plan as blocks, and its items as (recipient, project, yuan)."""
    blocks: list[Block] = [Line("2024年测试专项资金分配方案")]
    if layout.unit_at == "line":
        blocks.append(Line(f"单位：{layout.unit}"))
    blocks.append(_header(layout))
    factor = UNITS[layout.unit]
    items, rows = [], []
    seq = 0
    for g, amounts in enumerate(groups):
        name = NAMES[g]
        group_rows = []
        for n, whole in enumerate(amounts):
            seq += 1
            value = Decimal(whole) / (100 if layout.decimals else 1)
            project = f"{name[-2:]}项目{n + 1}"
            items.append((name, project, value * factor))
            recipient = name if n == 0 or not layout.merged else ""
            group_rows.append(
                _row(
                    layout, seq=str(seq), recipient=recipient, project=project, amount=_amount(value, layout)
                )
            )
        subtotal = _row(
            layout,
            recipient="小计",
            amount=_amount(sum(Decimal(a) for a in amounts) / (100 if layout.decimals else 1), layout),
        )
        if layout.subtotals_at == "before":
            group_rows.insert(0, subtotal)
        elif layout.subtotals_at == "after":
            group_rows.append(subtotal)
        rows.extend(group_rows)
    total = _row(
        layout, recipient=layout.total_word, amount=_amount(sum(i[2] for i in items) / factor, layout)
    )
    if layout.total_at == "top":
        rows.insert(0, total)
    elif layout.total_at == "bottom":
        rows.append(total)
    blocks.extend(rows)
    blocks.append(Line("说明：本方案经审议通过。"))
    return RawDocument(media_type="test", engine="test", blocks=blocks), items


@settings(max_examples=150, deadline=None)
@given(plans, layouts())
def test_every_layout_reads_back_to_the_same_plan(groups: list[list[int]], layout: Layout) -> None:
    raw, items = render(groups, layout)
    records = normalize(raw, "d")
    assert [(i.recipient, i.project, i.amount_yuan) for i in records.allocation_items] == items
    [plan] = records.allocation_plans
    total = sum((i[2] for i in items), Decimal(0))
    assert plan.declared_total_yuan == (None if layout.total_at == "none" else total)
    assert plan.unit == layout.unit
    want = (
        []
        if layout.subtotals_at == "none"
        else [
            (NAMES[g], sum((i[2] for i in items if i[0] == NAMES[g]), Decimal(0))) for g in range(len(groups))
        ]
    )
    assert [(s.label, s.declared_yuan) for s in records.allocation_subtotals] == want
    [report] = records.parse_reports
    assert report.rows_skipped == 0
