"""What the page readers made of an OCR'd page, finished: cells detection missed read alone,
low-confidence figures re-read, every block stamped as OCR's (engine, confidence, boxes on
the scan)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import cv2
import numpy as np

from fiscaldoc.extractors import ocr_engine
from fiscaldoc.extractors.ocr_image import INK_LEVEL
from fiscaldoc.extractors.ocr_page import ENGINE, OcrPage, Piece, crop
from fiscaldoc.model.document import BBox, Block, Cell, Line, Row

MIN_INK_PX = 12
"""Dark pixels (after dust is opened away) that make an empty cell worth reading alone."""
REREAD_BELOW = 0.97
"""A piece holding a figure read with less confidence than this is re-read when the
document's arithmetic does not hold."""
REREAD_SCALE = 2.0


def _confidence(cell: Cell, chars: list[dict[str, Any]]) -> float | None:
    if cell.bbox is None or cell.covered or cell.is_blank:
        return None
    x0, top, x1, bottom = cell.bbox
    inside = [
        c["confidence"]
        for c in chars
        if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
    ]
    return round(min(inside), 3) if inside else None


def engine_name(native: str) -> str:
    """``ocr`` for ruled tables; ``ocr-words`` where the whitespace reader placed the words."""
    if native == "pdfplumber-lines":
        return ENGINE
    return f"{ENGINE}-{native.removeprefix('pdfplumber-')}" if native else ENGINE


def _ink_box(crop: Any) -> tuple[int, int, int, int] | None:
    dark = cv2.morphologyEx((crop < INK_LEVEL).astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    if int(dark.sum()) < MIN_INK_PX:
        return None
    ys, xs = np.nonzero(dark)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def read_missed_cells(blocks: list[Block], ocr: OcrPage) -> None:
    """Empty cells that hold ink, each recognised alone: detection can miss an isolated digit
    (a 序号 of one figure) that recognition reads well once it is handed the cell."""
    px = ocr.straight.dpi / 72
    h, w = ocr.clean.shape
    todo: list[tuple[BBox, Any]] = []
    for block in blocks:
        if not isinstance(block, Row):
            continue
        for cell in block.cells:
            if cell.covered or not cell.is_blank or cell.bbox is None or cell.bbox in ocr.cell_reads:
                continue
            x0, top, x1, bottom = (round(v * px) for v in cell.bbox)
            x0, top, x1, bottom = max(0, x0 + 4), max(0, top + 4), min(w, x1 - 4), min(h, bottom - 4)
            if x1 - x0 < 4 or bottom - top < 4:
                continue
            inside = ocr.clean[top:bottom, x0:x1]
            box = _ink_box(inside)
            if box is None:
                ocr.cell_reads[cell.bbox] = ("", 0.0)
                continue
            todo.append((cell.bbox, crop(inside, box, pad=6)))
    for (bbox, _), read in zip(todo, ocr_engine.recognise([image for _, image in todo]), strict=True):
        ocr.cell_reads[bbox] = (read.text, read.confidence)


def _filled(cell: Cell, ocr: OcrPage) -> Cell:
    if cell.bbox is None or not cell.is_blank:
        return cell
    text, confidence = ocr.cell_reads.get(cell.bbox, ("", 0.0))
    if not text.strip() or confidence < ocr_engine.MIN_CONFIDENCE:
        return cell
    return replace(cell, text=text.strip(), confidence=round(confidence, 3), bbox=ocr.to_scan(cell.bbox))


def finish(blocks: list[Block], ocr: OcrPage) -> list[Block]:
    """The page readers' blocks, stamped as OCR's: engine, per-cell confidence, and boxes on
    the scan; empty cells holding ink read alone first."""
    read_missed_cells(blocks, ocr)
    out: list[Block] = []
    chars = ocr.view.chars
    for block in blocks:
        if isinstance(block, Line):
            out.append(replace(block, bbox=ocr.to_scan(block.bbox) if block.bbox else None))
            continue
        cells = tuple(
            _filled(c, ocr)
            if c.is_blank and c.bbox is not None
            else replace(
                c,
                confidence=_confidence(c, chars),
                bbox=ocr.to_scan(c.bbox) if c.bbox else None,
            )
            for c in block.cells
        )
        bbox = ocr.to_scan(block.bbox) if block.bbox else None
        out.append(replace(block, cells=cells, bbox=bbox, engine=engine_name(block.engine)))
    return out


def _least_confidence(piece: Piece) -> float:
    """The piece's weakest character: one doubtful digit hides in a confident mean."""
    return min([piece.confidence, *(conf for _, _, conf in piece.marks)])


def _has_figure(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _enlarged(image: Any) -> Any:
    return cv2.resize(image, None, fx=REREAD_SCALE, fy=REREAD_SCALE, interpolation=cv2.INTER_CUBIC)


def reread(ocr: OcrPage, page_no: int) -> tuple[OcrPage, list[str]]:
    """The page with every low-confidence piece holding a figure read again, alone and
    enlarged, from the page with and without its ruling lines erased (a digit touching a rule
    may have lost a stroke to the erasure); the most confident reading is kept. Also one note
    per piece whose text changed."""
    todo = [
        n for n, p in enumerate(ocr.pieces) if _least_confidence(p) < REREAD_BELOW and _has_figure(p.text)
    ]
    if not todo:
        return ocr, []
    sources = (ocr.clean, ocr.straight.grey)
    crops = [_enlarged(crop(image, ocr.pieces[n].box, pad=3)) for image in sources for n in todo]
    reads = ocr_engine.recognise(crops)
    pieces = list(ocr.pieces)
    notes: list[str] = []
    for k, n in enumerate(todo):
        old = pieces[n]
        again = [reads[k + j * len(todo)] for j in range(len(sources))]
        best = max(again, key=lambda read: read.confidence)
        if best.confidence > old.confidence and best.text.strip() and best.text != old.text:
            # the mean confidence decides: a re-read that trades one doubtful digit for another
            # is no better
            # the enlarged crop was padded by 3 px at the original scale: marks shift a little
            pieces[n] = Piece(old.box, best.text, best.confidence, best.marks)
            was, now = f"{old.text!r} ({old.confidence:.2f})", f"{best.text!r} ({best.confidence:.2f})"
            notes.append(f"page {page_no}: {was} re-read as {now}")
    return replace(ocr, pieces=pieces, cell_reads=dict(ocr.cell_reads)), notes
