"""Born-digital PDFs through pdfplumber: ruled tables as rows of cells, other text as lines.

Steps per page, each small and named: find ruled tables → read each cell's
lines → rejoin wrapped lines (paragraph breaks where a line stops short) →
lines outside tables → blocks in reading order.
"""

from __future__ import annotations

import io
import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fiscaldoc.extractors import textlines
from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.pdf_borderless import Carry
from fiscaldoc.extractors.pdfium_pages import PageView, open_fast
from fiscaldoc.lexicon.text import join_wrapped
from fiscaldoc.model.document import BBox, Block, Cell, Line, RawDocument, Row

ENGINE = "pdfplumber-lines"
MAX_PAGES = 2000
MAX_PAGES_ENV = "FISCALDOC_MAX_PAGES"


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


def _open(stream: io.BufferedReader) -> Any:
    import pdfplumber

    with _explained():
        return pdfplumber.open(stream)


@contextmanager
def _explained() -> Iterator[None]:
    """pdfminer's failures (pdfplumber wraps them) as one line a person can act on."""
    try:
        yield
    except UnreadableDocument:
        raise
    except Exception as exc:
        from pdfplumber.utils.exceptions import PdfminerException

        inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(inner, MemoryError):
            raise inner from exc  # the isolation worker reports its memory limit
        raise UnreadableDocument(pdf_failure(inner)) from exc


def pdf_failure(exc: BaseException) -> str:
    """Why pdfminer could not read a PDF, phrased for the person holding the file."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psexceptions import PSEOF

    detail = " ".join(str(exc).split())[:200]
    if isinstance(exc, PDFPasswordIncorrect):
        return "encrypted PDF: it needs a password to open; ask the sender for an unprotected copy"
    if isinstance(exc, PDFEncryptionError):
        return f"encrypted PDF with an unsupported protection scheme ({detail or type(exc).__name__})"
    if isinstance(exc, PSEOF):
        return "damaged PDF: the file ends early (truncated download or copy?); get a complete copy"
    if isinstance(exc, RecursionError):
        return "damaged PDF: objects nested too deeply to read"
    if "/Root" in detail:
        return "damaged PDF: no document catalog (/Root); it is not a readable PDF"
    return f"damaged PDF ({type(exc).__name__}: {detail}); re-export or re-download it"


def problem_summary(problems: list[tuple[int, str]]) -> list[str]:
    """Per-page problems grouped by kind: ``pages 1-3, 7: no text layer …`` rather than one each."""
    pages: dict[str, list[int]] = {}
    for page_no, problem in problems:
        pages.setdefault(problem, []).append(page_no)
    return [f"{_page_ranges(numbers)}: {problem}" for problem, numbers in pages.items()]


def _page_ranges(numbers: list[int], shown: int = 5) -> str:
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    text = ", ".join(parts[:shown]) + (f" and {len(parts) - shown} more" if len(parts) > shown else "")
    return ("page " if len(numbers) == 1 else "pages ") + text


def max_pages() -> int:
    """Page limit per PDF: FISCALDOC_MAX_PAGES, default :data:`MAX_PAGES`."""
    raw = os.environ.get(MAX_PAGES_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_PAGES


def _declared_pages(pdf: Any) -> int | None:
    """The page count the page tree claims (cheap: no page is parsed)."""
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(pdf.doc.catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    except Exception:
        return None
    return count if isinstance(count, int) else None


PageOutcome = tuple[list[Block], Carry, bool]
"""A page's blocks, what it leaves open for the next page, and whether it held ruled tables."""


def read_page(page: Any, page_no: int, carry: Carry, words_only: bool = False) -> PageOutcome:
    """One page, pdfplumber's or pdfium's view of it: ruled tables where the page has rules
    (unless ``words_only``), the whitespace reader elsewhere."""
    from fiscaldoc.extractors.pdf_borderless import page_blocks as borderless_blocks

    tables = [] if words_only else find_tables(page)
    if tables:
        return page_blocks(page, page_no, tables=tables), Carry(), True
    blocks, carry = borderless_blocks(page, page_no, carry)
    return blocks, carry, False


def read_fast_page(view: PageView, page_no: int, carry: Carry, words_only: bool) -> PageOutcome | None:
    """:func:`read_page` on pdfium's view, or None when the reader asks the view for a part of
    pdfplumber's Page API it does not offer (that page is then pdfplumber's to read)."""
    try:
        return read_page(view, page_no, carry, words_only)
    except AttributeError as exc:
        if exc.obj is view:
            return None
        raise


class _Careful:
    """pdfplumber's reading of the file, opened only when a page needs it: a file the fast
    path reads whole is opened once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: io.BufferedReader | None = None
        self.pdf: Any = None
        self.pages: list[Any] | None = None

    def _opened(self) -> Any:
        if self.pdf is None:
            self.stream = self.path.open("rb")
            self.pdf = _open(self.stream)
        return self.pdf

    def page_count(self, limit: int) -> int:
        declared = _declared_pages(self._opened())
        if declared is not None and declared > limit:
            raise UnreadableDocument(_too_many(f"declares {declared}", limit))
        return len(self._pages())

    def _pages(self) -> list[Any]:
        if self.pages is None:
            with _explained():
                self.pages = list(self._opened().pages)
        return self.pages

    def page(self, index: int) -> Any | None:
        pages = self._pages()
        return pages[index] if index < len(pages) else None

    def close(self) -> None:
        # Not ``pdf.close()`` unless its pages were listed: that would parse every page first.
        if self.pages is not None:
            self.pdf.close()
        if self.stream is not None:
            self.stream.close()


def read(path: Path, words_only: bool = False, fast: bool = True) -> tuple[RawDocument, list[int], bool]:
    """The first parse, page by page (:func:`read_page`): through pdfium's view of a page where
    it can be trusted to equal pdfplumber's (``fast``), through pdfplumber otherwise. Also the
    pages with a usable text layer, and whether any ruled table was read."""
    doc = RawDocument(media_type="pdf", engine=ENGINE)
    sources: set[str] = set()
    problems: list[tuple[int, str]] = []
    limit = max_pages()
    good: list[int] = []
    ruled = False
    quick = open_fast(path) if fast else None
    careful = _Careful(path)
    try:
        doc.page_count = len(quick) if quick is not None else careful.page_count(limit)
        if doc.page_count > limit:
            raise UnreadableDocument(_too_many(f"has {doc.page_count}", limit))
        carry = Carry()
        for index in range(doc.page_count):
            page_no = index + 1
            view = quick.view(index) if quick is not None else None
            outcome = read_fast_page(view, page_no, carry, words_only) if view is not None else None
            if outcome is None:
                with _explained():
                    page = careful.page(index)
                    if page is None:
                        problems.append((page_no, "page missing from pdfminer's page tree; not read"))
                        continue
                    chars = page.chars
                    if not chars:
                        problem = "no text layer (scanned?); OCR not run"
                    elif garbled_share(chars) > SETTINGS.garbled_ratio:
                        problem = "garbled text layer (CID/private-use glyphs); OCR not run"
                    else:
                        problem = ""
                        outcome = read_page(page, page_no, carry, words_only)
                    page.close()
                if outcome is None:
                    sources.add("ocr")
                    problems.append((page_no, problem))
                    continue
            sources.add("native")
            good.append(page_no)
            blocks, carry, page_ruled = outcome
            ruled = ruled or page_ruled
            doc.blocks.extend(blocks)
    finally:
        if quick is not None:
            quick.close()
        careful.close()
    if not doc.page_count:
        raise UnreadableDocument("PDF has no pages")
    doc.problems.extend(problem_summary(problems))
    doc.text_source = "mixed" if len(sources) > 1 else (sources.pop() if sources else None)
    return doc, good, ruled


def extract_careful(path: Path) -> RawDocument:
    """pdfplumber's own reading of every page: the reference the fast path is measured against."""
    return read(path, fast=False)[0]


def extract(path: Path) -> RawDocument:
    """The first parse, or a second opinion when its arithmetic does not reconcile (pdf_choice)."""
    from functools import partial

    from fiscaldoc.extractors import pdf_camelot
    from fiscaldoc.pipeline.choice import choose

    first, good, ruled = read(path)
    others: list[Callable[[Path], RawDocument]] = []
    if ruled:
        others.append(extract_careful)
        others.append(lambda p: read(p, words_only=True)[0])
    if good:
        others.append(partial(pdf_camelot.extract, flavor="lattice", pages=good))
        others.append(partial(pdf_camelot.extract, flavor="stream", pages=good))
    return choose(path, first, others)


def _too_many(what: str, limit: int) -> str:
    return f"PDF {what} pages, over the limit of {limit} ({MAX_PAGES_ENV}); split it or raise the limit"
