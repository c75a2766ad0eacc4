"""A truth file's tables drawn again as an Excel workbook (one sheet per table), the way budget
offices export them: a merged title row, an 编制部门 | 单位 row, a header whose merged cells
give each column its path, one row per printed row (both sides of a two-sided table on one
row), amounts as numbers with a number format. Reading it back must give the truth."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

Column = tuple[str | None, str, str | None]
Merge = tuple[int, int, int, int, str]


def _columns(table: dict[str, Any]) -> list[Column]:
    """(side, role, measure) per column: each side's label columns, then its amounts."""
    sides = list(dict.fromkeys(ln["side"] for ln in table["lines"])) or [None]
    out: list[Column] = []
    for side in sides:
        lines = [ln for ln in table["lines"] if ln["side"] == side]
        measures = [m for m in table["measures"] if any(ln["measure"] == m for ln in lines)]
        if any(ln["code"] for ln in lines):
            out += [(side, "code", None), (side, "name", None)]
        elif any(ln["name"] for ln in lines):
            out.append((side, "name", None))
        out += [(side, "amount", m) for m in measures]
    return out


def _header(columns: list[Column]) -> tuple[int, list[Merge]]:
    """Header depth and merged cells (row, col, last_row, last_col, text), 0-based."""
    paths = [m.split("/") if m else [] for _, _, m in columns]
    depth = max((len(p) for p in paths), default=1)
    cells: list[Merge] = []
    for c, (_, role, _) in enumerate(columns):
        if role == "code":
            cells.append((0, c, depth - 1, c, "科目编码"))
        elif role == "name":
            cells.append((0, c, depth - 1, c, "科目名称" if columns[c - 1][1] == "code" else "项目"))
    for level in range(depth):
        c = 0
        while c < len(columns):
            path = paths[c]
            if columns[c][1] != "amount" or len(path) <= level:
                c += 1
                continue
            end = c
            while (
                end + 1 < len(columns)
                and columns[end + 1][1] == "amount"
                and paths[end + 1][: level + 1] == path[: level + 1]
                and len(paths[end + 1]) > level
            ):
                end += 1
            last_row = depth - 1 if level == len(path) - 1 else level
            cells.append((level, c, last_row, end, path[level]))
            c = end + 1
    return depth, cells


def write_workbook(truth: dict[str, Any], path: Path, borders: bool = True) -> None:
    """One sheet per table; ``borders`` draws every grid cell's border (as budget offices do), so
    the sheet printed to PDF is a ruled table."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    workbook = Workbook()
    workbook.remove(workbook.active)
    for n, table in enumerate(truth["tables"], start=1):
        sheet = workbook.create_sheet(f"表{n}")
        columns = _columns(table)
        width = len(columns)
        sheet.cell(1, 1, table["title"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.cell(2, 1, f"编制部门：{truth['entity']}")
        sheet.cell(2, width, f"单位：{table['unit']}")
        depth, cells = _header(columns)
        for row, col, last_row, last_col, text in cells:
            sheet.cell(3 + row, 1 + col, text)
            if (last_row, last_col) != (row, col):
                sheet.merge_cells(
                    start_row=3 + row, start_column=1 + col, end_row=3 + last_row, end_column=1 + last_col
                )
        rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in table["lines"]:
            rows[line["row"]].append(line)
        for offset, number in enumerate(sorted(rows)):
            excel_row = 3 + depth + offset
            for c, (side, role, measure) in enumerate(columns):
                cells_of = [ln for ln in rows[number] if ln["side"] == side]
                if not cells_of:
                    continue
                first = cells_of[0]
                if role == "code" and first["code"]:
                    sheet.cell(excel_row, 1 + c, first["code"])
                elif role == "name":
                    sheet.cell(excel_row, 1 + c, first["name"])
                elif role == "amount":
                    line = next((ln for ln in cells_of if ln["measure"] == measure), None)
                    if line is None or line["amount_yuan"] is None:
                        continue
                    value = Decimal(line["amount_text"].replace(",", ""))
                    cell = sheet.cell(excel_row, 1 + c, float(value))
                    places = len(line["amount_text"].split(".")[1]) if "." in line["amount_text"] else 0
                    grouping = "#,##0" if "," in line["amount_text"] or abs(value) >= 1000 else "0"
                    cell.number_format = grouping + ("." + "0" * places if places else "")
        if table.get("empty_note"):
            sheet.cell(3 + depth + len(rows) + 1, 1, table["empty_note"])
        if borders:
            thin = Side(style="thin")
            last_row = 3 + depth + len(rows) - 1
            for row_cells in sheet.iter_rows(min_row=3, max_row=last_row, max_col=width):
                for cell in row_cells:
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        from openpyxl.utils import get_column_letter

        for c, (_, role, _) in enumerate(columns):
            sheet.column_dimensions[get_column_letter(1 + c)].width = {"code": 10, "name": 36}.get(role, 24)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(path)
