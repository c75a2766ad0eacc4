"""RapidOCR (PaddleOCR's Chinese models on onnxruntime), loaded once per process.

The models ship inside the ``rapidocr-onnxruntime`` wheel; nothing is fetched at run time.
Detection and recognition are called separately: detection once per page, recognition
on crops the page reader chooses (cut at ruling lines, one cell at a time), batched.
onnxruntime runs one thread per session: parallelism comes from the worker processes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

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


def recognise(crops: list[Any]) -> list[tuple[str, float]]:
    """The text of each grey crop (one line of text each) with the model's confidence."""
    if not crops:
        return []
    images = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    results, _ = engine().text_rec(images)
    return [
        (str(text), float(score)) if score >= MIN_CONFIDENCE else ("", float(score))
        for text, score in results
    ]
