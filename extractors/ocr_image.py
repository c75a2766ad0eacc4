"""A scanned page as an image: rendered, straightened, its ruling lines found and erased.

Everything here is OpenCV on a grey image; sizes are in pixels of the rendering, so
every length is set from the resolution (``dpi``), never from one scan's look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

Image = Any  # numpy uint8 array, grey (H, W)

SKEW_RANGE_DEG = 2.5
"""The largest skew looked for: scanners feed paper within about ±2°."""
INK_LEVEL = 160
"""Grey level under which a pixel is ink (0 black, 255 white) for the blank-page test."""
BLANK_INK_SHARE = 0.0005
"""A page with less ink than this share of its pixels (after ruling lines) holds no text."""
FAINT_STEP = 35
"""Grey levels under the paper's tone from which a pixel may belong to a ruling line."""
H_RULE_INCH = 0.35
"""A horizontal run of ink at least this long is a ruling line (longer than any stroke of
body text: a 14 pt character is 0.19 in wide)."""
V_RULE_INCH = 0.2
"""A vertical run this long is a ruling line: taller than a body-text character, shorter than
the lowest table row."""


def render(page: Any, dpi: int) -> Image:
    """A pypdfium2 page as a grey image at ``dpi``."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    pixels = np.array(bitmap.to_numpy(), dtype=np.uint8)
    return pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)


def ink(grey: Image) -> Image:
    """Ink as 255 on 0 (Otsu's threshold: scans differ in paper tone and contrast)."""
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def faint_ink(grey: Image) -> Image:
    """Ink as 255 on 0, down to faint grey: a hairline rule scanned at 150 dpi prints lighter
    than text. The threshold sits a fixed step under the paper's own tone (its median),
    after a light blur against grain; the long openings that find rules ignore stray grain."""
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    paper = float(np.median(blurred))
    return ((blurred < paper - FAINT_STEP) * 255).astype(np.uint8)


def skew_angle(grey: Image) -> float:
    """The rotation in degrees that makes the page's rows of ink horizontal: the angle whose
    projection profile (ink per pixel row) is sharpest, searched coarse then fine on a small copy."""
    scale = min(1.0, 900 / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    binary = (small < INK_LEVEL).astype(np.float32)
    if binary.sum() < 50:
        return 0.0
    h, w = binary.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(binary, matrix, (w, h), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    coarse = max(np.arange(-SKEW_RANGE_DEG, SKEW_RANGE_DEG + 0.01, 0.25), key=sharpness)
    fine = max(np.arange(coarse - 0.25, coarse + 0.26, 0.05), key=sharpness)
    return round(float(fine), 2)


@dataclass(frozen=True)
class Straightened:
    """A page rotated upright; ``to_page`` maps its pixels back to the scan's PDF points."""

    grey: Image
    angle: float
    dpi: int
    matrix: Any
    """The 2×3 affine matrix that straightened the scan (scan pixels → these pixels)."""

    def to_points(self, x: float, y: float) -> tuple[float, float]:
        """A pixel of the straightened page → PDF points (top-left origin) on the scan."""
        inverse = cv2.invertAffineTransform(self.matrix)
        sx = inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2]
        sy = inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2]
        return float(sx) * 72 / self.dpi, float(sy) * 72 / self.dpi


def straighten(grey: Image, dpi: int) -> Straightened:
    angle = skew_angle(grey)
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return Straightened(grey, angle, dpi, matrix)


@dataclass(frozen=True)
class Segment:
    """A ruling line in pixels: horizontal (``y0 == y1``) or vertical (``x0 == x1``)."""

    x0: float
    y0: float
    x1: float
    y1: float


def _segments(mask: Image, horizontal: bool, minimum: int) -> tuple[list[Segment], Image, list[int]]:
    """The mask's line pieces, its label image and each piece's label."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[Segment] = []
    ids: list[int] = []
    for n, (x, y, w, h, _) in enumerate(stats[1:count], start=1):
        if horizontal and w >= minimum:
            out.append(Segment(float(x), y + h / 2, float(x + w), y + h / 2))
        elif not horizontal and h >= minimum:
            out.append(Segment(x + w / 2, float(y), x + w / 2, float(y + h)))
        else:
            continue
        ids.append(n)
    return out, labels, ids


def _meets(h: Segment, v: Segment, slack: float) -> bool:
    return h.x0 - slack <= v.x0 <= h.x1 + slack and v.y0 - slack <= h.y0 <= v.y1 + slack


def _ruled(
    horizontal: list[Segment], vertical: list[Segment], slack: float, long_h: float
) -> tuple[list[bool], list[bool]]:
    """Which pieces form a ruling: a cell is closed by two rules each way, so a vertical piece
    must meet two horizontal ones and a horizontal piece two vertical ones (or run a third
    of the page: a rule under a title). Strokes of a large title's characters meet one
    another, never two of a grid's. Settled by a few rounds of both tests."""
    keep_h = [True] * len(horizontal)
    keep_v = [True] * len(vertical)
    for _ in range(3):
        kept_h = [h for h, k in zip(horizontal, keep_h, strict=True) if k]
        keep_v = [sum(_meets(h, v, slack) for h in kept_h) >= 2 for v in vertical]
        kept_v = [v for v, k in zip(vertical, keep_v, strict=True) if k]
        keep_h = [h.x1 - h.x0 >= long_h or sum(_meets(h, v, slack) for v in kept_v) >= 2 for h in horizontal]
    return keep_h, keep_v


def _kept(labels: Image, ids: list[int], keep: list[bool]) -> Image:
    wanted = np.zeros(int(labels.max()) + 1, dtype=np.uint8)
    for n, k in zip(ids, keep, strict=True):
        wanted[n] = 255 if k else 0
    return wanted[labels]


@dataclass(frozen=True)
class Rules:
    horizontal: list[Segment]
    vertical: list[Segment]
    mask: Image
    """Every ruling pixel (255), a little widened: what is erased before OCR."""


@dataclass(frozen=True)
class Candidates:
    """Runs of ink long enough to be ruling lines, before they are told from text strokes."""

    horizontal: list[Segment]
    vertical: list[Segment]
    labels: tuple[Image, Image]
    ids: tuple[list[int], list[int]]
    width: int
    dpi: int


def candidates(grey: Image, dpi: int) -> Candidates:
    """Ruling lines by morphological opening with long thin kernels: what survives an opening
    with a line as long as :data:`H_RULE_INCH` is a line, not body text. The ink is first
    thickened across the line's direction so that a line a scan broke or tilted by a pixel
    survives."""
    binary = faint_ink(grey)
    h_len, v_len = max(8, round(H_RULE_INCH * dpi)), max(6, round(V_RULE_INCH * dpi))
    across_h = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    across_v = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    h_mask = cv2.morphologyEx(across_h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    v_mask = cv2.morphologyEx(across_v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    horizontal, h_labels, h_ids = _segments(h_mask, True, h_len)
    vertical, v_labels, v_ids = _segments(v_mask, False, v_len)
    return Candidates(horizontal, vertical, (h_labels, v_labels), (h_ids, v_ids), grey.shape[1], dpi)


Box = tuple[float, float, float, float]


def _inside(v: Segment, boxes: list[Box], slack: float) -> bool:
    """A vertical stroke no taller than a detected text line it stands in: part of a large
    character (a rule runs on beyond the line it crosses)."""
    return any(
        x0 < v.x0 < x1 and v.y0 >= top - slack and v.y1 <= bottom + slack for x0, top, x1, bottom in boxes
    )


def select(found: Candidates, text_boxes: list[Box] | None = None) -> Rules:
    """The candidates that form rulings (:func:`_ruled`), strokes inside text lines left out."""
    slack = 0.03 * found.dpi
    vertical = found.vertical
    if text_boxes:
        vertical = [
            v if not _inside(v, text_boxes, slack) else Segment(v.x0, v.y0, v.x0, v.y0) for v in vertical
        ]
    keep_h, keep_v = _ruled(found.horizontal, vertical, slack=slack, long_h=found.width / 3)
    keep_v = [k and v.y1 > v.y0 for v, k in zip(vertical, keep_v, strict=True)]
    (h_labels, v_labels), (h_ids, v_ids) = found.labels, found.ids
    mask = cv2.bitwise_or(_kept(h_labels, h_ids, keep_h), _kept(v_labels, v_ids, keep_v))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return Rules(
        [s for s, k in zip(found.horizontal, keep_h, strict=True) if k],
        [s for s, k in zip(vertical, keep_v, strict=True) if k],
        mask,
    )


def rules(grey: Image, dpi: int) -> Rules:
    return select(candidates(grey, dpi))


def erase(grey: Image, mask: Image) -> Image:
    out = grey.copy()
    out[mask > 0] = 255
    return out


def is_blank(grey: Image, mask: Image) -> bool:
    """No ink once the ruling lines are gone (dust specks alone do not count: an opening
    with a 2-pixel square removes them)."""
    binary = ((grey < INK_LEVEL) & (mask == 0)).astype(np.uint8)
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return float(binary.mean()) < BLANK_INK_SHARE
