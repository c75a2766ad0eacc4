"""Table cells of a PDF page: its characters dealt out to cells, each cell's lines rejoined.

Shared by every PDF reader (ruled tables, whitespace grids, key/value forms), so a
cell reads the same whichever reader found it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from fiscaldoc.extractors import textlines
from fiscaldoc.lexicon.text import join_wrapped
from fiscaldoc.model.document import BBox


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


def as_bbox(obj: Any) -> BBox:
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
    boxes = [as_bbox(c) for c in cells]
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


def grid_spans(cells: list[Any]) -> Any:
    """For a table's cell boxes: a function giving each box's extent in grid positions
    ``(rows, columns)``, counted on the table's own column and row boundaries."""
    xs = sorted({round(float(v), 1) for c in cells for v in (c[0], c[2])})
    ys = sorted({round(float(v), 1) for c in cells for v in (c[1], c[3])})

    def span(box: Any) -> tuple[int, int]:
        x0, top, x1, bottom = (round(float(v), 1) for v in box)
        columns = bisect_left(xs, x1) - bisect_left(xs, x0)
        rows = bisect_left(ys, bottom) - bisect_left(ys, top)
        return (max(1, rows), max(1, columns))

    return span
