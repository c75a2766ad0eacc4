"""A spreadsheet's sheet → blocks; shared by the XLSX and XLS extractors.

The extractors hand over each sheet as a grid of display texts plus its merged
ranges. Here: the first cell of a merged range keeps the text, the others are
covered; every row is padded to the sheet's used width (a table's rows must
line up); empty rows are dropped. A row with a single filled cell is running
text (titles, 附件 labels, notes) rather than a table row when it lies above
the sheet's first table row (a right-aligned ``单位：万元`` too), or when its
cell is in the first column and merged across or follows an empty row. The
sheet name comes first as a line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fiscaldoc.model.document import Block, Cell, Line, Row

_NUMERIC_PLACES = 15
"""Significant digits a spreadsheet keeps; more is binary-float noise."""


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Sheet:
    name: str
    grid: list[list[str]]
    merges: list[Merge] = field(default_factory=list)


def _format_section(number_format: str | None) -> str:
    return (number_format or "General").split(";")[0]


def number_text(value: int | float | Decimal, number_format: str | None = None) -> str:
    """A stored number as the sheet shows it: decimals, thousands separators and ``%`` from
    the number format; General shows it plainly, without float artefacts or exponent."""
    exact = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.{_NUMERIC_PLACES}g}")
    section = _format_section(number_format)
    if section.lower() == "general" or not any(ch in section for ch in "0#"):
        return format(exact.normalize(), "f")
    percent = "%" in section
    if percent:
        exact *= 100
    numeric = section.split("%")[0]
    places = sum(1 for ch in numeric.split(".", 1)[1] if ch in "0#") if "." in numeric else 0
    grouping = "," if "," in numeric else ""
    shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{shown:{grouping}f}" + ("%" if percent else "")


def value_text(value: Any, number_format: str | None = None) -> str:
    """Any cell value as text: numbers per their format, dates ISO, text as stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return number_text(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _covered(merges: Sequence[Merge]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Covered positions, and the first cells of ranges merged across columns."""
    covered: set[tuple[int, int]] = set()
    across: set[tuple[int, int]] = set()
    for m in merges:  # merged ranges are few: a loop per cell is fine
        for r in range(m.first_row, m.last_row + 1):
            for c in range(m.first_col, m.last_col + 1):
                if (r, c) != (m.first_row, m.first_col):
                    covered.add((r, c))
        if m.last_col > m.first_col:
            across.add((m.first_row, m.first_col))
    return covered, across


def sheet_blocks(sheet: Sheet, engine: str) -> Iterator[Block]:
    yield Line(sheet.name)
    used = [c for row in sheet.grid for c, text in enumerate(row) if text.strip()]
    if not used:
        return
    first, last = min(used), max(used)
    covered, across = _covered(sheet.merges)
    spans = {
        (m.first_row, m.first_col): (m.last_row - m.first_row + 1, m.last_col - m.first_col + 1)
        for m in sheet.merges
    }
    after_gap, in_table = True, False
    for r, texts in enumerate(sheet.grid):
        padded = [*texts, *[""] * (last + 1 - len(texts))][first : last + 1]
        filled = [c for c, text in enumerate(padded) if text.strip()]
        if not filled:
            after_gap = True
            continue
        if len(filled) == 1 and (not in_table or (filled == [0] and (after_gap or (r, first) in across))):
            yield Line(padded[filled[0]].strip())
            continue
        after_gap, in_table = False, True
        yield Row(
            tuple(
                Cell("", covered=True)
                if (r, first + c) in covered
                else Cell(text.strip(), span=spans.get((r, first + c), (1, 1)))
                for c, text in enumerate(padded)
            ),
            engine=engine,
        )
