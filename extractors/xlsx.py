"""Excel workbooks (.xlsx) through openpyxl: every sheet, in order, as blocks.

Cached values are read (``data_only``), so a formula shows the figure Excel
last computed. The workbook is not opened read-only: openpyxl's read-only
sheets do not expose merged ranges, and merges carry meaning here (a merged
用款单位 spans its rows). Attachments are small; the zip limits guard size.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.sheet import Merge, Sheet, sheet_blocks, value_text
from fiscaldoc.model.document import RawDocument
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "openpyxl"


def read_sheet(ws: Any) -> Sheet:
    grid = [
        [value_text(cell.value, cell.number_format) if cell.value is not None else "" for cell in row]
        for row in ws.iter_rows()
    ]
    merges = [
        Merge(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
    ]
    return Sheet(name=ws.title, grid=grid, merges=merges)


def _open(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableDocument(f"damaged or not an Excel workbook: {exc}") from exc


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    workbook = _open(path)
    doc = RawDocument(media_type="xlsx", engine=ENGINE)
    try:
        for ws in workbook.worksheets:
            doc.blocks.extend(sheet_blocks(read_sheet(ws), ENGINE))
    finally:
        workbook.close()
    return doc
