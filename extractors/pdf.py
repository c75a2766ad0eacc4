"""Born-digital PDFs through pdfplumber: ruled tables as rows of cells, other text as lines.

Steps per page, each small and named: find ruled tables → read each cell's
lines → rejoin wrapped lines (paragraph breaks where a line stops short) →
lines outside tables → blocks in reading order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors import textlines
from extractors.errors import UnreadableDocument
from extractors.pdfium_pages import open_fast
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


class CellIndex:
    """Which cell of a table a point falls in, by bisecting the table's grid lines.

    Built once per table, so a page's characters are dealt out to the cells in one
    pass instead of cropping the page once per cell.
    """

    def __init__(self, cells: list[tuple[float, float, float, float]]) -> None:
        self.xs = sorted({v for c in cells for v in (c[0], c[2])})
        self.ys = sorted({v for c in cells for v in (c[1], c[3])})
        self.slots: dict[tuple[int, int], int] = {}
        for n, (x0, top, x1, bottom) in enumerate(cells):
            for i in range(bisect_left(self.xs, x0), bisect_left(self.xs, x1)):
                for j in range(bisect_left(self.ys, top), bisect_left(self.ys, bottom)):
                    self.slots.setdefault((i, j), n)

    def find(self, x: float, y: float) -> int | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        i = min(bisect_right(self.xs, x), len(self.xs) - 1) - 1
        j = min(bisect_right(self.ys, y), len(self.ys) - 1) - 1
        return self.slots.get((i, j))


def _clipped(char: dict[str, Any], box: tuple[float, float, float, float]) -> dict[str, Any]:
    """The character as ``page.crop(box)`` shows it: its box cut to the cell's."""
    x0, top, x1, bottom = box
    if x0 <= char["x0"] and char["x1"] <= x1 and top <= char["top"] and char["bottom"] <= bottom:
        return char
    out = dict(char)
    out["x0"], out["x1"] = max(char["x0"], x0), min(char["x1"], x1)
    out["top"], out["bottom"] = max(char["top"], top), min(char["bottom"], bottom)
    if "doctop" in out:
        out["doctop"] = char["doctop"] + out["top"] - char["top"]
    out["width"], out["height"] = out["x1"] - out["x0"], out["bottom"] - out["top"]
    return out


def cell_chars(chars: list[dict[str, Any]], cells: list[Any]) -> list[list[dict[str, Any]]]:
    """Each character to the cell its centre falls in (page order kept), clipped to that cell."""
    boxes = [_bbox(c) for c in cells]
    index = CellIndex(boxes)
    out: list[list[dict[str, Any]]] = [[] for _ in boxes]
    for char in chars:
        n = index.find((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        if n is not None:
            out[n].append(_clipped(char, boxes[n]))
    return out


def text_lines(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pdfplumber's own text lines (``extract_text_lines``) of a set of characters."""
    if not chars:
        return []
    if all(c.get("upright", False) for c in chars):
        return textlines.text_lines(chars)  # the same lines, without the text map's cost
    from pdfplumber.utils.text import chars_to_textmap

    lines: list[dict[str, Any]] = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False)
    return lines


def table_rows(page: Any, table: Any, page_no: int) -> Iterator[Row]:
    by_cell = dict(zip(table.cells, cell_chars(page.chars, table.cells), strict=True))
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:
                cells.append(Cell("", page=page_no, covered=True))
                continue
            cells.append(Cell(cell_text(text_lines(by_cell[box])), page=page_no, bbox=_bbox(box)))
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


def page_blocks(page: Any, page_no: int, settings: PdfSettings = SETTINGS) -> list[Block]:
    tables = page.find_tables(dict(settings.table_settings))
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


class _Pages:
    """One PDF's pages: through pdfium where it reads a page the way pdfplumber would (fast),
    through pdfplumber otherwise; each parser opens the file at most once, pdfplumber only
    when a page needs it."""

    def __init__(self, path: Path, fast: bool = True) -> None:
        self.path = path
        self.fast = open_fast(path) if fast else None
        self._pdf: Any = None if self.fast is not None else _open(path)

    @property
    def pdf(self) -> Any:
        if self._pdf is None:
            self._pdf = _open(self.path)
        return self._pdf

    def __len__(self) -> int:
        return len(self.fast) if self.fast is not None else len(self.pdf.pages)

    def fast_blocks(self, page_no: int) -> list[Block] | None:
        return None if self.fast is None else self.fast.blocks(page_no - 1, page_no, page_blocks)

    def plumber(self, page_no: int) -> Any:
        return self.pdf.pages[page_no - 1]

    def close(self) -> None:
        if self.fast is not None:
            self.fast.close()
        if self._pdf is not None:
            self._pdf.close()


def extract(path: Path) -> RawDocument:
    return _extract(path, fast=True)


def extract_careful(path: Path) -> RawDocument:
    """pdfplumber for every page: the reference reading, for a document whose amounts do not
    add up when read through the fast path."""
    return _extract(path, fast=False)


def _extract(path: Path, fast: bool) -> RawDocument:
    doc = RawDocument(media_type="pdf", engine=ENGINE)
    sources: set[str] = set()
    pages = _Pages(path, fast)
    try:
        doc.page_count = len(pages)
        for page_no in range(1, doc.page_count + 1):
            if (blocks := pages.fast_blocks(page_no)) is not None:
                sources.add("native")
                doc.blocks.extend(blocks)
                continue
            page = pages.plumber(page_no)
            chars = page.chars
            if not chars:
                sources.add("ocr")
                doc.problems.append(f"page {page_no}: no text layer (scanned?); OCR not run")
            elif garbled_share(chars) > SETTINGS.garbled_ratio:
                sources.add("ocr")
                doc.problems.append(f"page {page_no}: garbled text layer (CID/private-use glyphs)")
            else:
                sources.add("native")
                doc.blocks.extend(page_blocks(page, page_no))
            page.close()
    finally:
        pages.close()
    if not doc.page_count:
        raise UnreadableDocument("PDF has no pages")
    doc.text_source = "mixed" if len(sources) > 1 else (sources.pop() if sources else None)
    return doc
