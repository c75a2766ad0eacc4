"""Born-digital PDFs through pdfplumber: ruled tables as rows of cells, other text as lines.

Steps per page, each small and named: find ruled tables → read each cell's
lines → rejoin wrapped lines (paragraph breaks where a line stops short) →
lines outside tables → blocks in reading order.

Each page's text comes from its text layer or, where it has none or a garbled one, from
OCR (:mod:`fiscaldoc.extractors.ocr_page`: the same page readers on a view built from the
image); a page with neither text nor an image (blank, or ruling lines only) is passed over.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.ocr_scans import BudgetSpent, Scans
from fiscaldoc.extractors.pdf_borderless import Carry
from fiscaldoc.extractors.pdf_cells import (
    SETTINGS,
    PdfSettings,
    as_bbox,
    cell_chars,
    cell_text,
    grid_spans,
    text_lines,
)
from fiscaldoc.extractors.pdfium_pages import PageView, open_fast
from fiscaldoc.model.document import Alternative, BBox, Block, Cell, Line, RawDocument, Row
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "pdfplumber-lines"


def _is_garbage_char(text: str) -> bool:
    return text.startswith("(cid:") or text == "\ufffd" or any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def garbled_share(chars: list[dict[str, Any]]) -> float:
    if not chars:
        return 0.0
    return sum(1 for c in chars if _is_garbage_char(c["text"])) / len(chars)


def table_rows(page: Any, table: Any, page_no: int) -> Iterator[Row]:
    by_cell = dict(zip(table.cells, cell_chars(page.chars, table.cells), strict=True))
    span_of = grid_spans(table.cells)
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:
                cells.append(Cell("", page=page_no, covered=True))
                continue
            text = cell_text(text_lines(by_cell[box]))
            cells.append(Cell(text, page=page_no, bbox=as_bbox(box), span=span_of(box)))
        yield Row(tuple(cells), page=page_no, bbox=_row_bbox(row.bbox, cells), engine=ENGINE)


def _row_bbox(row_box: Any, cells: list[Cell]) -> BBox:
    """The row's own band: a merged cell reaching into later rows must not stretch it."""
    x0, top, x1, _ = as_bbox(row_box)
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
    bboxes = [as_bbox(t.bbox) for t in tables]
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
                        bbox=as_bbox((ln["x0"], ln["top"], ln["x1"], ln["bottom"])),
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

    page = on_page(page)
    tables = [] if words_only else find_tables(page)
    if tables:
        return page_blocks(page, page_no, tables=tables), Carry(), True
    blocks, carry = borderless_blocks(page, page_no, carry)
    return blocks, carry, False


def on_page(page: Any) -> Any:
    """The page without the characters drawn outside its box: text an exporter leaves off the
    page (a hidden print title, a stray label) is seen by nobody and must not join a row.
    pdfium's view is clipped as it is made (:func:`.pdfium_pages.page_chars`)."""
    if isinstance(page, PageView) or getattr(page, "rotation", 0) % 360:
        return page  # a turned page's box and its characters' coordinates differ in pdfplumber
    x0, top, x1, bottom = page.bbox

    def inside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type", "char") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return bool(x0 <= cx <= x1 and top <= cy <= bottom)

    return page if all(inside(c) for c in page.chars) else page.filter(inside)


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


MAX_SCAN_PIXELS = 100_000_000
"""An image larger than this (a 10000 × 10000 scan is 600 dpi on a 16-inch page) is no scan of
a page: it is not OCR'd (decoding it alone would take gigabytes)."""


def page_source(page: Any) -> str:
    """Where a pdfplumber page's text must come from: ``native`` (its text layer), ``ocr`` (no
    text layer, or a garbled one, over an image or drawn shapes), ``none`` (no text and
    nothing drawn but ruling lines: a blank page, not a scan), or a problem to report."""
    chars = page.chars
    if chars and garbled_share(chars) <= SETTINGS.garbled_ratio:
        return "native"
    if not chars and not page.images and not page.curves:
        return "none"
    sizes = [tuple(i.get("srcsize") or (0, 0)) for i in page.images]
    huge = next(((w, h) for w, h in sizes if w * h > MAX_SCAN_PIXELS), None)
    if huge is not None:
        layer = "garbled text layer" if chars else "no text layer"
        return f"{layer}; its image ({huge[0]}×{huge[1]} px) is too large to OCR"
    return "ocr"


def read_scanned(
    scans: Scans, index: int, page_no: int, carry: Carry, words_only: bool
) -> PageOutcome | None:
    """A page without a usable text layer through OCR: the page readers on OCR's view of it
    (None: the image holds no text, a blank scan)."""
    from fiscaldoc.extractors.ocr_cells import finish

    scanned = scans.page(index)
    if scanned is None:
        return None
    blocks, carry, ruled = read_page(scanned.view, page_no, carry, words_only)
    return finish(blocks, scanned), carry, ruled


def read(
    path: Path,
    limits: ReadingLimits | None = None,
    words_only: bool = False,
    fast: bool = True,
    scans: Scans | None = None,
) -> tuple[RawDocument, list[int], bool]:
    """The first parse, page by page (:func:`read_page`): through pdfium's view of a page where
    it can be trusted to equal pdfplumber's (``fast``), through pdfplumber otherwise, through
    OCR (``scans``, shared by every reading of the file) where the text layer is missing or
    garbled. Also the pages with a usable text layer, and whether any ruled table was read."""
    limits = limits or ReadingLimits()
    scans = Scans(path, limits.ocr_budget_s) if scans is None else scans
    doc = RawDocument(media_type="pdf", engine=ENGINE)
    sources: set[str] = set()
    problems: list[tuple[int, str]] = []
    limit = limits.max_pages
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
            source = "native"
            if outcome is None:
                with _explained():
                    page = careful.page(index)
                    if page is None:
                        problems.append((page_no, "page missing from pdfminer's page tree; not read"))
                        continue
                    source = page_source(page)
                    if source == "native":
                        outcome = read_page(page, page_no, carry, words_only)
                    page.close()
                if source not in ("native", "ocr", "none"):
                    problems.append((page_no, source))
                    continue
                if source == "ocr":
                    try:
                        outcome = read_scanned(scans, index, page_no, carry, words_only)
                    except BudgetSpent:
                        problems.append((page_no, _budget_spent(limits)))
                        continue
                if outcome is None:
                    continue  # a blank page, or a scan of one
            sources.add(source)
            if source == "native":
                good.append(page_no)
            blocks, carry, page_ruled = outcome
            ruled = ruled or page_ruled
            doc.blocks.extend(blocks)
    finally:
        if quick is not None:
            quick.close()
        careful.close()
        scans.close()
    if not doc.page_count:
        raise UnreadableDocument("PDF has no pages")
    doc.problems.extend(problem_summary(problems))
    doc.text_source = "mixed" if len(sources) > 1 else (sources.pop() if sources else None)
    if doc.text_source == "ocr":
        doc.engine = "ocr"
    return doc, good, ruled


def _budget_spent(limits: ReadingLimits) -> str:
    return f"not read: OCR time budget of {limits.ocr_budget_s:g} s spent (FISCALDOC_OCR_BUDGET_S)"


def extract_careful(
    path: Path, limits: ReadingLimits | None = None, scans: Scans | None = None
) -> RawDocument:
    """pdfplumber's own reading of every page: the reference the fast path is measured against."""
    return read(path, limits or ReadingLimits(), fast=False, scans=scans)[0]


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    """The first reading, with the second opinions the pipeline may ask for when its
    arithmetic does not hold: pdfplumber on every page and the whitespace reader on every
    page (where rules were read), camelot lattice (where rules were read: it finds tables by
    their rules, about a second a page) and stream (pages with a text layer)."""
    from fiscaldoc.extractors import pdf_camelot

    limits = limits or ReadingLimits()
    scans = Scans(path, limits.ocr_budget_s)
    first, good, ruled = read(path, limits, scans=scans)
    others: list[Alternative] = []
    if scans:
        others.append(Alternative("ocr-reread", lambda: _reread(path, limits, scans)))
    if ruled:
        others.append(Alternative(ENGINE, lambda: extract_careful(path, limits, scans)))
        others.append(
            Alternative("pdfplumber-words", lambda: read(path, limits, words_only=True, scans=scans)[0])
        )
    if good and ruled:  # lattice reads tables from drawn rules: none read, none to find
        lattice = partial(pdf_camelot.extract, path, "lattice", good)
        others.append(Alternative("camelot-lattice", lattice))
    if good:
        others.append(Alternative("camelot-stream", partial(pdf_camelot.extract, path, "stream", good)))
    first.alternatives = tuple(others)
    return first


def _reread(path: Path, limits: ReadingLimits, scans: Scans) -> RawDocument:
    """The document again with OCR's low-confidence figures re-read; notes say which."""
    again, notes = scans.reread()
    doc = read(path, limits, scans=again)[0]
    doc.notes.extend(notes)
    return doc


def _too_many(what: str, limit: int) -> str:
    return f"PDF {what} pages, over the limit of {limit} (FISCALDOC_MAX_PAGES); split it or raise the limit"
