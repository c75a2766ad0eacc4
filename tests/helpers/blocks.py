"""An intermediate document as readable text, one block a line (``*.blocks.txt`` fixtures).

``p10 L text`` is a line of running text on page 10; ``p10 R a | b<1x2> | ~`` a grid row whose
cells are separated by `` | ``, ``~`` marking a position covered by a merged cell and
``<rows x cols>`` a merged cell's span; ``⏎`` stands for a line break inside a cell. The
budget tests read real disclosures' careful readings this way without paying for the PDF.

Write one: ``.venv/bin/python tests/helpers/blocks.py FILE.pdf > FILE.blocks.txt``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row

_SPAN = re.compile(r"<(\d+)x(\d+)>$")
_BLOCK = re.compile(r"^p(\d*) ([LR]) ?(.*)$")
_CELLS = re.compile(r"(?:^|\s)\|(?=\s|$)")
BREAK = "⏎"


def _cell(text: str, page: int | None) -> Cell:
    if text == "~":
        return Cell("", page=page, covered=True)
    span = _SPAN.search(text)
    if span:
        text = text[: span.start()]
    return Cell(
        text.replace(BREAK, "\n"),
        page=page,
        span=(int(span.group(1)), int(span.group(2))) if span else (1, 1),
    )


def read_blocks(path: Path, engine: str = "blocks") -> RawDocument:
    blocks: list[Block] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _BLOCK.match(raw)
        if match is None:
            continue
        page = int(match.group(1)) if match.group(1) else None
        kind, body = match.group(2), match.group(3)
        if kind == "L":
            blocks.append(Line(body, page=page))
        else:
            cells = tuple(_cell(t.strip(), page) for t in _CELLS.split(body))
            blocks.append(Row(cells, page=page, engine=engine))
    pages = [b.page for b in blocks if b.page is not None]
    return RawDocument(media_type="pdf", engine=engine, blocks=blocks, page_count=max(pages, default=None))


def _cell_text(cell: Cell) -> str:
    if cell.covered:
        return "~"
    span = f"<{cell.span[0]}x{cell.span[1]}>" if cell.span != (1, 1) else ""
    return cell.text.replace("\n", BREAK) + span


def write_blocks(doc: RawDocument) -> str:
    out = []
    for block in doc.blocks:
        page = "" if block.page is None else str(block.page)
        if isinstance(block, Row):
            out.append((f"p{page} R " + " | ".join(_cell_text(c) for c in block.cells)).rstrip())
        else:
            out.append(f"p{page} L {block.text}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    from fiscaldoc.extractors.pdf import extract_careful

    sys.stdout.write(write_blocks(extract_careful(Path(sys.argv[1]))))
