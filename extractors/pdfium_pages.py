"""The fast path: characters and ruling lines read through pdfium.

pdfminer's interpretation of a page's content stream is most of what
pdfplumber costs. pdfium (C++) reads the same characters and line segments
some ten times faster; this module turns them into pdfplumber's own shapes
(char dicts, edge dicts) behind the slice of pdfplumber's Page API the page
readers use (its table finder, text lines and words), so ruled tables,
whitespace grids and text come out the same.

A page is only taken here when the result can be trusted to equal
pdfplumber's: mediabox at the origin and equal to the cropbox, no form
XObjects, every ruling an axis-aligned straight segment or rectangle, every
character upright as drawn with a real Unicode value. Anything else returns
``None`` and the caller reads that page with pdfplumber. Characters drawn
outside the page are left out (as :func:`.pdf.on_page` does for pdfplumber).

One difference is deliberate: a page turned by ``/Rotate`` whose text is upright
as drawn (a page someone rotated in a viewer and saved) is read as drawn, in its
text's own direction; pdfminer turns it with the page and reads every line
sideways, a table transposed. A page whose text is drawn turned and set upright
by ``/Rotate`` (a landscape page built that way) has no upright text as drawn
and goes to pdfplumber, which reads it upright.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

_DECIMALS = 4
"""Coordinates are rounded to this many places: pdfium keeps points as 32-bit floats."""


@dataclass
class PageView:
    """What pdfplumber's table finder and text-line builder read from a page."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    bbox: tuple[float, float, float, float]

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    # The slice of pdfplumber's Page API that fiscaldoc.extractors.pdf.page_blocks uses.

    def find_tables(self, table_settings: dict[str, Any]) -> list[Any]:
        from fiscaldoc.extractors.grid import IndexedTableFinder

        return list(IndexedTableFinder(self, table_settings).tables)

    def filter(self, keep: Callable[[dict[str, Any]], bool]) -> PageView:
        return PageView(chars=[c for c in self.chars if keep(c)], edges=self.edges, bbox=self.bbox)

    def extract_text_lines(self, strip: bool = True, return_chars: bool = False) -> list[dict[str, Any]]:
        from fiscaldoc.extractors.textlines import text_lines

        assert strip and not return_chars, "only the form page_blocks uses"
        return text_lines(self.chars)

    def extract_words(
        self, keep_blank_chars: bool = False, use_text_flow: bool = False
    ) -> list[dict[str, Any]]:
        from fiscaldoc.extractors.textlines import words

        assert not keep_blank_chars and not use_text_flow, "only pdfplumber's defaults"
        return words(self.chars)


def _bad_char(code: int) -> bool:
    return code in (0, 0xFFFD, 0xFFFE, 0xFFFF) or 0xE000 <= code <= 0xF8FF


def _proto(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """The same pdfium function with plain ``void*`` handles: object identity is then an int
    (no ``ctypes.cast`` per character)."""
    address = ctypes.cast(fn, ctypes.c_void_p).value
    assert address is not None
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_is_generated = _proto(pdfium_c.FPDFText_IsGenerated, _INT, _VP, _INT)
_unicode = _proto(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _VP, _INT)
_text_object = _proto(pdfium_c.FPDFText_GetTextObject, _VP, _VP, _INT)
_loose_box = _proto(pdfium_c.FPDFText_GetLooseCharBox, _INT, _VP, _INT, _VP)
_char_matrix = _proto(pdfium_c.FPDFText_GetMatrix, _INT, _VP, _INT, _VP)
_font_size = _proto(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _VP, _INT)
_origin = _proto(pdfium_c.FPDFText_GetCharOrigin, _INT, _VP, _INT, _VP, _VP)
_font = _proto(pdfium_c.FPDFTextObj_GetFont, _VP, _VP)
_descent = _proto(pdfium_c.FPDFFont_GetDescent, _INT, _VP, ctypes.c_float, _VP)


_page_text = _proto(pdfium_c.FPDFText_GetText, _INT, _VP, _INT, _INT, _VP)
_MAYBE_GENERATED = frozenset((0x20, 0x0D, 0x0A, 0x02, 0x2D))
"""The only characters pdfium generates: spaces, line ends, hyphens."""


def _page_codes(textpage: Any, count: int) -> list[int] | None:
    """Every character's code point in one call (None where UTF-16 would not line up)."""
    buffer = (ctypes.c_uint16 * (count + 1))()
    _page_text(textpage, 0, count, buffer)
    codes = list(buffer[:count])
    if any(0xD800 <= c <= 0xDFFF for c in codes):
        return None
    return codes


def page_chars(page: Any, width: float, height: float) -> list[dict[str, Any]] | None:
    """The page's characters as pdfplumber char dicts, or None if any would differ from pdfminer's.

    A character's box: x from pdfium's loose box (origin + advance, as pdfminer), bottom at
    the font's descent below the baseline, height the font size (pdfminer's convention).
    Where a font descriptor gives no descent pdfminer takes 0 and pdfium the font's own, so
    such boxes sit a point or two lower; ruled cells take their boxes from the rules, so only
    lines outside tables and the rows of whitespace grids carry these boxes on.

    Characters pdfium generates (spaces for gaps, line ends) are left out, as pdfminer has
    none. Known difference: pdfium also marks a real space as generated when it ends a text
    object, so where such a space sits in a gap narrower than the word tolerance (3 pt) a
    cell reads "1.本表" where pdfplumber reads "1. 本表" (the contract's comparison form
    ignores whitespace).
    """
    textpage = page.get_textpage()
    try:
        tp = ctypes.cast(textpage.raw, ctypes.c_void_p)
        rect = pdfium_c.FS_RECTF()
        matrix = pdfium_c.FS_MATRIX()
        rect_p, matrix_p = ctypes.addressof(rect), ctypes.addressof(matrix)
        ox, oy, descent = ctypes.c_double(), ctypes.c_double(), ctypes.c_float()
        ox_p, oy_p, descent_p = ctypes.addressof(ox), ctypes.addressof(oy), ctypes.addressof(descent)
        descents: dict[tuple[int, float], float] = {}
        top = bottom = 0.0
        chars: list[dict[str, Any]] = []
        current: int | None = None
        size = 0.0
        codes = _page_codes(tp, pdfium_c.FPDFText_CountChars(textpage.raw))
        if codes is None:
            return None
        for i, code in enumerate(codes):
            if code in _MAYBE_GENERATED and _is_generated(tp, i):
                continue
            if _bad_char(code):
                return None
            obj = _text_object(tp, i)
            if obj != current or obj is None:
                # One text object: one font, size, matrix and baseline (one show-text operator).
                current = obj
                _char_matrix(tp, i, matrix_p)
                if matrix.b != 0 or matrix.c != 0 or matrix.a <= 0 or matrix.d <= 0:
                    return None  # rotated or mirrored text: pdfplumber's upright logic applies
                # pdfium gives the size set with Tf; a text or graphics matrix may scale it (a
                # font set at 360 and drawn at 0.05: 18 pt), as pdfminer's size includes.
                nominal = _font_size(tp, i)
                size = nominal * matrix.d
                font = _font(obj) or 0
                if (font, nominal) not in descents:
                    if not font or not _descent(font, nominal, descent_p):
                        return None
                    descents[font, nominal] = descent.value
                _origin(tp, i, ox_p, oy_p)
                bottom = round(height - (oy.value + descents[font, nominal] * matrix.d), _DECIMALS)
                top = round(bottom - size, _DECIMALS)
            text = chr(code)
            _loose_box(tp, i, rect_p)
            x0, x1 = rect.left, rect.right
            if not (0 <= (x0 + x1) / 2 <= width and 0 <= (top + bottom) / 2 <= height):
                continue  # drawn off the page: nobody sees it (see pdf.on_page)
            chars.append(
                {
                    "text": text,
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": bottom,
                    "doctop": top,
                    "width": x1 - x0,
                    "height": size,
                    "size": size,
                    "upright": True,
                }
            )
        return chars
    finally:
        textpage.close()


def edge(x0: float, top: float, x1: float, bottom: float, kind: str = "line") -> dict[str, Any]:
    """A ruling segment as pdfplumber's edge dict (points, top-down)."""
    return {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": "h" if top == bottom else "v",
    }


def _subpath_edges(points: list[tuple[float, float]], closed: bool) -> list[dict[str, Any]] | None:
    """pdfminer's reading of one subpath: a 2-point line or an axis-aligned rectangle, else None."""
    if closed and len(points) > 1 and points[-1] == points[0]:
        points = points[:-1]
    if len(points) == 2 and not closed:
        (ax, ay), (bx, by) = points
        if ax != bx and ay != by:
            return None  # diagonal: pdfplumber calls it "v"; leave such pages to it
        return [edge(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), "line")]
    if len(points) == 4:
        xs = sorted({p[0] for p in points})
        ys = sorted({p[1] for p in points})
        sides_axis_aligned = all(
            a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:] + points[:1], strict=True)
        )
        if len(xs) == 2 and len(ys) == 2 and sides_axis_aligned:
            (x0, x1), (top, bottom) = xs, ys
            return [
                edge(x0, top, x1, top, "rect_edge"),
                edge(x0, bottom, x1, bottom, "rect_edge"),
                edge(x0, top, x0, bottom, "rect_edge"),
                edge(x1, top, x1, bottom, "rect_edge"),
            ]
    return None


def _path_edges(obj: Any, height: float) -> list[dict[str, Any]] | None:
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
    if matrix.b != 0 or matrix.c != 0:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict[str, Any]] = []
    points: list[tuple[float, float]] = []
    closed = False

    def flush() -> bool:
        if not points:
            return True
        found = _subpath_edges(points, closed)
        if found is None:
            return False
        edges.extend(found)
        return True

    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind not in (pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO):
            return None  # curves: pdfplumber's curve edges are its own business
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (
            round(matrix.a * x.value + matrix.e, _DECIMALS),
            round(height - (matrix.d * y.value + matrix.f), _DECIMALS),
        )
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if not flush():
                return None
            points, closed = [point], False
        else:
            points.append(point)
        closed = closed or bool(pdfium_c.FPDFPathSegment_GetClose(seg))
    return edges if flush() else None


def page_edges(page: Any, height: float) -> list[dict[str, Any]] | None:
    """Ruling segments as pdfplumber edge dicts, or None if the page holds anything else that draws."""
    edges: list[dict[str, Any]] = []
    raw = page.raw
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            return None
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            found = _path_edges(obj, height)
            if found is None:
                return None
            edges.extend(found)
    return edges


def page_view(page: Any) -> PageView | None:
    """A pdfium page as pdfplumber would see it, or None when that cannot be promised."""
    box = tuple(page.get_mediabox())
    if box != tuple(page.get_cropbox()) or box[0] != 0 or box[1] != 0:
        return None
    width, height = float(box[2]), float(box[3])
    edges = page_edges(page, height)
    if edges is None:
        return None
    chars = page_chars(page, width, height)
    if not chars:
        return None  # no text layer: pdfplumber's path says so in its own words
    return PageView(chars=chars, edges=edges, bbox=(0.0, 0.0, width, height))


class FastPages:
    """A PDF opened once through pdfium; ``view`` gives one page's view or declines."""

    def __init__(self, path: Path) -> None:
        self.pdf = pypdfium2.PdfDocument(path)

    def __len__(self) -> int:
        return len(self.pdf)

    def view(self, index: int) -> PageView | None:
        """Page ``index`` as pdfplumber would see it, or None where that cannot be promised."""
        try:
            page = self.pdf[index]
        except pypdfium2.PdfiumError:
            return None
        try:
            return page_view(page)
        finally:
            page.close()

    def close(self) -> None:
        self.pdf.close()


def open_fast(path: Path) -> FastPages | None:
    """pdfium's view of the file, or None if pdfium cannot open it (pdfplumber will say why)."""
    try:
        return FastPages(path)
    except pypdfium2.PdfiumError:
        return None
