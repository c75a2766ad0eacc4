"""Born-digital PDFs through pdfplumber: ruled tables as rows of cells, other text as lines.

Steps per page, each small and named: find ruled tables → read each cell's
lines → rejoin wrapped lines (paragraph breaks where a line stops short) →
lines outside tables → blocks in reading order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.errors import UnreadableDocument
from fiscaldoc.document import BBox, Block, Cell, Line, RawDocument, Row
from normalizers.text import join_wrapped

ENGINE = "pdfplumber-lines"


@dataclass(frozen=True)
class PdfSettings:
    """Tuning for the ruled-table path, resolved once per run."""

    table_settings: tuple[tuple[str, Any], ...] = (
        ("vertical_strategy", "lines"),
        ("horizontal_strategy", "lines"),
        ("snap_tolerance", 3),
        ("join_tolerance", 3),
        ("intersection_tolerance", 3),
    )
    short_line_chars: float = 2.5
    """A line ending this many characters short of the cell's longest line ends a paragraph."""
    min_lines_for_paragraphs: int = 3
    garbled_ratio: float = 0.05
    """Share of CID / replacement / private-use glyphs above which a page's text layer is garbage."""


SETTINGS = PdfSettings()


def _is_garbage_char(text: str) -> bool:
    return text.startswith("(cid:") or text == "\ufffd" or any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def garbled_share(chars: list[dict[str, Any]]) -> float:
    if not chars:
        return 0.0
    return sum(1 for c in chars if _is_garbage_char(c["text"])) / len(chars)


def cell_text(lines: list[dict[str, Any]], settings: PdfSettings = SETTINGS) -> str:
    """Lines of one cell → its text: wraps rejoined, ``\\n`` where a paragraph ended."""
    if not lines:
        return ""
    if len(lines) < settings.min_lines_for_paragraphs:
        return join_wrapped([ln["text"] for ln in lines])
    right = max(ln["x1"] for ln in lines)
    size = max((ln["bottom"] - ln["top"]) for ln in lines) or 10.0
    paragraphs: list[list[str]] = [[]]
    for ln in lines:
        paragraphs[-1].append(ln["text"])
        if ln["x1"] < right - settings.short_line_chars * size:
            paragraphs.append([])
    return "\n".join(t for t in (join_wrapped(p) for p in paragraphs) if t)


def _bbox(obj: Any) -> BBox:
    x0, top, x1, bottom = obj
    return (float(x0), float(top), float(x1), float(bottom))


def table_rows(page: Any, table: Any, page_no: int) -> Iterator[Row]:
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:
                cells.append(Cell("", page=page_no, covered=True))
                continue
            lines = page.crop(box).extract_text_lines(return_chars=False)
            cells.append(Cell(cell_text(lines), page=page_no, bbox=_bbox(box)))
        yield Row(tuple(cells), page=page_no, bbox=_row_bbox(row.bbox, cells), engine=ENGINE)


def _row_bbox(row_box: Any, cells: list[Cell]) -> BBox:
    """The row's own band: a merged cell reaching into later rows must not stretch it."""
    x0, top, x1, _ = _bbox(row_box)
    bottoms = [c.bbox[3] for c in cells if c.bbox is not None]
    return (x0, top, x1, min(bottoms) if bottoms else top)


def _outside(bboxes: list[BBox]) -> Any:
    def keep(obj: dict[str, Any]) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)

    return keep


def find_tables(page: Any, settings: PdfSettings = SETTINGS) -> list[Any]:
    tables: list[Any] = page.find_tables(dict(settings.table_settings))
    return tables


def page_blocks(
    page: Any, page_no: int, settings: PdfSettings = SETTINGS, tables: list[Any] | None = None
) -> list[Block]:
    """A page with ruled tables → its rows and the lines outside them, in reading order."""
    tables = find_tables(page, settings) if tables is None else tables
    placed: list[tuple[float, Block]] = []
    for table in tables:
        placed.extend((row.bbox[1] if row.bbox else 0.0, row) for row in table_rows(page, table, page_no))
    bboxes = [_bbox(t.bbox) for t in tables]
    free = page.filter(_outside(bboxes)) if bboxes else page
    for ln in free.extract_text_lines(return_chars=False):
        text = ln["text"].strip()
        if text:
            placed.append(
                (
                    ln["top"],
                    Line(
                        text,
                        page=page_no,
                        bbox=_bbox((ln["x0"], ln["top"], ln["x1"], ln["bottom"])),
                    ),
                )
            )
    placed.sort(key=lambda pair: pair[0])
    return [block for _, block in placed]


def _open(path: Path) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        return pdfplumber.open(path)
    except PDFPasswordIncorrect as exc:
        raise UnreadableDocument("encrypted PDF: it needs a password to open") from exc
    except PDFSyntaxError as exc:
        raise UnreadableDocument(f"damaged PDF: {exc}") from exc


def read(path: Path, words_only: bool = False) -> tuple[RawDocument, list[int], bool]:
    """The pdfplumber parse: ruled tables where a page has rules (unless ``words_only``), the
    whitespace reader elsewhere. Also the pages with a usable text layer, and whether any
    ruled table was read."""
    from extractors.pdf_borderless import Carry
    from extractors.pdf_borderless import page_blocks as borderless_blocks

    doc = RawDocument(media_type="pdf", engine=ENGINE)
    sources: set[str] = set()
    good: list[int] = []
    ruled = False
    carry = Carry()
    with _open(path) as pdf:
        doc.page_count = len(pdf.pages)
        for page_no, page in enumerate(pdf.pages, start=1):
            chars = page.chars
            if not chars:
                sources.add("ocr")
                doc.problems.append(f"page {page_no}: no text layer (scanned?); OCR not run")
            elif garbled_share(chars) > SETTINGS.garbled_ratio:
                sources.add("ocr")
                doc.problems.append(
                    f"page {page_no}: garbled text layer (CID/private-use glyphs); OCR not run"
                )
            else:
                sources.add("native")
                good.append(page_no)
                tables = [] if words_only else find_tables(page)
                if tables:
                    ruled = True
                    doc.blocks.extend(page_blocks(page, page_no, tables=tables))
                    carry = Carry()
                else:
                    blocks, carry = borderless_blocks(page, page_no, carry)
                    doc.blocks.extend(blocks)
            page.close()
    if not doc.page_count:
        raise UnreadableDocument("PDF has no pages")
    doc.text_source = "mixed" if len(sources) > 1 else (sources.pop() if sources else None)
    return doc, good, ruled


def extract(path: Path) -> RawDocument:
    """The first parse, or a second opinion when its arithmetic does not reconcile (pdf_choice)."""
    from functools import partial

    from extractors import pdf_camelot
    from extractors.pdf_choice import choose

    first, good, ruled = read(path)
    others: list[Callable[[Path], RawDocument]] = []
    if ruled:
        others.append(lambda p: read(p, words_only=True)[0])
    if good:
        others.append(partial(pdf_camelot.extract, flavor="lattice", pages=good))
        others.append(partial(pdf_camelot.extract, flavor="stream", pages=good))
    return choose(path, first, others)
