"""A budget table's rows → its layout: header rows, column paths, column roles, groups.

Engine-agnostic: the rows may come from a PDF grid, a spreadsheet or a Word table. The
header is the run of rows at the top that hold no figure, no numbered label and no total
row; merged header cells (``Cell.span``) give every column its header path, top to bottom
(``本年支出 → 基本支出 → 人员经费``). A column is a label (科目编码, 科目名称, 行次) or an
amount by its header words, or by its contents where the header says nothing. Label
columns that follow amount columns start a new group: the 支出 half of a two-sided
收支总表, or the second column block of an economic-classification table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from fiscaldoc.lexicon.numbers import parse_number
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import (
    BUDGET_ROWNO_WORDS,
    budget_label_header,
    is_total_label,
    ordinal_level,
)
from fiscaldoc.model.document import Cell, Row

Role = str  # "code" | "name" | "rowno" | "amount"
_DIGITS = re.compile(r"^\d{1,9}$")
_DASHES = frozenset({"-", "--", "—", "——", "－", "–", "/"})
_METADATA = re.compile(r"^(?:编制(?:部门|单位)|单位名称|部门名称|预算单位|金额单位|单位[:：])")


def amount_of(text: str) -> tuple[bool, Decimal | None]:
    """Whether a cell's text is a figure, and which: 0 for a printed dash."""
    k = key(text)
    if not k:
        return False, None
    if k in _DASHES:
        return True, Decimal(0)
    value = parse_number(text)
    return (value is not None), value


def is_blank_row(row: Row) -> bool:
    return all(c.is_blank for c in row.cells)


def is_metadata_row(row: Row) -> bool:
    """编制单位：… | 单位：元 rows inside a grid (a spreadsheet, an in-grid title block)."""
    filled = row.filled()
    return (
        bool(filled)
        and all(_METADATA.match(key(c.text)) for c in filled[:1])
        and not any(amount_of(c.text)[0] for c in filled)
    )


def _figure_cells(row: Row) -> list[int]:
    return [i for i, c in enumerate(row.cells) if not c.covered and amount_of(c.text)[0]]


def is_column_numbers_row(row: Row) -> bool:
    """栏次 rows (``栏次 | 1 | 2 | 3``) and bare 1..n numbering under a header."""
    filled = [c for c in row.cells if not c.covered and not c.is_blank]
    if not filled:
        return False
    if any(w in key(filled[0].text) for w in BUDGET_ROWNO_WORDS):
        return True
    numbers = [key(c.text) for c in filled]
    if len(numbers) < 3 or not all(_DIGITS.match(n) and len(n) <= 2 for n in numbers):
        return False
    values = [int(n) for n in numbers]
    return values == list(range(values[0], values[0] + len(values)))


@dataclass
class Group:
    """One block of columns: its label columns and the amount columns they describe."""

    code_cols: list[int] = field(default_factory=list)
    name_col: int | None = None
    rowno_col: int | None = None
    amount_cols: list[int] = field(default_factory=list)
    side: str | None = None

    @property
    def label_cols(self) -> list[int]:
        cols = [*self.code_cols, *([self.name_col] if self.name_col is not None else [])]
        return sorted(cols)


@dataclass
class Layout:
    width: int
    header: list[Row]
    paths: list[tuple[str, ...]]
    roles: list[Role]
    groups: list[Group]
    absorbed: set[tuple[int, int]] = field(default_factory=set)
    """(id(row), column) of header words printed in a data row (see ``_absorb_subheaders``)."""

    def measure(self, col: int) -> str:
        return "/".join(self.paths[col])


def _owners(header: list[Row], width: int) -> list[list[tuple[int, int]]]:
    """For every header position, the cell whose (merged) extent covers it."""
    owner: list[list[tuple[int, int] | None]] = [[None] * width for _ in header]
    for r, row in enumerate(header):
        for c, cell in enumerate(row.cells[:width]):
            if cell.covered:
                continue
            rows, cols = cell.span
            for rr in range(r, min(r + rows, len(header))):
                for cc in range(c, min(c + cols, width)):
                    if owner[rr][cc] is None:
                        owner[rr][cc] = (r, c)
    out: list[list[tuple[int, int]]] = []
    for r, row in enumerate(header):
        line: list[tuple[int, int]] = []
        for c in range(width):
            found = owner[r][c]
            if found is None:
                here = row.cells[c] if c < len(row.cells) else None
                if here is not None and here.covered:
                    # A merge the reader gave no extent for: the cell to its left in the same
                    # row, else the one above.
                    found = line[c - 1] if c > 0 else (out[r - 1][c] if r > 0 else (r, c))
                else:
                    found = (r, c)
            line.append(found)
        out.append(line)
    return out


def header_paths(header: list[Row], width: int) -> list[tuple[str, ...]]:
    """Each column's header texts top to bottom (comparison keys), a merged cell once."""
    owners = _owners(header, width)
    paths: list[tuple[str, ...]] = []
    for c in range(width):
        seen: list[tuple[int, int]] = []
        texts: list[str] = []
        for r in range(len(header)):
            o = owners[r][c]
            if o in seen:
                continue
            seen.append(o)
            row = header[o[0]]
            text = key(row.cells[o[1]].text) if o[1] < len(row.cells) else ""
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        paths.append(tuple(texts))
    return paths


def _is_label_path(path: tuple[str, ...]) -> bool:
    return any(budget_label_header(p) for p in path)


def _label_role(path: tuple[str, ...]) -> Role:
    if any(w in p for p in path for w in BUDGET_ROWNO_WORDS):
        return "rowno"
    if any(p in ("类", "款", "项") or "编码" in p or "代码" in p for p in path):
        return "code"
    return "name"


def _content_role(values: list[str]) -> Role | None:
    """A column's role from what it holds, where its header says nothing."""
    filled = [key(v) for v in values if key(v)]
    if not filled:
        return None
    figures = [v for v in filled if amount_of(v)[0]]
    if len(figures) < len(filled) * 0.6:
        glued = sum(1 for v in filled if re.match(r"^\d{3,7}\D", v))
        return "code" if glued >= len(filled) * 0.6 else "name"
    codes = [v for v in figures if _DIGITS.match(v) and len(v) in (3, 5, 7)]
    if len(codes) >= len(figures) * 0.8 and not any("," in v or "." in v for v in figures):
        return "code"
    return "amount"


def _starts_data(row: Row, header: list[Row], width: int) -> bool:
    """Whether ``row`` is past the header: it holds a figure, a numbered label, or a total
    label in a column the header calls a label column."""
    if _figure_cells(row):
        return True
    filled = [(i, c) for i, c in enumerate(row.cells) if not c.covered and not c.is_blank]
    if not filled:
        return False
    first_col, first = filled[0]
    if ordinal_level(first.text) is not None:
        return True
    if is_total_label(first.text):
        if not header:
            return len(filled) == 1
        paths = header_paths(header, width)
        return first_col < len(paths) and _is_label_path(paths[first_col])
    return False


def split_header(rows: list[Row]) -> tuple[list[Row], int]:
    """The header rows at the top and the index of the first row after them."""
    width = max((len(r.cells) for r in rows), default=0)
    header: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if is_blank_row(row) or is_metadata_row(row):
            if header and is_blank_row(row):
                if not any(c.covered for c in row.cells):
                    break
                header.append(row)  # a spacer row inside merged header cells keeps its place
            i += 1
            continue
        if is_column_numbers_row(row) or _starts_data(row, header, width):
            break
        header.append(row)
        i += 1
    return header, i


def _absorb_subheaders(paths: list[tuple[str, ...]], data: list[Row], width: int) -> set[tuple[int, int]]:
    """Header words printed in the first total row's amount cells (a template whose last header
    level shares the 合计 row: ``合计 | | | 合计 | 基本支出 | 项目支出``) extend those columns'
    paths; the cells are not amounts."""
    absorbed: set[tuple[int, int]] = set()
    for row in data[:3]:
        if _figure_cells(row):
            break
        cells = enumerate(row.cells[:width])
        filled = [(c, cell) for c, cell in cells if not cell.covered and not cell.is_blank]
        if not filled or not is_total_label(filled[0][1].text):
            continue
        for c, cell in filled[1:]:
            text = key(cell.text)
            if paths[c] and not _is_label_path(paths[c]) and len(text) <= 10 and not amount_of(text)[0]:
                paths[c] = (*paths[c], text)
                absorbed.add((id(row), c))
    return absorbed


def layout_of(header: list[Row], data: list[Row], two_sided: bool) -> Layout:
    """Paths, roles and groups of the table's columns."""
    width = max([len(r.cells) for r in header] + [len(r.cells) for r in data[:50]] + [0])
    paths: list[tuple[str, ...]] = header_paths(header, width) if header else [() for _ in range(width)]
    absorbed = _absorb_subheaders(paths, data, width)
    roles: list[Role] = []
    for c in range(width):
        values = [
            r.cells[c].text
            for r in data
            if c < len(r.cells) and not r.cells[c].covered and (id(r), c) not in absorbed
        ]
        by_content = _content_role(values)
        if _is_label_path(paths[c]):
            role = _label_role(paths[c])
            if role == "name" and by_content == "amount" and any("," in v or "." in v for v in values):
                role = "amount"  # a header that merely sits over figures
        elif paths[c]:
            # A header that names no label column heads figures, whatever their digits look like.
            role = "name" if by_content == "name" and not _has_figures(values) else "amount"
        else:
            role = by_content or "amount"
        roles.append(role)
    groups = _groups(roles, paths, two_sided)
    return Layout(width=width, header=header, paths=paths, roles=roles, groups=groups, absorbed=absorbed)


def _has_figures(values: list[str]) -> bool:
    return any(amount_of(v)[0] for v in values)


def _has_separators(values: list[str]) -> bool:
    return any("," in v or "." in v for v in values)


def _groups(roles: list[Role], paths: list[tuple[str, ...]], two_sided: bool) -> list[Group]:
    groups: list[Group] = []
    current = Group()
    for c, role in enumerate(roles):
        if role != "amount" and current.amount_cols:
            groups.append(current)
            current = Group()
        if role == "code":
            current.code_cols.append(c)
        elif role == "name":
            if current.name_col is None:
                current.name_col = c
        elif role == "rowno":
            current.rowno_col = c
        else:
            current.amount_cols.append(c)
    if current.amount_cols or current.label_cols:
        groups.append(current)
    groups = [g for g in groups if g.amount_cols] or groups[:1]
    if len(groups) >= 2:
        for index, group in enumerate(groups):
            cols = [*group.label_cols, *group.amount_cols]
            band = "".join(paths[c][0] for c in cols if paths[c])
            if "收入" in band and "支出" not in band:
                group.side = "income"
            elif "支出" in band and "收入" not in band:
                group.side = "expenditure"
            elif two_sided:
                group.side = "income" if index == 0 else "expenditure"
    return groups


def widen(row: Row, width: int) -> tuple[Cell, ...]:
    """A row's cells padded to the table's width (a short row's missing cells are blank)."""
    cells = row.cells[:width]
    return cells + tuple(Cell("", page=row.page) for _ in range(width - len(cells)))


def column_spans(rows: list[Row], width: int) -> list[tuple[float, float] | None]:
    """Each column's x-extent, from cells of full-width rows that span one column."""
    spans: list[tuple[float, float] | None] = [None] * width
    for row in rows:
        if len(row.cells) != width:
            continue
        for c, cell in enumerate(row.cells):
            if spans[c] is None and not cell.covered and cell.span[1] == 1 and cell.bbox is not None:
                spans[c] = (cell.bbox[0], cell.bbox[2])
    return spans


def align(row: Row, width: int, spans: list[tuple[float, float] | None]) -> tuple[Cell, ...]:
    """A row whose cell count differs from the table's, placed on the table's columns: by the
    cells' boxes where known, else by taking its first cell for a merged label."""
    if len(row.cells) == width:
        return row.cells
    out: list[Cell] = [Cell("", page=row.page) for _ in range(width)]
    placed = False
    if all(s is not None for s in spans):
        cells = [c for c in row.cells if not c.covered]
        if all(c.bbox is not None for c in cells):
            for cell in cells:
                assert cell.bbox is not None
                x0, _, x1, _ = cell.bbox
                cols = [
                    i for i, s in enumerate(spans) if s is not None and x0 - 1 <= (s[0] + s[1]) / 2 <= x1 + 1
                ]
                if not cols:
                    continue
                out[cols[0]] = Cell(cell.text, page=cell.page, bbox=cell.bbox, span=(1, len(cols)))
                for extra in cols[1:]:
                    out[extra] = Cell("", page=cell.page, covered=True)
            placed = True
    if not placed:
        cells = list(row.cells)
        if len(cells) < width and cells:
            missing = width - len(cells)
            cells = [cells[0], *[Cell("", page=row.page, covered=True) for _ in range(missing)], *cells[1:]]
        out = cells[:width]
    return tuple(out)
