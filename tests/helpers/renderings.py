"""Renderings of the seed generated from its text dump: the same content in other layouts.

Tests write these files themselves (no committed binaries); each must yield
the seed's truth records.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

from fiscaldoc.extractors.aligned import display_width

from helpers.truth import SEED

SEED_TEXT = (SEED / "000_4ea89972e077d80e.txt").read_text(encoding="utf-8")
MAX_COLUMN = 120
"""Longer cells overflow their column, as they do in real fixed-width dumps."""


def seed_lines() -> list[str | list[str]]:
    """The seed's lines: a list of cells for a table row, a string for anything else."""
    return [line.split("\t") if "\t" in line else line for line in SEED_TEXT.splitlines()]


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def _tables(lines: list[str | list[str]]) -> list[list[int]]:
    """Indexes of each table's rows: consecutive rows, blank lines allowed between."""
    groups: list[list[int]] = []
    last_was_row = False
    for i, line in enumerate(lines):
        if isinstance(line, list):
            if not last_was_row:
                groups.append([])
            groups[-1].append(i)
            last_was_row = True
        elif line.strip():
            last_was_row = False
    return groups


def space_aligned() -> str:
    """Tabs replaced by padding to each table's column widths (display width, CJK two)."""
    lines = seed_lines()
    out: list[str] = [line if isinstance(line, str) else "" for line in lines]
    for group in _tables(lines):
        rows = [lines[i] for i in group]
        columns = max(len(r) for r in rows)
        widths = [
            min(max(display_width(r[c]) for r in rows if c < len(r)), MAX_COLUMN) for c in range(columns)
        ]
        for i in group:
            cells = lines[i]
            assert isinstance(cells, list)
            out[i] = "  ".join(_pad(c, widths[n]) for n, c in enumerate(cells)).rstrip()
    return "\n".join(out) + "\n"


def as_csv() -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in seed_lines():
        writer.writerow(line if isinstance(line, list) else ([line] if line.strip() else []))
    return buffer.getvalue()


# --- spreadsheets -----------------------------------------------------------------------------

Grid = list[list[str | int]]


def _as_value(text: str) -> str | int:
    """Whole numbers are stored as numbers (seq, amounts); everything else as text."""
    plain = text.replace(",", "")
    return int(plain) if plain.isdigit() and not text.startswith("0") else text


def seed_sections() -> tuple[list[str | list[str]], list[str | list[str]]]:
    """The seed split before the performance form's title: (allocation part, form part)."""
    lines = seed_lines()
    cut = next(i for i, line in enumerate(lines) if isinstance(line, str) and "绩效目标" in line)
    return lines[:cut], lines[cut:]


def vertical_merges(rows: list[list[str]]) -> list[tuple[int, int, int]]:
    """``(column, first row, last row)`` spans the seed's layout implies: a 用款单位/备注 cell
    over the following numbered rows left blank; 一级/二级指标 over the indicator rows below."""
    spans: list[tuple[int, int, int]] = []
    is_item = [bool(r) and r[0].strip().isdigit() for r in rows]
    indicator_start = next((i for i, r in enumerate(rows) if r and r[0] == "绩效指标"), len(rows))
    for c in range(5):
        for i, row in enumerate(rows):
            if c >= len(row) or not row[c].strip():
                continue
            j = i
            if is_item[i] and c in (1, 4):
                while j + 1 < len(rows) and is_item[j + 1] and not rows[j + 1][c].strip():
                    j += 1
            elif i > indicator_start and c in (1, 2):
                while (
                    j + 1 < len(rows)
                    and len(rows[j + 1]) > c
                    and not any(x.strip() for x in rows[j + 1][: c + 1])
                ):
                    j += 1
            if j > i:
                spans.append((c, i, j))
    return spans


def write_sheet(ws: Any, lines: list[str | list[str]], top: int = 1, left: int = 1) -> None:
    """Lines from row ``top``, column ``left``: text lines as one cell, table rows as cells,
    with the layout's vertical merges and a form field's value merged across the row."""
    rows = [line if isinstance(line, list) else [] for line in lines]
    for i, line in enumerate(lines):
        r = top + i
        if isinstance(line, str):
            if line.strip():
                ws.cell(r, left, line)
            continue
        for c, text in enumerate(line):
            if text.strip():
                cell = ws.cell(r, left + c, _as_value(text))
                if "," in text and isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        filled = [c for c, t in enumerate(line) if t.strip()]
        if filled == [0, 1] and len(line) > 2:
            ws.merge_cells(start_row=r, start_column=left + 1, end_row=r, end_column=left + len(line) - 1)
    for c, first, last in vertical_merges(rows):
        ws.merge_cells(start_row=top + first, start_column=left + c, end_row=top + last, end_column=left + c)


def seed_workbook(path: Path, *, split_sheets: bool) -> Path:
    """The seed as a workbook: one sheet starting at B3, or one sheet per table."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if split_sheets:
        plan, form = seed_sections()
        ws.title = "附件8"
        write_sheet(ws, plan)
        write_sheet(wb.create_sheet("绩效目标表"), form)
    else:
        ws.title = "Sheet1"
        write_sheet(ws, seed_lines(), top=3, left=2)
    wb.save(path)
    return path


def seed_xls(path: Path) -> Path:
    """The seed as a legacy .xls (BIFF8, written by xlwt), one sheet per table, with merges."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    thousands = xlwt.easyxf(num_format_str="#,##0")
    for name, lines in zip(("附件8", "绩效目标表"), seed_sections(), strict=True):
        ws = book.add_sheet(name)
        rows = [line if isinstance(line, list) else [] for line in lines]
        spans = vertical_merges(rows)
        hidden = {(r, c) for c, first, last in spans for r in range(first + 1, last + 1)}
        for i, line in enumerate(lines):
            if isinstance(line, str):
                if line.strip():
                    ws.write(i, 0, line)
                continue
            filled = [c for c, t in enumerate(line) if t.strip()]
            across = filled == [0, 1] and len(line) > 2
            for c, text in enumerate(line):
                if not text.strip() or (i, c) in hidden:
                    continue
                value = _as_value(text)
                style = thousands if "," in text and isinstance(value, int) else xlwt.Style.default_style
                if across and c == 1:
                    ws.write_merge(i, i, 1, len(line) - 1, value, style)
                elif any(c == sc and i == first for sc, first, _ in spans):
                    last = next(last for sc, first, last in spans if sc == c and first == i)
                    ws.write_merge(i, last, c, c, value, style)
                else:
                    ws.write(i, c, value, style)
    book.save(str(path))
    return path


# --- HTML -------------------------------------------------------------------------------------


def _html_cell(text: str) -> str:
    """Cell content: the dump's ``<p>`` markup as real paragraphs, other text escaped."""
    return text if "<p" in text else html.escape(text)


def seed_html(charset: str = "utf-8") -> str:
    """The seed as an HTML export: titles as paragraphs, tables with rowspan/colspan."""
    lines = seed_lines()
    body: list[str] = []
    i = 0
    for group in [*_tables(lines), []]:
        end = group[0] if group else len(lines)
        body.extend(f"<p>{html.escape(line)}</p>" for line in lines[i:end] if isinstance(line, str) and line)
        if not group:
            break
        rows = [lines[k] if isinstance(lines[k], list) else [] for k in range(group[0], group[-1] + 1)]
        spans = vertical_merges([r for r in rows if isinstance(r, list)])  # type: ignore[misc]
        starts = {(first, c): last - first + 1 for c, first, last in spans}
        hidden = {(r, c) for c, first, last in spans for r in range(first + 1, last + 1)}
        body.append("<table border='1'>")
        for r, cells in enumerate(rows):
            if not cells:
                continue
            filled = [c for c, t in enumerate(cells) if t.strip()]
            across = filled == [0, 1] and len(cells) > 2
            tds = []
            for c, text in enumerate(cells):
                if (r, c) in hidden or (across and c > 1):
                    continue
                attrs = f" rowspan='{starts[(r, c)]}'" if (r, c) in starts else ""
                attrs += f" colspan='{len(cells) - 1}'" if across and c == 1 else ""
                tds.append(f"<td{attrs}>{_html_cell(text)}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        body.append("</table>")
        i = group[-1] + 1
    head = f"<head><meta charset='{charset}'><title>附件</title></head>"
    return "<!DOCTYPE html>\n<html>" + head + "<body>\n" + "\n".join(body) + "\n</body></html>\n"
