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
from pathlib import Path
from typing import Any

from extractors.errors import UnreadableDocument
from fiscaldoc.document import Block, Cell, Line, RawDocument, Row

ENGINE = "python-docx"


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    name: str = qn(tag)
    return name


def paragraph_text(p: Any) -> str:
    """A ``w:p`` element's text as Word shows it (runs, tabs, breaks): python-docx's ``CT_P.text``."""
    text: str = p.text
    return text


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


def row_cells(tr: Any) -> list[Cell]:
    cells: list[Cell] = []
    for tc in tr.iterchildren(_qn("w:tc")):
        span = int(_tc_property(tc, "gridSpan") or 1)
        # vMerge without a value means "continue" (ECMA-376 §17.4.85).
        continued = _tc_property(tc, "vMerge") in ("", "continue")
        cells.append(Cell("", covered=True) if continued else Cell(cell_text(tc)))
        cells.extend(Cell("", covered=True) for _ in range(span - 1))
    return cells


def table_rows(tbl: Any) -> Iterator[Row]:
    for tr in tbl.iterchildren(_qn("w:tr")):
        yield Row(tuple(row_cells(tr)), engine=ENGINE)


def body_blocks(element: Any) -> Iterator[Block]:
    """Paragraphs and tables of a body (or content control) in document order."""
    for child in element.iterchildren():
        if child.tag == _qn("w:p"):
            text = paragraph_text(child).strip()
            if text:
                yield Line(text)
        elif child.tag == _qn("w:tbl"):
            yield from table_rows(child)
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


def extract(path: Path) -> RawDocument:
    document = _open(path)
    blocks = list(body_blocks(document.element.body))
    return RawDocument(media_type="docx", engine=ENGINE, blocks=blocks)
