"""A budget table's data rows → one line per amount cell (contract ``budget_lines``).

Each printed row gives, per column group, its 科目编码 (one column, or 类/款/项 columns
whose 款 and 项 are zero-padded and whose missing 类 is carried down), its name and one
line per amount column. Rows that repeat the header (continuation pages), number the
columns (栏次) or say nothing are skipped and counted; blank cells stay NULL, a printed
``0`` or ``-`` is 0.00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fiscaldoc.lexicon.numbers import to_yuan
from fiscaldoc.lexicon.text import collapse, join_wrapped, key
from fiscaldoc.lexicon.vocabulary import is_total_label
from fiscaldoc.model.document import Cell, Row, format_bbox
from fiscaldoc.model.records import BudgetLine
from fiscaldoc.normalizers.budget_grid import (
    Group,
    Layout,
    align,
    amount_of,
    column_spans,
    is_blank_row,
    is_column_numbers_row,
    is_metadata_row,
)

_GLUED_CODE = re.compile(r"^[\[【(（]?(\d{3}(?:\d{2}){0,2})[\]】)）]?\s*([^\d\s].*)$")
_LEVELS = {3: 1, 5: 2, 7: 3}


@dataclass
class Reading:
    """What the rows gave: the lines, and what was passed over (for the parse report)."""

    lines: list[BudgetLine] = field(default_factory=list)
    rows_seen: int = 0
    rows_read: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Part:
    """One group's share of one printed row."""

    row_index: int
    code: str | None
    name: str
    cells: list[tuple[int, Cell]]
    page: int | None


def cell_text(cell: Cell) -> str:
    """A cell's words with wrapped lines rejoined and runs of spaces collapsed."""
    return collapse(join_wrapped(cell.text.split("\n")))


def _strip_code(printed: str) -> str:
    """The name a cell prints after its code (``[2010101] 行政运行`` → ``行政运行``)."""
    return re.sub(r"^[\[【(（]?[\d\s]+[\]】)）]?\s*", "", printed)


def level_of(code: str | None) -> int | None:
    return _LEVELS.get(len(code)) if code else None


class _Codes:
    """科目编码 of one group's rows; remembers the last 类 for rows that print only 款/项."""

    def __init__(self) -> None:
        self.last_class = ""

    def read(self, cells: tuple[Cell, ...], group: Group) -> tuple[str | None, str]:
        """The row's code (digits) and any name glued to it (``2013802一般行政管理事务``)."""
        parts = [key(cells[c].text) if not cells[c].covered else "" for c in group.code_cols]
        if not any(parts):
            return None, ""
        if len(parts) == 1:
            glued = _GLUED_CODE.match(parts[0])
            if glued:
                return glued.group(1), _strip_code(cell_text(cells[group.code_cols[0]]))
            return (parts[0], "") if parts[0].isdigit() else (None, "")
        if not all(p.isdigit() for p in parts if p):
            return None, ""
        head, *rest = parts
        if not head:
            head = self.last_class
        elif len(head) == 3:
            self.last_class = head
        code = head
        for part in rest:
            if not part:
                break
            # 款 and 项 are printed as two digits (``05``, sometimes ``5``) or as the whole code
            code = part if len(part) > 2 and part.startswith(code) else code + part.zfill(2)
        return code or None, ""


def _part(index: int, cells: tuple[Cell, ...], group: Group, codes: _Codes, skip: set[int]) -> _Part | None:
    code, glued_name = codes.read(cells, group)
    name = cell_text(cells[group.name_col]) if group.name_col is not None else ""
    name = name or glued_name
    if code is None and (glued := _GLUED_CODE.match(key(name))):
        code, name = glued.group(1), _strip_code(name)  # a 科目 column printing code and name
    if not name and code is None:
        label = next((cell_text(cells[c]) for c in group.label_cols if not cells[c].is_blank), "")
        name = label
    amounts = [(c, Cell("", page=cells[c].page) if c in skip else cells[c]) for c in group.amount_cols]
    if not name and code is None and all(c.is_blank for _, c in amounts):
        return None
    page = next((c.page for _, c in amounts if c.page is not None), None)
    return _Part(index, code, name, amounts, page)


def _repeats_header(row: Row, header_keys: set[str], layout: Layout) -> bool:
    """A header row printed again (a continuation page); a 合计 row of an empty table, whose
    label sits in a label column, is not one even when 合计 also heads a column."""
    filled = [(i, key(c.text)) for i, c in enumerate(row.cells) if not c.covered and not c.is_blank]
    if not filled or any(amount_of(t)[0] for _, t in filled):
        return False
    first_col, first = filled[0]
    if is_total_label(first) and first_col < len(layout.roles) and layout.roles[first_col] != "amount":
        return False
    return all(t in header_keys for _, t in filled)


def _is_note(row: Row, width: int) -> bool:
    """A single long text spanning the grid (a note, an in-grid title)."""
    filled = [c for c in row.cells if not c.covered and not c.is_blank]
    if len(filled) != 1 or is_total_label(filled[0].text):
        return False
    return filled[0].span[1] >= max(2, width // 2) or len(key(filled[0].text)) > 30


def read_rows(layout: Layout, rows: list[Row], unit: str, table_id: str) -> Reading:
    """Lines of every data row (``rows`` follow the header, across pages)."""
    out = Reading()
    header_keys = {key(c.text) for r in layout.header for c in r.cells if not c.is_blank}
    spans = column_spans([*layout.header, *rows], layout.width)
    codes = [_Codes() for _ in layout.groups]
    parts: list[list[_Part]] = [[] for _ in layout.groups]
    sided = len(layout.groups) == 1 or all(g.side for g in layout.groups)
    for index, row in enumerate(rows):
        if is_blank_row(row):
            continue
        out.rows_seen += 1
        text = " | ".join(c.text for c in row.cells if not c.is_blank)
        if is_metadata_row(row) or is_column_numbers_row(row) or _repeats_header(row, header_keys, layout):
            out.skipped.append(f"p{row.page}: header or column numbers: {text[:60]}")
            continue
        cells = align(row, layout.width, spans)
        if _is_note(row, layout.width) and not any(amount_of(c.text)[0] for c in cells):
            out.skipped.append(f"p{row.page}: note: {text[:60]}")
            continue
        found = False
        for g, group in enumerate(layout.groups):
            skip = {c for c in range(layout.width) if (id(row), c) in layout.absorbed}
            part = _part(index, cells, group, codes[g], skip)
            if part is not None:
                parts[g].append(part)
                found = True
        if found:
            out.rows_read += 1
        else:
            out.skipped.append(f"p{row.page}: nothing to read: {text[:60]}")
    numbers = _line_numbers(parts, sided)
    for g, group in enumerate(layout.groups):
        for part in parts[g]:
            line_no = numbers[(g, part.row_index)]
            for col, cell in part.cells:
                out.lines.append(_line(table_id, line_no, part, group, layout.measure(col), cell, unit))
    out.lines.sort(key=lambda ln: ln.line_no)
    return out


def _line_numbers(parts: list[list[_Part]], sided: bool) -> dict[tuple[int, int], int]:
    """Row numbers: shared by the sides of a two-sided table; a table printed in column blocks
    (an economic table's 人员经费 | 公用经费 halves) numbers one block after the other."""
    numbers: dict[tuple[int, int], int] = {}
    if sided:
        rows = sorted({p.row_index for group in parts for p in group})
        order = {r: n for n, r in enumerate(rows, start=1)}
        for g, group in enumerate(parts):
            for p in group:
                numbers[(g, p.row_index)] = order[p.row_index]
        return numbers
    n = 0
    for g, group in enumerate(parts):
        for p in group:
            n += 1
            numbers[(g, p.row_index)] = n
    return numbers


def _line(
    table_id: str, line_no: int, part: _Part, group: Group, measure: str, cell: Cell, unit: str
) -> BudgetLine:
    printed = cell.text.strip() if not cell.covered else ""
    is_figure, value = amount_of(printed)
    amount = to_yuan(value, unit) if is_figure and value is not None else None
    return BudgetLine(
        table_id=table_id,
        line_no=line_no,
        code=part.code,
        name=part.name,
        level=level_of(part.code),
        side=group.side,
        measure=measure,
        amount_yuan=amount,
        amount_text=printed if is_figure else "",
        page=cell.page or part.page,
        bbox=format_bbox(cell.bbox),
    )
