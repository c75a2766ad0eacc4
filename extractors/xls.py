"""Legacy Excel workbooks (.xls, BIFF) through xlrd: every sheet, in order, as blocks.

``formatting_info`` is on: xlrd only reports merged ranges and number formats
with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.sheet import Merge, Sheet, sheet_blocks, value_text
from fiscaldoc.model.document import RawDocument
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "xlrd"
LEGACY_OTHERS = (".doc", ".ppt", ".wps", ".et")
"""Other formats in the same OLE2 container as .xls: recognised only to say so."""


def _cell_text(book: Any, sheet: Any, r: int, c: int) -> str:
    import xlrd

    cell = sheet.cell(r, c)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        return value_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map.get(xf.format_key)
        return value_text(cell.value, fmt.format_str if fmt else None)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return value_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return value_text(cell.value)


def read_sheet(book: Any, sheet: Any) -> Sheet:
    grid = [[_cell_text(book, sheet, r, c) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
    merges = [Merge(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
    return Sheet(name=sheet.name, grid=grid, merges=merges)


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    import xlrd
    from xlrd.compdoc import CompDocError

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, CompDocError) as exc:
        if path.suffix.lower() in LEGACY_OTHERS:
            raise UnreadableDocument(
                f"legacy Office file ({path.suffix}) is not supported: save it as .docx/.xlsx"
            ) from exc
        raise UnreadableDocument(f"damaged or not an .xls workbook: {exc}") from exc
    doc = RawDocument(media_type="xls", engine=ENGINE)
    try:
        for index in range(book.nsheets):
            doc.blocks.extend(sheet_blocks(read_sheet(book, book.sheet_by_index(index)), ENGINE))
    finally:
        book.release_resources()
    return doc
