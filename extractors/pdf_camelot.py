"""camelot as a second opinion: its lattice or stream tables as rows, other text as lines.

Only run when the pdfplumber parse does not reconcile (see pdf_choice); camelot
prints merged cells in their first grid position and leaves the rest blank,
which the normalisers fill down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fiscaldoc.extractors.pdf_words import page_words, text_lines
from fiscaldoc.lexicon.text import join_wrapped
from fiscaldoc.model.document import BBox, Block, Cell, Line, RawDocument, Row


def _cell_text(text: str) -> str:
    return join_wrapped(str(text).split("\n"))


def _rows(table: Any, page_no: int, height: float, engine: str) -> list[tuple[float, Row]]:
    x0, y0, x1, y1 = (float(v) for v in table._bbox)
    box: BBox = (x0, height - y1, x1, height - y0)
    frame = table.df
    step = (box[3] - box[1]) / max(len(frame), 1)
    out = []
    for n, values in enumerate(frame.itertuples(index=False)):
        cells = tuple(Cell(_cell_text(v), page=page_no) for v in values)
        if all(c.is_blank for c in cells):
            continue
        top = box[1] + n * step
        out.append((top, Row(cells, page=page_no, bbox=(x0, top, x1, top + step), engine=engine)))
    return out


def extract(path: Path, flavor: str, pages: list[int]) -> RawDocument:
    """``pages`` of the PDF read with camelot ``flavor`` (``lattice`` or ``stream``)."""
    import camelot
    import pdfplumber

    engine = f"camelot-{flavor}"
    doc = RawDocument(media_type="pdf", engine=engine, text_source="native")
    tables = camelot.read_pdf(  # type: ignore[attr-defined]
        str(path), flavor=flavor, pages=",".join(map(str, pages))
    )
    with pdfplumber.open(path) as pdf:
        doc.page_count = len(pdf.pages)
        for page_no, page in enumerate(pdf.pages, start=1):
            if page_no not in pages:
                continue
            height = float(page.height)
            placed: list[tuple[float, Block]] = []
            boxes: list[BBox] = []
            for table in tables:
                if int(table.page) != page_no:
                    continue
                rows = _rows(table, page_no, height, engine)
                placed.extend(rows)
                x0, y0, x1, y1 = (float(v) for v in table._bbox)
                boxes.append((x0, height - y1, x1, height - y0))
            words = [
                w
                for w in page_words(page)
                if not any(b[0] <= w.cx <= b[2] and b[1] <= w.cy <= b[3] for b in boxes)
            ]
            placed.extend((ln.top, Line(ln.text, page=page_no, bbox=ln.bbox)) for ln in text_lines(words))
            placed.sort(key=lambda pair: pair[0])
            doc.blocks.extend(block for _, block in placed)
            page.close()
    return doc
