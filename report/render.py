"""The work done on a document's file, in an isolated worker (:mod:`fiscaldoc.report.workers`):
pages drawn to images with pdfium, boxes found by text for rows that have none, and the
blocks of a file that has no pages (a spreadsheet, a Word file, a text dump).

Everything here is called in a child process with time and memory limits, since the file
is untrusted and pdfium is C++; arguments and results are plain picklable data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscaldoc.model.settings import ReadingLimits

Points = tuple[float, float, float, float]
"""x0, top, x1, bottom in PDF points, origin at the page's top left."""


@dataclass(frozen=True)
class Search:
    """Find a row by its text: the first needle (a name) anchors it, in reading order after
    the rows before it; later needles (its amount) widen the box along the same line."""

    anchor: str
    needles: tuple[str, ...]


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


def _locate(page: Any, height: float, searches: tuple[Search, ...]) -> dict[str, Points]:
    textpage = page.get_textpage()
    found: dict[str, list[Points]] = {}

    def boxes(needle: str) -> list[Points]:
        if needle not in found:
            found[needle] = []
            searcher = textpage.search(needle, match_case=True)
            while (hit := searcher.get_next()) is not None:
                box = _span_box(textpage, hit[0], hit[1], height)
                if box is not None:
                    found[needle].append(box)
        return found[needle]

    out: dict[str, Points] = {}
    after: dict[str, tuple[float, float]] = {}
    """Per table (the anchor's prefix), the reading position of its last row found: a
    table's rows come in order, so a name printed twice is taken at the next place."""
    for search in searches:
        table = search.anchor.split("-", 1)[0]
        first, *others = [n for n in search.needles if n.strip()] or [""]
        hits = boxes(first) if first else []
        if not hits:
            continue
        start = after.get(table, (0.0, 0.0))
        box = next((b for b in hits if (b[1], b[0]) >= start), hits[0])
        after[table] = (box[1] + 0.5, box[0])
        for other in others:
            same_line = [b for b in boxes(other) if _same_line(b, box) and b[0] >= box[0] - 1]
            if same_line:
                box = _union(box, min(same_line, key=lambda b: b[0]))
        out[search.anchor] = box
    textpage.close()
    return out


def _span_box(textpage: Any, start: int, count: int, height: float) -> Points | None:
    chars = [textpage.get_charbox(i) for i in range(start, start + count)]
    chars = [c for c in chars if c[2] > c[0]]
    if not chars:
        return None
    left, bottom = min(c[0] for c in chars), min(c[1] for c in chars)
    right, top = max(c[2] for c in chars), max(c[3] for c in chars)
    return (float(left), height - float(top), float(right), height - float(bottom))


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
