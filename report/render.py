"""The work done on a document's file, in an isolated worker (:mod:`fiscaldoc.report.workers`):
pages drawn to images with pdfium, boxes found by text for rows that have none, and the
blocks of a file that has no pages (a spreadsheet, a Word file, a text dump).

Everything here is called in a child process with time and memory limits, since the file
is untrusted and pdfium is C++; arguments and results are plain picklable data.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscaldoc.model.settings import ReadingLimits

Points = tuple[float, float, float, float]
"""x0, top, x1, bottom in PDF points, origin at the page's top left."""


@dataclass(frozen=True)
class Search:
    """Find a record by its text: its row by the name, in reading order after the rows
    before it; then its amount along the same line. A row's box runs from the name to the
    amount; a ``cell`` (a budget line: one amount of a row) is the ``nth`` such amount there."""

    anchor: str
    name: str
    amount: str
    row: str
    """Records of one printed row share it (a budget row's lines): found once, in order."""
    cell: bool = False
    nth: int = 0


@dataclass(frozen=True)
class PdfJob:
    path: str
    image_dir: str
    scale: float
    quality: int
    pages: frozenset[int] | None
    """Pages (from 1) to draw; None: every page."""
    searches: dict[int, tuple[Search, ...]] = field(default_factory=dict)


@dataclass
class PdfPages:
    sizes: list[tuple[float, float]] = field(default_factory=list)
    """Width and height in points, per page."""
    images: dict[int, str] = field(default_factory=dict)
    """Page number → image file name in the job's ``image_dir``."""
    located: dict[str, Points] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def image_name(number: int) -> str:
    return f"p{number:04d}.jpg"


def render_pdf(job: PdfJob) -> PdfPages:
    """Draw the job's pages as JPEG (a page image is written once: an image already there
    is the same page of the same bytes) and locate its searches."""
    import pypdfium2 as pdfium

    out = PdfPages()
    folder = Path(job.image_dir)
    folder.mkdir(parents=True, exist_ok=True)
    pdf = pdfium.PdfDocument(job.path)
    try:
        for index in range(len(pdf)):
            number = index + 1
            page = pdf[index]
            try:
                width, height = page.get_size()
                out.sizes.append((float(width), float(height)))
                if job.pages is None or number in job.pages:
                    _draw(page, folder / image_name(number), job)
                    out.images[number] = image_name(number)
                if number in job.searches:
                    out.located.update(_locate(page, float(height), job.searches[number]))
            except pdfium.PdfiumError as exc:
                out.problems.append(f"page {number}: {exc}")
            finally:
                page.close()
    finally:
        pdf.close()
    return out


def _draw(page: Any, target: Path, job: PdfJob) -> None:
    if target.exists() and target.stat().st_size > 0:
        return
    image = page.render(scale=job.scale, draw_annots=True).to_pil()
    if image.mode != "RGB":
        image = image.convert("RGB")
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    image.save(partial, "JPEG", quality=job.quality)
    partial.replace(target)  # a reader (or a second report) never sees half an image


class _PageText:
    """A page's characters as the contract compares text (NFKC, whitespace removed), each
    mapped back to its box: a name letter-spaced or wrapped over two lines is still found."""

    def __init__(self, page: Any, height: float) -> None:
        self.textpage = page.get_textpage()
        self.height = height
        count = self.textpage.count_chars()
        raw = self.textpage.get_text_range(0, count) if count else ""
        if len(raw) != count:  # characters outside the BMP: read them one by one
            raw = "".join(self.textpage.get_text_range(i, 1) or " " for i in range(count))
        chars: list[str] = []
        self.index: list[int] = []
        for i, ch in enumerate(raw):
            for part in unicodedata.normalize("NFKC", ch):
                if not part.isspace():
                    chars.append(part)
                    self.index.append(i)
        self.text = "".join(chars)
        self._found: dict[str, list[Points]] = {}

    def boxes(self, needle: str) -> list[Points]:
        """Every place ``needle`` is printed, in reading order."""
        wanted = "".join(unicodedata.normalize("NFKC", needle).split())
        if not wanted:
            return []
        if wanted not in self._found:
            found, start = [], self.text.find(wanted)
            while start >= 0:
                box = self._box(start, start + len(wanted))
                if box is not None:
                    found.append(box)
                start = self.text.find(wanted, start + 1)
            self._found[wanted] = found
        return self._found[wanted]

    def _box(self, start: int, end: int) -> Points | None:
        chars = [self.textpage.get_charbox(i) for i in sorted(set(self.index[start:end]))]
        chars = [c for c in chars if c[2] > c[0]]
        if not chars:
            return None
        left, bottom = min(c[0] for c in chars), min(c[1] for c in chars)
        right, top = max(c[2] for c in chars), max(c[3] for c in chars)
        return (float(left), self.height - float(top), float(right), self.height - float(bottom))

    def close(self) -> None:
        self.textpage.close()


def _locate(page: Any, height: float, searches: tuple[Search, ...]) -> dict[str, Points]:
    text = _PageText(page, height)
    out: dict[str, Points] = {}
    rows: dict[str, Points | None] = {}
    after: dict[str, tuple[float, float] | None] = {}
    """Per table (the anchor's prefix), the reading position of its last row found: a
    table's rows come in order, so a name printed twice is taken at the next place."""
    try:
        for search in searches:
            table = search.anchor.split("-", 1)[0]
            if search.row not in rows:
                hits = next((h for h in (text.boxes(n) for n in _prefixes(search.name)) if h), [])
                start = after.get(table)
                found = next((b for b in hits if _after(b, start)), hits[0]) if hits else None
                if found is not None:
                    after[table] = (found[1], found[0])
                rows[search.row] = found
            name = rows[search.row]
            if name is None:
                continue
            along = sorted(
                (b for b in text.boxes(search.amount) if _same_line(b, name) and b[0] >= name[0] - 1),
                key=lambda b: b[0],
            )
            if search.cell:
                if along:
                    out[search.anchor] = along[min(search.nth, len(along) - 1)]
            else:
                out[search.anchor] = _union(name, along[0]) if along else name
    finally:
        text.close()
    return out


def _after(box: Points, start: tuple[float, float] | None) -> bool:
    """``box`` comes after the place ``start`` (top, x0) in reading order: lower on the page,
    or on the same line (within 2 pt) further right."""
    if start is None:
        return True
    top, x0 = start
    return box[1] > top + 2 or (abs(box[1] - top) <= 2 and box[0] > x0 + 0.5)


def _prefixes(name: str) -> list[str]:
    """The name, then shorter beginnings of it: a long name wrapped in its cell may be
    printed around other cells' text."""
    return list(dict.fromkeys(p for p in (name, name[:12], name[:6]) if p.strip()))


def _same_line(a: Points, b: Points) -> bool:
    middle = (a[1] + a[3]) / 2
    return b[1] - 2 <= middle <= b[3] + 2


def _union(a: Points, b: Points) -> Points:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


@dataclass(frozen=True)
class SourceJob:
    path: str
    limits: ReadingLimits
    max_blocks: int


@dataclass
class SourceBlock:
    """A row of cells (``None`` for a position a merged cell covers) or a line of text."""

    page: int | None
    cells: tuple[str | None, ...] | None = None
    text: str | None = None


@dataclass
class SourceBlocks:
    media_type: str
    blocks: list[SourceBlock]
    total: int
    """Blocks the file has (more than ``blocks`` when the job's limit cut them)."""
    problems: list[str] = field(default_factory=list)


def read_source(job: SourceJob) -> SourceBlocks:
    """The file's rows and lines as its extractor reads them."""
    from fiscaldoc.extractors import extract
    from fiscaldoc.model.document import Row

    raw = extract(Path(job.path), job.limits)
    blocks: list[SourceBlock] = []
    for block in raw.blocks[: job.max_blocks]:
        if isinstance(block, Row):
            cells = tuple(None if c.covered else c.text for c in block.cells)
            blocks.append(SourceBlock(block.page, cells=cells))
        else:
            blocks.append(SourceBlock(block.page, text=block.text))
    return SourceBlocks(raw.media_type, blocks, len(raw.blocks), list(raw.problems))
