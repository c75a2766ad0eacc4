"""Word documents (.docx) through python-docx: body paragraphs → lines, tables → rows.

Blocks follow the body's order. Merges are read from the cell XML, where Word
keeps them: ``w:gridSpan`` (a cell spanning grid columns) yields the cell and
then covered positions; ``w:vMerge="continue"`` (a cell continuing the one
above) is a covered position with no text. A cell's paragraphs are joined by
``\\n``. Word has no fixed pages, so page and bbox stay unknown.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.titles import leading_titles
from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "python-docx"


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    name: str = qn(tag)
    return name


def paragraph_text(p: Any) -> str:
    """A ``w:p`` element's text as Word shows it: every ``w:t`` of the paragraph, also inside
    insertions, smart tags, fields and hyperlinks (deleted text is ``w:delText``, so left
    out); tabs and breaks as ``\t``/``\n``. Paragraphs nested in text boxes are their own."""
    marks = {_qn("w:t"): None, _qn("w:tab"): "\t", _qn("w:br"): "\n", _qn("w:cr"): "\n"}
    para = _qn("w:p")
    parts: list[str] = []
    for el in p.iter(*marks):
        owner = el.getparent()
        while owner is not None and owner.tag != para:
            owner = owner.getparent()
        if owner is not p:
            continue
        mark = marks[el.tag]
        parts.append(el.text or "" if mark is None else mark)
    return "".join(parts)


def _tc_property(tc: Any, name: str) -> str | None:
    """``w:tcPr/w:<name>/@w:val``; ``""`` when the element is there without a value."""
    pr = tc.find(_qn("w:tcPr"))
    el = pr.find(_qn(f"w:{name}")) if pr is not None else None
    if el is None:
        return None
    value: str | None = el.get(_qn("w:val"))
    return value or ""


def cell_text(tc: Any) -> str:
    """A cell's paragraphs, trimmed, joined by ``\\n``; empty paragraphs dropped."""
    parts = (paragraph_text(p).strip() for p in tc.iter(_qn("w:p")))
    return "\n".join(p for p in parts if p)


def _cells_of(tr: Any) -> Iterator[Any]:
    """A row's ``w:tc`` elements, also those wrapped in content controls (``w:sdt``)."""
    for child in tr.iterchildren():
        if child.tag == _qn("w:tc"):
            yield child
        elif child.tag == _qn("w:sdt"):
            content = child.find(_qn("w:sdtContent"))
            if content is not None:
                yield from _cells_of(content)


def _grid_skip(tr: Any, name: str) -> int:
    """``w:trPr/w:gridBefore`` or ``w:gridAfter``: grid columns the row leaves out."""
    pr = tr.find(_qn("w:trPr"))
    el = pr.find(_qn(f"w:{name}")) if pr is not None else None
    return int(el.get(_qn("w:val")) or 0) if el is not None else 0


def row_cells(tr: Any) -> list[Cell]:
    cells = [Cell("") for _ in range(_grid_skip(tr, "gridBefore"))]
    for tc in _cells_of(tr):
        span = int(_tc_property(tc, "gridSpan") or 1)
        # vMerge without a value means "continue" (ECMA-376 §17.4.85).
        continued = _tc_property(tc, "vMerge") in ("", "continue")
        cells.append(Cell("", covered=True) if continued else Cell(cell_text(tc), span=(1, span)))
        cells.extend(Cell("", covered=True) for _ in range(span - 1))
    cells.extend(Cell("") for _ in range(_grid_skip(tr, "gridAfter")))
    return cells


def table_rows(tbl: Any) -> Iterator[Row]:
    """The table's rows, each padded to the table's grid width (its rows must line up)."""
    rows = [row_cells(tr) for tr in tbl.iterchildren(_qn("w:tr"))]
    grid = tbl.find(_qn("w:tblGrid"))
    columns = len(grid.findall(_qn("w:gridCol"))) if grid is not None else 0
    width = max([len(r) for r in rows] + [columns])
    grid = [cells + [Cell("")] * (width - len(cells)) for cells in rows]
    for cells in _with_row_spans(grid, [vmerged(tr) for tr in tbl.iterchildren(_qn("w:tr"))]):
        yield Row(tuple(cells), engine=ENGINE)


def vmerged(tr: Any) -> set[int]:
    """Grid columns of a row whose cell continues the one above (``w:vMerge`` continue)."""
    out: set[int] = set()
    col = _grid_skip(tr, "gridBefore")
    for tc in _cells_of(tr):
        span = int(_tc_property(tc, "gridSpan") or 1)
        if _tc_property(tc, "vMerge") in ("", "continue"):
            out.update(range(col, col + span))
        col += span
    return out


def _with_row_spans(grid: list[list[Cell]], continued: list[set[int]]) -> list[list[Cell]]:
    """Each first cell of a vertical merge knows how many rows it spans."""
    for r, cells in enumerate(grid):
        for c, cell in enumerate(cells):
            if cell.covered:
                continue
            rows = 1
            while r + rows < len(grid) and c in continued[r + rows]:
                rows += 1
            if rows > 1:
                cells[c] = replace(cell, span=(rows, cell.span[1]))
    return grid


def body_blocks(element: Any) -> Iterator[Block]:
    """Paragraphs and tables of a body (or content control) in document order."""
    for child in element.iterchildren():
        if child.tag == _qn("w:p"):
            text = paragraph_text(child).strip()
            if text:
                yield Line(text)
        elif child.tag == _qn("w:tbl"):
            yield from leading_titles(table_rows(child))
        elif child.tag == _qn("w:sdt"):
            content = child.find(_qn("w:sdtContent"))
            if content is not None:
                yield from body_blocks(content)


def _open(path: Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise UnreadableDocument(f"damaged or not a Word document: {exc}") from exc


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    document = _open(path)
    blocks = list(body_blocks(document.element.body))
    return RawDocument(media_type="docx", engine=ENGINE, blocks=blocks)
