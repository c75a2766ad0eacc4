"""Walking the block stream: what comes before a table, and whether a table goes on."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from fiscaldoc.lexicon.text import key
from fiscaldoc.model.document import Block, Line, Row

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d+\s*(?:页|/\s*\d+\s*页?)?[-—–\s]*$")


def is_page_furniture(line: Line) -> bool:
    """Page numbers and separators that interrupt a table between pages."""
    return bool(_PAGE_NUMBER.match(line.text)) or key(line.text) in {"", "--", "-"}


def lines_before(blocks: Sequence[Block], start: int, limit: int = 6) -> list[Line]:
    """The running-text lines just above ``start``, nearest first, stopping at a row."""
    out: list[Line] = []
    i = start - 1
    while i >= 0 and len(out) < limit:
        block = blocks[i]
        if isinstance(block, Row):
            break
        out.append(block)
        i -= 1
    return out


def next_row_after_lines(blocks: Sequence[Block], i: int, goes_on: Callable[[Row], bool]) -> int | None:
    """From a line at ``i``: the index of the next row if only page furniture, or lines on
    a page after the table's, stand between, and ``goes_on`` accepts that row."""
    j = i
    page_changed = False
    last_page = None
    for back in range(i - 1, -1, -1):
        if isinstance(blocks[back], Row):
            last_page = blocks[back].page
            break
    while j < len(blocks) and isinstance(blocks[j], Line):
        line = blocks[j]
        assert isinstance(line, Line)
        if line.page is not None and last_page is not None and line.page != last_page:
            page_changed = True
        if not (is_page_furniture(line) or page_changed):
            return None
        j += 1
    if j < len(blocks):
        row = blocks[j]
        assert isinstance(row, Row)
        if goes_on(row):
            return j
    return None
