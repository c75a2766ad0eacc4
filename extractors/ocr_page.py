"""A scanned page read by OCR into the same view of a page the text-layer readers take.

Steps: render → straighten (±2.5°) → find ruling lines and erase them → detect text lines
once → cut each line where a ruling line crosses it (one piece per cell) → recognise the
pieces in one batch → each piece becomes characters spread over its box, with the
recognition confidence. The ruling lines become edges and the characters chars of a
:class:`PageView`, so the ruled-table reader (cells, merged cells) and the whitespace
reader (borderless grids, forms) read a scan exactly as they read a born-digital page
(:mod:`fiscaldoc.extractors.ocr_cells` then stamps what they read).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from fiscaldoc.extractors import ocr_engine
from fiscaldoc.extractors.ocr_image import (
    Rules,
    Segment,
    Straightened,
    candidates,
    erase,
    is_blank,
    render,
    select,
    straighten,
)
from fiscaldoc.extractors.pdfium_pages import PageView, edge
from fiscaldoc.model.document import BBox

ENGINE = "ocr"
DPI = 200
"""Rendering resolution for OCR: the scans this is for are 150-200 dpi; rendering above the
scan's own resolution adds no detail."""
GLYPH_SHARE = 0.72
"""A detected line box is taller than its glyphs (detection pads it); this share of its
height is taken as the font size."""
NARROW = 0.55
"""Width of a half-width character (digits, Latin, ``.,``) against a CJK one."""
CUT_MARGIN_PX = 3
FIGURE = frozenset("0123456789,.%")
"""Characters of a printed number: the recogniser's jitter never opens a gap inside one
(``82,096,797.42``, not ``82, 096,797.42``); a gap wider than a digit still does (two
amounts of neighbouring columns in one detected line)."""


@dataclass(frozen=True)
class Piece:
    """One recognised piece of a text line (cut at ruling lines), in pixels of the
    straightened page."""

    box: tuple[float, float, float, float]
    text: str
    confidence: float
    marks: tuple[tuple[str, float, float], ...] = ()
    """Each character with its centre (share of the box's width) and confidence, where the
    recogniser placed them."""


@dataclass
class OcrPage:
    """One page as OCR saw it: the view the page readers take, and how to map back."""

    pieces: list[Piece]
    edges: list[dict[str, Any]]
    straight: Straightened
    clean: Any
    """The straightened page with its ruling lines erased (what recognition reads)."""
    cell_reads: dict[BBox, tuple[str, float]] = field(default_factory=dict)
    """Cells read alone (by their box on the straightened page): empty cells holding ink."""

    @property
    def view(self) -> PageView:
        """The page as the page readers take it: rules as edges, pieces as characters."""
        pt = 72 / self.straight.dpi
        chars: list[dict[str, Any]] = []
        for piece in self.pieces:
            if piece.text.strip():
                x0, top, x1, bottom = piece.box
                box = (x0 * pt, top * pt, x1 * pt, bottom * pt)
                chars.extend(piece_chars(piece.text, piece.confidence, box, piece.marks))
        h, w = self.clean.shape
        return PageView(chars=chars, edges=self.edges, bbox=(0.0, 0.0, w * pt, h * pt))

    def to_scan(self, bbox: BBox) -> BBox:
        """A box on the straightened page (points) → the same place on the scan (points)."""
        px = self.straight.dpi / 72
        x0, top, x1, bottom = (v * px for v in bbox)
        corners = [
            self.straight.to_points(x, y) for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom))
        ]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return (round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1))


def _cuts(box: tuple[float, float, float, float], vertical: list[Segment]) -> list[float]:
    """Where ruling lines cross a text box: it holds text of two cells there."""
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2
    return sorted(
        s.x0 for s in vertical if x0 + CUT_MARGIN_PX < s.x0 < x1 - CUT_MARGIN_PX and s.y0 <= middle <= s.y1
    )


def pieces(
    boxes: list[tuple[float, float, float, float]], found: Rules
) -> list[tuple[float, float, float, float]]:
    """Every detected box cut at the vertical ruling lines that cross it."""
    out = []
    for box in boxes:
        x0, top, x1, bottom = box
        edges = [x0, *_cuts(box, found.vertical), x1]
        for a, b in pairwise(edges):
            if b - a > 4:
                out.append((a, top, b, bottom))
    return out


def _weight(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else NARROW


def piece_chars(
    text: str, confidence: float, box: BBox, marks: tuple[tuple[str, float, float], ...] = ()
) -> list[dict[str, Any]]:
    """pdfplumber-shaped characters for one recognised piece (``box`` in points): the glyphs'
    height from the box; each glyph centred where the recogniser placed it (``marks``), so a
    gutter inside a detected line stays a gap, or else spread in proportion (CJK full
    width, digits half) with blanks kept as gaps."""
    x0, top, x1, bottom = box
    height = bottom - top
    size = height * GLYPH_SHARE
    margin = (height - size) / 2
    char_top = top + margin
    if marks:
        placed = [(ch, x0 + share * (x1 - x0), conf) for ch, share, conf in marks]
    else:
        placed = _spread(text.strip(), x0 + margin, max(x0 + margin + 1, x1 - margin), confidence)
    # a character is placed to within half a column of the recogniser's output (a sixth of
    # the box's height: 48-pixel lines, 8 pixels a column); in large print that is more than
    # a word space, so there each character reaches that much further
    halves = [half + max(0.0, height / 8 - 1.0) for half in _half_widths(placed, size)]
    out: list[dict[str, Any]] = []
    previous = x0 - 1
    previous_right, previous_figure = x0, False
    for (ch, centre, conf), half in zip(placed, halves, strict=True):
        left = max(centre - half, previous + 0.01)  # never a step back: that would split a word
        figure = ch in FIGURE
        if figure and previous_figure and left - previous_right < 2 * half:
            left = max(previous_right, previous + 0.01)  # a number is never split by jitter
        previous, previous_right, previous_figure = left, max(centre + half, left + 0.1), figure
        out.append(
            {
                "text": ch,
                "x0": left,
                "x1": max(centre + half, left + 0.1),
                "top": char_top,
                "bottom": char_top + size,
                "doctop": char_top,
                "width": max(centre + half, left + 0.1) - left,
                "height": size,
                "size": size,
                "upright": True,
                "confidence": min(conf, confidence) if marks else confidence,
            }
        )
    return out


def _half_widths(placed: list[tuple[str, float, float]], size: float) -> list[float]:
    """Half of each character's advance: the typical distance between neighbours of its kind
    in the piece (so the letters of a word touch and only a real gap stays one), else its
    share of the font size."""
    pitches: dict[bool, list[float]] = {True: [], False: []}
    for (a, xa, _), (b, xb, _) in pairwise(placed):
        wide_a, wide_b = _weight(a) == 1.0, _weight(b) == 1.0
        if wide_a == wide_b:
            pitches[wide_a].append(xb - xa)
    typical = {
        wide: sorted(found)[len(found) // 2] if found else (size if wide else size * NARROW)
        for wide, found in pitches.items()
    }
    out = []
    for ch, _, _ in placed:
        wide = _weight(ch) == 1.0
        # a pitch far above the size is a gap between words, not the letters' advance
        out.append(min(typical[wide], (1.0 if wide else NARROW) * size) / 2)
    return out


def _spread(text: str, left: float, right: float, confidence: float) -> list[tuple[str, float, float]]:
    total = sum(_weight(ch) for ch in text) or 1.0
    unit = (right - left) / total
    out = []
    x = left
    for ch in text:
        width = _weight(ch) * unit
        if not ch.isspace():
            out.append((ch, x + width / 2, confidence))
        x += width
    return out


def rule_edges(found: Rules, dpi: int) -> list[dict[str, Any]]:
    """Ruling lines as pdfplumber edges in points, each a point longer at both ends so that
    lines a scan left a pixel short still meet."""
    pt = 72 / dpi
    out = [edge(s.x0 * pt - 1, s.y0 * pt, s.x1 * pt + 1, s.y0 * pt) for s in found.horizontal]
    out += [edge(s.x0 * pt, s.y0 * pt - 1, s.x0 * pt, s.y1 * pt + 1) for s in found.vertical]
    return out


def read_image(grey: Any, dpi: int) -> OcrPage | None:
    """One page image → its OCR view, or None where the page holds no ink but ruling lines."""
    straight = straighten(grey, dpi)
    lines = candidates(straight.grey, dpi)
    if is_blank(straight.grey, select(lines).mask):
        return None
    # Detection sees the rules (it reads tables with them); strokes standing inside a
    # detected line are then no rules, and only rules are erased before recognition.
    detected = ocr_engine.detect(straight.grey)
    found = select(lines, detected)
    clean = erase(straight.grey, found.mask)
    boxes = pieces(detected, found)
    texts = ocr_engine.recognise([crop(clean, box) for box in boxes])
    read = [Piece(box, *chinese_quotes(reading)) for box, reading in zip(boxes, texts, strict=True)]
    return OcrPage(read, rule_edges(found, dpi), straight, clean)


def curl(text: str) -> str:
    """Straight double quotes in Chinese text as the curly ones it prints (the recogniser
    often reads ” as "): opening where none is open, closing where one is."""
    if '"' not in text or not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    out = []
    open_quote = False
    for ch in text:
        if ch == '"':
            ch = "”" if open_quote else "“"
        if ch in "“”":
            open_quote = ch == "“"
        out.append(ch)
    return "".join(out)


def chinese_quotes(reading: ocr_engine.Read) -> ocr_engine.Read:
    text = curl(reading.text)
    if text == reading.text:
        return reading
    marks = tuple(
        (ch, at, conf) for (_, at, conf), ch in zip(reading.marks, text.replace(" ", ""), strict=False)
    )
    return reading._replace(text=text, marks=marks if len(marks) == len(reading.marks) else ())


def crop(image: Any, box: tuple[float, float, float, float], pad: int = 0) -> Any:
    h, w = image.shape
    x0, top, x1, bottom = box
    return image[
        max(0, int(top) - pad) : min(h, int(bottom) + 1 + pad),
        max(0, int(x0) - pad) : min(w, int(x1) + 1 + pad),
    ]


MAX_SIDE_PX = 5000
"""Longest side of a rendering: a page larger than A2 is read at a lower resolution."""


def read_pdf_page(page: Any, dpi: int = DPI) -> OcrPage | None:
    """A pypdfium2 page through OCR (None: blank)."""
    longest_in = max(page.get_size()) / 72
    dpi = max(1, min(dpi, int(MAX_SIDE_PX / longest_in)))
    return read_image(render(page, dpi), dpi)
