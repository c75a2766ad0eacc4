"""Where a budget table is in the block stream: its title, its rows over pages, its notes.

A table starts at a title (a line, or a grid row holding only the title) that names a budget
table and is followed by grid rows; titles on a 目录 page, in running text or followed by
another title are not tables. The table runs over the following pages while they hold
grid rows, page furniture or the table's own notes (注：…, 说明：…本表无数据), and ends at the
next table title or at running text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import BUDGET_TABLE_WORDS, budget_kind, budget_title_key
from fiscaldoc.model.document import Block, Line, Row
from fiscaldoc.normalizers.budget_grid import is_metadata_row
from fiscaldoc.normalizers.stream import is_page_furniture

_TOC = re.compile(r"^目录$")
_NOTE = re.compile(r"^(?:注|说明|备注)\s*\d*\s*[:：]")
_METADATA_LINE = re.compile(r"(?:编制(?:部门|单位)|单位名称|预算单位|金额单位|单位\s*[:：])")
_CONTINUED = re.compile(r"^[(（]?续(?:表|上表|前表)?[)）]?$")
_QUOTES_ONLY = re.compile(r"^[“”\"'‘’\s]+$")
_YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}(?:年度?)?$")
MAX_LINES_BEFORE_GRID = 6
"""Lines a title may stand above its grid (编制单位, 单位, a year on its own line …)."""


@dataclass
class Extent:
    """A table's blocks: its title, the lines between title and grid, rows, notes."""

    title_index: int
    end: int
    title: str
    lines: list[Line] = field(default_factory=list)
    bands: list[Line] = field(default_factory=list)
    """Short lines just above the grid: a header band the reader took for text (a spreadsheet's
    merged top header row)."""
    rows: list[Row] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)


def block_text(block: Block) -> str:
    if isinstance(block, Line):
        return block.text
    filled = block.filled()
    return filled[0].text if len(filled) == 1 else ""


def _page_blocks(blocks: Sequence[Block], i: int) -> list[Block]:
    page = blocks[i].page
    lo = i
    while lo > 0 and blocks[lo - 1].page == page:
        lo -= 1
    hi = i
    while hi + 1 < len(blocks) and blocks[hi + 1].page == page:
        hi += 1
    return list(blocks[lo : hi + 1])


def on_contents_page(blocks: Sequence[Block], i: int) -> bool:
    """A 目录 page lists the tables' titles; none of them starts a table."""
    if blocks[i].page is None:
        return False
    for block in _page_blocks(blocks, i):
        texts = [block.text] if isinstance(block, Line) else [c.text for c in block.cells]
        if any(_TOC.match(key(t)) for t in texts):
            return True
    return False


def title_at(blocks: Sequence[Block], i: int) -> str | None:
    """The title text when block ``i`` is a budget table title (not yet checked for a grid)."""
    block = blocks[i]
    text = block_text(block)
    if not text or budget_title_key(text) is None:
        return None
    if isinstance(block, Row) and len(block.filled()) != 1:
        return None
    return text


def is_note(line: Line) -> bool:
    return bool(_NOTE.match(key(line.text))) or "本表" in line.text or "空表" in line.text


def is_band(line: Line) -> bool:
    """A header band printed as a line: short words, no sentence, no figure."""
    text = line.text.strip()
    k = key(text)
    if re.search(r"\s", text):
        return False  # several header cells run together on one line: not one merged band
    return 2 <= len(k) <= 24 and not re.search(r"[，。；：,.;:0-9]", k) and not k.endswith("表")


def _is_framing(line: Line) -> bool:
    """Lines that may stand between a title and its grid, or between pages of a table."""
    k = key(line.text)
    return bool(
        is_page_furniture(line)
        or _METADATA_LINE.search(k)
        or _CONTINUED.match(k)
        or _QUOTES_ONLY.match(line.text)
        or _YEAR_ONLY.match(k)
    )


def starts_at(blocks: Sequence[Block], i: int) -> bool:
    """A budget table title followed by its grid (within a few framing lines)."""
    if title_at(blocks, i) is None or on_contents_page(blocks, i):
        return False
    for j in range(i + 1, min(len(blocks), i + 1 + MAX_LINES_BEFORE_GRID + 1)):
        block = blocks[j]
        if isinstance(block, Row):
            if is_metadata_row(block) or not any(not c.is_blank for c in block.cells):
                continue
            if title_at(blocks, j) is not None and not _grid_follows(blocks, j):
                return False
            return _names_a_kind(blocks, i) or _budget_header(blocks, j)
        if title_at(blocks, j) is not None:
            return False
        if not (_is_framing(block) or is_band(block)):
            return False
    return False


def _names_a_kind(blocks: Sequence[Block], i: int) -> bool:
    title = budget_title_key(block_text(blocks[i]))
    return title is not None and budget_kind(title) != "other"


def _budget_header(blocks: Sequence[Block], j: int, rows: int = 4) -> bool:
    """The grid's first rows carry a budget table's header words (科目编码, 预算数 …)."""
    texts = [
        key(c.text)
        for block in blocks[j : j + rows + 1]
        if isinstance(block, Row)
        for c in block.cells
        if not c.is_blank
    ]
    return any(w in t for t in texts for w in BUDGET_TABLE_WORDS)


def _grid_follows(blocks: Sequence[Block], j: int) -> bool:
    """An in-grid title row is followed by more rows of the grid."""
    return j + 1 < len(blocks) and isinstance(blocks[j + 1], Row)


def extent(blocks: Sequence[Block], i: int) -> Extent:
    """The table whose title is block ``i``: rows over pages, framing lines, notes."""
    found = Extent(title_index=i, end=i + 1, title=block_text(blocks[i]))
    j = i + 1
    seen_row = False
    last_page = blocks[i].page
    while j < len(blocks):
        block = blocks[j]
        if title_at(blocks, j) is not None:
            if seen_row and _same_title(found.title, block_text(block)):
                found.lines.append(Line(block_text(block), page=block.page, bbox=block.bbox))
                j += 1
                continue  # a continuation page that repeats the title
            if seen_row or isinstance(block, Line):
                break
        if isinstance(block, Row):
            if is_metadata_row(block):
                found.lines.append(Line(block_text_all(block), page=block.page, bbox=block.bbox))
            else:
                found.rows.append(block)
                seen_row = True
            last_page = block.page
        else:
            if _is_framing(block):
                found.lines.append(block)
            elif seen_row and is_note(block):
                found.notes.append(block)
            elif not seen_row:
                (found.bands if is_band(block) else found.lines).append(block)
            elif found.notes and block.page == last_page and not _is_heading(block):
                found.notes.append(block)  # a note's continuation line
            elif _stray(blocks, j, last_page):
                found.lines.append(block)  # a cell's overflowing fragment between two rows
            else:
                break
        j += 1
    found.end = j
    return found


def _stray(blocks: Sequence[Block], j: int, page: int | None) -> bool:
    """A few characters between two rows of one page: text a cell let out, not running text."""
    line = blocks[j]
    following = blocks[j + 1] if j + 1 < len(blocks) else None
    if not isinstance(line, Line):
        return False
    k = key(line.text)
    return (
        isinstance(following, Row)
        and line.page == page == following.page
        and 0 < len(k) <= 8
        and not re.search(r"[，。；,;]", k)
    )


def block_text_all(row: Row) -> str:
    return " ".join(c.text for c in row.cells if not c.is_blank)


def _same_title(a: str, b: str) -> bool:
    """A continuation page that repeats the title (``…预算表（续）``)."""
    ka, kb = budget_title_key(a), budget_title_key(b)
    return ka is not None and ka == kb


_CN = "一二三四五六七八九十"
_HEADING = re.compile(rf"^(?:第[{_CN}]+部分|[{_CN}]+、|[(（][{_CN}]+[)）])")


def _is_heading(line: Line) -> bool:
    return bool(_HEADING.match(key(line.text)))
