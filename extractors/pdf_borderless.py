"""A page without ruling lines → blocks: whitespace grids, key/value forms, then running text.

Used for pages that have text but no ruled table. Grids are found by their
header line (pdf_grid), forms by their field labels (pdf_keyvalue); words
neither claims stay :class:`Line` s. :class:`Carry` takes an unfinished grid or
form to the next page, so a table whose header is not repeated goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fiscaldoc.extractors import pdf_grid, pdf_keyvalue
from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.extractors.pdf_words import page_words, text_lines
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import TOTAL_WORDS
from fiscaldoc.model.document import Block, Line, Row


@dataclass(frozen=True)
class Carry:
    """What the previous page left open."""

    grid: pdf_grid.Grid | None = None
    form: pdf_keyvalue.Form | None = None


def _goes_on(grid: pdf_grid.Grid, rows: list[Row]) -> bool:
    """Rows read with the previous page's columns really continue its grid: every 序号 cell
    is blank or a whole number, and some row has one."""
    seqs = [c for c, (role, numeric) in enumerate(grid.roles) if role == pdf_grid.ANCHOR and numeric]
    if grid.kind != "allocation" or not seqs:
        return True
    seq = seqs[0]
    texts = [r.cells[seq].text.strip() for r in rows if seq < len(r.cells)]
    return any(texts) and all(not t or t.isdigit() for t in texts)


def _finished(rows: list[Row]) -> bool:
    """A grid whose last row is its 总计/合计 does not go on over the page."""
    return bool(rows) and any(w in key(c.text) for c in rows[-1].cells for w in TOTAL_WORDS)


def _first_top(rows: list[Row], default: float) -> float:
    return rows[0].bbox[1] if rows and rows[0].bbox else default


def page_blocks(page: Any, page_no: int, carry: Carry) -> tuple[list[Block], Carry]:
    words = page_words(page)
    height = float(page.height)
    headers = pdf_grid.find_headers(words)
    header_tops = [h.span.top for h in headers]
    placed: list[tuple[float, Block]] = []
    used: set[int] = set()
    regions: list[tuple[float, float]] = []  # (top, end) of every table read, for leftover words
    open_grid: pdf_grid.Grid | None = None

    if carry.grid is not None:
        limit = min([*header_tops, height])
        above = [w for w in words if w.top < limit]
        end = pdf_grid.region_end(carry.grid, above, -1.0, limit)
        rows, ids = pdf_grid.read(
            carry.grid, words, page_no, None, 0.0, end, continued=True, open_end=end >= height
        )
        if rows and _goes_on(carry.grid, rows):
            placed.extend((r.bbox[1] if r.bbox else 0.0, r) for r in rows)
            used |= ids
            regions.append((0.0, end))
            if end >= height and not headers and not _finished(rows):
                open_grid = carry.grid

    for n, header in enumerate(headers):
        next_top = header_tops[n + 1] if n + 1 < len(headers) else height
        grid, end = pdf_grid.layout(header, words, next_top)
        continued = (
            n == 0
            and carry.grid is not None
            and carry.grid.headers[-len(header.cells) :] == tuple(c.text for c in header.cells)
        )
        rows, ids = pdf_grid.read(
            grid, words, page_no, header, header.span.top, end, continued, open_end=end >= height
        )
        placed.extend((r.bbox[1] if r.bbox else header.span.top, r) for r in rows)
        used |= ids
        regions.append((header.span.top, end))
        if n == len(headers) - 1 and end >= height and not _finished(rows):
            open_grid = grid

    free = [w for w in words if id(w) not in used]
    form = pdf_keyvalue.find_form(free)
    open_form: pdf_keyvalue.Form | None = None
    if form is not None or carry.form is not None:
        active = form or carry.form
        assert active is not None
        lead = carry.form is not None
        aligned = [w.top for w in free if abs(w.x0 - active.label_x0) < LAYOUT.label_align]
        # the first label may be centred in its column rather than aligned with the others
        start = 0.0 if lead else min([active.top, *aligned])
        bottom = min([t for t in header_tops if t > start] or [height])
        rows, ids = pdf_keyvalue.read(active, free, page_no, start, bottom, lead)
        placed.extend((r.bbox[1] if r.bbox else start, r) for r in rows)
        used |= ids
        if rows:
            regions.append((_first_top(rows, start), max(r.bbox[3] for r in rows if r.bbox)))
            if bottom >= height:
                open_form = active

    leftover = [w for w in words if id(w) not in used]
    for line in text_lines(leftover):
        where = line.top
        for top, end in regions:
            if top <= line.top < end:
                where = end  # unclaimed words inside a table follow it, never split it
        placed.append((where, Line(line.text, page=page_no, bbox=line.bbox)))
    placed.sort(key=lambda pair: pair[0])
    return [block for _, block in placed], Carry(open_grid, open_form)
