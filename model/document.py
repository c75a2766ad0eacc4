"""The intermediate document every extractor produces.

Raw strings only: no amounts are parsed here. Every cell and line keeps its
provenance (page, bbox, engine) so a loaded value can be traced back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


def format_bbox(bbox: BBox | None) -> str | None:
    """The contract's ``x0,top,x1,bottom`` text, rounded to 0.1 pt."""
    if bbox is None:
        return None
    return ",".join(f"{v:.1f}" for v in bbox)


@dataclass(frozen=True)
class Cell:
    """One table cell.

    ``text`` has wrapped lines already rejoined; ``\\n`` marks a paragraph
    break inside the cell. ``covered`` is true for a grid position hidden by
    a merged (spanning) cell, whose text lives in the cell that spans it;
    ``span`` is that merged cell's extent in grid positions, ``(rows,
    columns)``, where the reader knows it (so a header row's ``本年支出`` can
    be seen to stand over the three columns below it). ``confidence`` is the OCR engine's
    (0-1, the least of the cell's pieces) for a cell read from a scan; None for a text layer.
    """

    text: str
    page: int | None = None
    bbox: BBox | None = None
    covered: bool = False
    span: tuple[int, int] = (1, 1)
    confidence: float | None = None

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Row:
    """A table row in reading order; rows of tables split over pages follow
    each other in the stream, which is how continuations are stitched."""

    cells: tuple[Cell, ...]
    page: int | None = None
    bbox: BBox | None = None
    engine: str = ""

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    def filled(self) -> list[Cell]:
        return [c for c in self.cells if not c.is_blank]


@dataclass(frozen=True)
class Line:
    """A line of running text outside any table (titles, labels, notes)."""

    text: str
    page: int | None = None
    bbox: BBox | None = None


Block = Row | Line


@dataclass(frozen=True)
class Alternative:
    """A second opinion an extractor can give on request: another engine's reading of the
    same file (read only when the first reading's arithmetic does not hold)."""

    engine: str
    read: Callable[[], RawDocument]


@dataclass
class RawDocument:
    """What an extractor returns: blocks in reading order plus facts about the file."""

    media_type: str
    engine: str
    blocks: list[Block] = field(default_factory=list)
    page_count: int | None = None
    text_source: str | None = None
    problems: list[str] = field(default_factory=list)
    """Non-fatal trouble (a page that could not be read, say): makes the document ``partial``."""
    notes: list[str] = field(default_factory=list)
    """What the reader changed on a second look that a person may want to see (figures OCR
    re-read): reported in ``parse_reports``, never a reason for ``partial``."""
    alternatives: tuple[Alternative, ...] = field(default=(), repr=False, compare=False)
    """Second opinions, cheapest first; the pipeline reads them only when it needs to."""

    def rows(self) -> list[Row]:
        return [b for b in self.blocks if isinstance(b, Row)]
