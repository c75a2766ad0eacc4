"""Performance-target forms (绩效目标申报表/绩效目标表) → a form and its indicator rows.

The form is a key/value table that may run over pages: a row whose label cell
is blank continues the field above it (the seed's 设立依据). The 绩效指标
block below it has merged 一级/二级 cells that fill down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fiscaldoc.lexicon.numbers import parse_yuan, unit_in
from fiscaldoc.lexicon.text import collapse, join_wrapped, key
from fiscaldoc.lexicon.vocabulary import field_of, indicator_columns
from fiscaldoc.model.document import Block, Line, Row
from fiscaldoc.model.records import PerformanceForm, PerformanceIndicator, Records
from fiscaldoc.normalizers.indicators import parse_target, split_name_unit
from fiscaldoc.normalizers.markup import join_page_break, paragraphs
from fiscaldoc.normalizers.stream import next_row_after_lines

TEXT_FIELDS = ("basis", "overview", "overall_goal")
FORM_TITLE = re.compile(r"绩效目标(?:申报)?表|绩效目标")
_YEAR = re.compile(r"((?:19|20)\d{2})")

LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标")
# 二级 → 一级 where the standard taxonomy is unambiguous (成本指标 is both, so absent).
LEVEL2_PARENT: dict[str, str] = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "环境效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
}


def _label_row(row: Row) -> tuple[str | None, list[str]]:
    filled = [c.text.strip() for c in row.cells if not c.is_blank]
    if not filled or row.cells[0].is_blank:
        return None, filled
    return field_of(filled[0]), filled[1:]


def starts_at(blocks: Sequence[Block], i: int) -> bool:
    block = blocks[i]
    return isinstance(block, Row) and _label_row(block)[0] == "project_name"


def is_category(text: str) -> bool:
    k = key(text)
    return k.endswith("指标") and len(k) <= 12 and not any(ch.isdigit() for ch in k)


@dataclass
class _IndicatorColumns:
    level1: int = 1
    level2: int = 2
    level3: int = 3
    target: int = 4

    @classmethod
    def from_header(cls, row: Row) -> _IndicatorColumns:
        cols = cls()
        for name, index in indicator_columns(row.texts()).items():
            setattr(cols, name, index)
        return cols


@dataclass
class _Form:
    fields: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    last_text_field: str | None = None
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    indicator_columns: _IndicatorColumns | None = None
    indicators: list[PerformanceIndicator] = field(default_factory=list)
    level1: str | None = None
    level2: str | None = None
    last_name: str | None = None


def _read_amounts(form: _Form, label: str, values: list[str]) -> None:
    """``总金额 | 39,000,000 | 2021年度金额 | 39,000,000`` → total and annual."""
    default_unit = unit_in(label) or "元"
    pairs = list(zip(values[0::2], values[1::2], strict=False))
    if len(values) == 1:
        pairs = [("总金额", values[0])]
    for name, value in pairs:
        unit = unit_in(name) or default_unit
        amount = parse_yuan(value, unit)
        k = key(name)
        if "总" in k and "total" not in form.amounts:
            form.amounts["total"] = amount
        elif "年度" in k or "当年" in k:
            form.amounts.setdefault("annual", amount)


def _read_period(form: _Form, values: list[str]) -> None:
    form.years = [int(m) for v in values for m in _YEAR.findall(v)]


def _indicator_row(form: _Form, row: Row, form_id: str) -> None:
    cols = form.indicator_columns
    assert cols is not None
    cells = [(i, c.text.strip()) for i, c in enumerate(row.cells) if not c.is_blank]
    if not cells or _continues_split_row(form, row):
        return
    categories: list[tuple[int, str]] = []
    while cells and len(categories) < 2 and cells[0][0] < cols.target and _is_level(cells, cols):
        categories.append(cells.pop(0))
    rest = cells
    level1 = level2 = None
    for index, text in categories:
        name = collapse(text).replace(" ", "")
        if level1 is None and level2 is None and name in LEVEL1_NAMES and index <= cols.level1:
            level1 = name
        else:
            level2 = name
    if level1 is not None:
        form.level1, form.level2 = level1, level2
    elif level2 is not None:
        parent = LEVEL2_PARENT.get(key(level2))
        if parent and parent != form.level1:
            form.level1 = parent
        form.level2 = level2
    if form.level1 is None:
        return
    if not rest:
        if level2 is None:
            return  # a level-1 heading alone: context only
        name_text, target_text = None, None
    elif len(rest) == 1:
        index, text = rest[0]
        name_text, target_text = (None, text) if index >= cols.target else (text, None)
    else:
        name_text = "".join(t for _, t in rest[:-1])
        target_text = rest[-1][1]
    form.last_name = name_text
    level3, unit = split_name_unit(name_text) if name_text else (None, None)
    target = parse_target(target_text) if target_text else None
    form.indicators.append(
        PerformanceIndicator(
            form_id=form_id,
            line_no=len(form.indicators) + 1,
            level1=form.level1,
            level2=form.level2,
            level3=level3 or None,
            unit=unit or (target.unit if target else None),
            comparator=target.comparator if target else None,
            target_value=target.value if target else None,
            target_text=target_text,
            page=row.page,
        )
    )


def _is_level(cells: list[tuple[int, str]], cols: _IndicatorColumns) -> bool:
    """The first cell names a level: it reads like one, or it sits in a level column with a
    name and a target after it (a 二级 name cut short by a page break)."""
    index, text = cells[0]
    return is_category(text) or (index in (cols.level1, cols.level2) and len(cells) > 2)


def _continues_split_row(form: _Form, row: Row) -> bool:
    """A row without a target at the top of a new page is the tail of the indicator the
    page break split: its 一级/二级 and name pieces join the indicator above."""
    cols = form.indicator_columns
    assert cols is not None
    cells = [(i, c.text.strip()) for i, c in enumerate(row.cells) if not c.is_blank]
    if not form.indicators or not cells or any(index >= cols.target for index, _ in cells):
        return False
    last = form.indicators[-1]
    if row.page is None or last.page is None or row.page == last.page:
        return False
    update: dict[str, str | None] = {}
    for index, text in cells:
        if index == cols.level1 and last.level1:
            form.level1 = update["level1"] = join_wrapped([last.level1, text])
        elif index == cols.level2 and last.level2:
            form.level2 = update["level2"] = join_wrapped([last.level2, text])
        elif index >= cols.level3 or index == cols.level2:
            form.last_name = join_wrapped([form.last_name or "", text])
            level3, unit = split_name_unit(form.last_name)
            target = parse_target(last.target_text) if last.target_text else None
            update["level3"] = level3 or None
            update["unit"] = unit or (target.unit if target else None)
    form.indicators[-1] = last.model_copy(update=update)
    return True


def _add_row(form: _Form, row: Row, form_id: str) -> bool:
    """Take one row; False when the row does not belong to this form."""
    name, values = _label_row(row)
    if row.page is not None:
        form.pages.append(row.page)
    if name == "indicators" and form.indicator_columns is None:
        form.indicator_columns = _IndicatorColumns.from_header(row)
        return True
    if form.indicator_columns is not None:
        if name is not None and name != "indicators":
            return False
        _indicator_row(form, row, form_id)
        return True
    if name is None:
        filled = [c.text.strip() for c in row.cells if not c.is_blank]
        if row.cells and row.cells[0].is_blank and form.last_text_field and filled:
            field_name = form.last_text_field  # the tail of a field broken by a page
            form.raw[field_name] = join_page_break(form.raw[field_name], "".join(filled))
            return True
        return not filled
    label = row.filled()[0].text
    if name == "amount":
        _read_amounts(form, label, values)
    elif name == "period":
        _read_period(form, values)
    elif name in TEXT_FIELDS:
        form.raw[name] = "".join(values)
        form.last_text_field = name
        return True
    elif name == "project_name" and "project_name" in form.fields:
        return False  # the next form
    else:
        form.fields[name] = collapse(" ".join(values))
    form.last_text_field = None
    return True


def _goes_on(row: Row) -> bool:
    name, filled = _label_row(row)
    return (name is not None and name != "project_name") or (bool(filled) and row.cells[0].is_blank)


def consume(blocks: Sequence[Block], start: int, document_id: str, ordinal: int) -> tuple[Records, int]:
    form_id = f"{document_id}:{ordinal}"
    form = _Form()
    i = start
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Line):
            resume = next_row_after_lines(blocks, i, _goes_on)
            if resume is None:
                break
            i = resume
            continue
        if not _add_row(form, block, form_id):
            break
        i += 1
    first = blocks[start]
    years = form.years
    record = PerformanceForm(
        form_id=form_id,
        document_id=document_id,
        project_name=form.fields.get("project_name", ""),
        project_type=form.fields.get("project_type"),
        project_level=form.fields.get("project_level"),
        department=form.fields.get("department"),
        start_year=years[0] if years else None,
        end_year=years[-1] if years else None,
        total_amount_yuan=form.amounts.get("total"),
        annual_amount_yuan=form.amounts.get("annual"),
        basis=paragraphs(form.raw["basis"]) if "basis" in form.raw else None,
        overview=paragraphs(form.raw["overview"]) if "overview" in form.raw else None,
        overall_goal=paragraphs(form.raw["overall_goal"]) if "overall_goal" in form.raw else None,
        page_start=min(form.pages) if form.pages else None,
        page_end=max(form.pages) if form.pages else None,
        engine=first.engine if isinstance(first, Row) and first.engine else None,
    )
    return Records(performance_forms=[record], performance_indicators=form.indicators), i
