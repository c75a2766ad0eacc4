"""A page's words as plain geometry, and the groupings every whitespace layout needs.

Words come from pdfplumber (split at spaces and gaps); they are grouped into
text lines (vertical overlap), lines into blocks (consecutive lines at the
spacing of wrapped text), and the x-axis is searched for gutters (the x that
the fewest words cross) to find column boundaries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.model.document import BBox


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top or 10.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def page_words(page: Any) -> list[Word]:
    return [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
        if w["text"].strip()
    ]


@dataclass(frozen=True)
class Span:
    """Words that belong together (a text line, or a block of lines), in reading order."""

    words: tuple[Word, ...]
    # The box, worked out once: spans are measured far more often than made.
    x0: float = field(init=False, repr=False, compare=False)
    x1: float = field(init=False, repr=False, compare=False)
    top: float = field(init=False, repr=False, compare=False)
    bottom: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = self.words or (Word("", 0.0, 0.0, 0.0, 0.0),)  # Span(()): a column without a header
        object.__setattr__(self, "x0", min(w.x0 for w in words))
        object.__setattr__(self, "x1", max(w.x1 for w in words))
        object.__setattr__(self, "top", min(w.top for w in words))
        object.__setattr__(self, "bottom", max(w.bottom for w in words))

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return min(w.height for w in self.words)

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)

    @cached_property
    def text(self) -> str:
        """Words of one line joined: pdfplumber split them where the page had a space."""
        return " ".join(w.text for w in self.words)

    def as_line(self) -> dict[str, Any]:
        """The shape ``fiscaldoc.extractors.pdf.cell_text`` reads."""
        return {"text": self.text, "x0": self.x0, "x1": self.x1, "top": self.top, "bottom": self.bottom}


def text_lines(words: Iterable[Word]) -> list[Span]:
    """Words → lines: a word joins a line it overlaps vertically by half its height."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in reversed(lines[-3:]):
            top = min(w.top for w in line)
            bottom = max(w.bottom for w in line)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= LAYOUT.same_line_overlap * min(word.height, bottom - top):
                line.append(word)
                break
        else:
            lines.append([word])
    spans = [Span(tuple(sorted(line, key=lambda w: w.x0))) for line in lines]
    return sorted(spans, key=lambda s: s.top)


def blocks(lines: Sequence[Span]) -> list[list[Span]]:
    """Lines → blocks of wrapped text: a gap taller than ``LAYOUT.wrap_gap`` lines starts a new block."""
    out: list[list[Span]] = []
    for line in sorted(lines, key=lambda s: s.top):
        if out and line.top - out[-1][-1].bottom <= LAYOUT.wrap_gap * line.height:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def merged(spans: Sequence[Span]) -> Span:
    return Span(tuple(w for s in spans for w in s.words))


def gutter(words: Sequence[Word], lo: float, hi: float) -> float:
    """The x in ``[lo, hi]`` crossed by the fewest words: the middle of the widest such run."""
    if hi <= lo:
        return (lo + hi) / 2
    cuts = sorted({lo, hi, *(x for w in words for x in (w.x0, w.x1) if lo < x < hi)})
    best: tuple[int, float, float] | None = None  # (count, -width, mid)
    pieces: list[tuple[float, float, int]] = []
    for a, b in itertools.pairwise(cuts):
        mid = (a + b) / 2
        count = sum(1 for w in words if w.x0 < mid < w.x1)
        pieces.append((a, b, count))
    # Join neighbouring pieces with the same count into runs.
    runs: list[tuple[float, float, int]] = []
    for a, b, count in pieces:
        if runs and runs[-1][2] == count:
            runs[-1] = (runs[-1][0], b, count)
        else:
            runs.append((a, b, count))
    for a, b, count in runs:
        cand = (count, -(b - a), (a + b) / 2)
        if best is None or cand < best:
            best = cand
    assert best is not None
    return best[2]


def split_cells(words: Sequence[Word]) -> list[list[Word]]:
    """Words of one row → cells, split where no word covers a gap wider than ``LAYOUT.cell_gap`` lines."""
    if not words:
        return []
    ordered = sorted(words, key=lambda w: w.x0)
    height = min(w.height for w in ordered)
    cells: list[list[Word]] = [[ordered[0]]]
    right = ordered[0].x1
    for word in ordered[1:]:
        if word.x0 - right > LAYOUT.cell_gap * height:
            cells.append([word])
        else:
            cells[-1].append(word)
        right = max(right, word.x1)
    return cells
