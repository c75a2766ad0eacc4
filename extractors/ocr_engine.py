"""RapidOCR (PaddleOCR's Chinese models on onnxruntime), loaded once per process.

The models ship inside the ``rapidocr-onnxruntime`` wheel; nothing is fetched at run time.
Detection and recognition are called separately: detection once per page, recognition
on crops the page reader chooses (cut at ruling lines, one cell at a time), batched.
onnxruntime runs one thread per session: parallelism comes from the worker processes.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import cv2
import numpy as np

DETECTION_SIDE = 1280
"""Detection sees the page with its longer side this many pixels (about 110 dpi for A4):
enough for 8 pt text, a quarter of the work of a 200 dpi page."""
MIN_CONFIDENCE = 0.5
"""A reading below this is noise (a speck, a stroke of a rule), not text: RapidOCR's own cut."""


@cache
def engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        det_limit_side_len=DETECTION_SIDE,
        det_limit_type="max",
    )


Box = tuple[float, float, float, float]


def detect(grey: Any) -> list[Box]:
    """Text-line boxes (x0, top, x1, bottom) in the image's pixels, top to bottom. The image
    is shrunk to :data:`DETECTION_SIDE` here: RapidOCR's own limit would keep 2000 px."""
    scale = min(1.0, DETECTION_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    boxes, _ = engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if boxes is None or len(boxes) == 0:
        return []
    out = []
    for quad in boxes:
        xs, ys = np.asarray(quad)[:, 0] / scale, np.asarray(quad)[:, 1] / scale
        out.append((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())))
    out.sort(key=lambda b: (b[1], b[0]))
    return out


class Read(NamedTuple):
    """One crop's reading: its text, the model's confidence, and each character's place
    (its centre as a share of the crop's width, from the CTC column it was decoded at) and
    confidence."""

    text: str
    confidence: float
    marks: tuple[tuple[str, float, float], ...] = ()


NOTHING = Read("", 0.0)


def _marks(text: str, info: Any) -> tuple[tuple[str, float, float], ...]:
    columns, words, word_columns, _, confidences = info
    chars = [ch for word in words for ch in word]
    cols = [c for word in word_columns for c in word]
    if not columns or len(chars) != len(cols) or "".join(chars) != "".join(text.split()):
        return ()
    confs = list(confidences) if len(confidences) == len(chars) else [1.0] * len(chars)
    return tuple(
        (ch, min(1.0, (col + 0.5) / columns), float(conf))
        for ch, col, conf in zip(chars, cols, confs, strict=True)
    )


def recognise(crops: list[Any]) -> list[Read]:
    """Each grey crop (one line of text) read; below :data:`MIN_CONFIDENCE`, nothing."""
    if not crops:
        return []
    images = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    results, _ = engine().text_rec(images, return_word_box=True)
    out = []
    for text, score, info in results:
        if score < MIN_CONFIDENCE:
            out.append(Read("", float(score)))
        else:
            out.append(Read(str(text), float(score), _marks(str(text), info)))
    return out
