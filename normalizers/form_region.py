"""Where a performance form is in the block stream: its title, its rows, where it ends.

A form starts at its title (``绩效目标申报表``, ``财政项目支出绩效目标填报表``,
``项目支出绩效目标表`` …, recognised by meaning, in a line or in a row of its own)
when field labels follow it, or at a ``项目名称`` row where no title is printed.
It runs over page breaks and everything it does not understand, and ends at the
next form, at another kind of table, or at running text that is not page
furniture between its rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fiscaldoc.lexicon.text import collapse, key
from fiscaldoc.lexicon.vocabulary import (
    COLUMN_WORDS,
    allocation_header,
    field_of,
    indicator_header,
    is_complete_label,
    is_form_title,
    is_label_start,
    label_parts,
)
from fiscaldoc.model.document import Block, Cell, Line, Row
from fiscaldoc.normalizers.form_taxonomy import is_category
from fiscaldoc.normalizers.indicators import parse_target
from fiscaldoc.normalizers.stream import is_page_furniture

MIN_FOREIGN_ROLES = 3
"""Columns an allocation header without 序号 names (用款单位 | 项目名称 | 金额) to end a form."""
TITLE_LOOKAHEAD = 8
"""Blocks between a title and the form's first label (a subtitle, a 填报单位 line …)."""
MAX_FRAGMENT = 6
"""A label's or level name's piece a text dump's reader left as a line of its own."""
LINE_ENGINE = "text-aligned"
"""A row made from a line of running text: its cells are placed by guesswork."""
_NOTE = re.compile(r"^(?:注|备注|说明|填表说明|填报说明)\s*\d?\s*[:：.、]")


@dataclass
class Region:
    """The blocks of one form: its title lines and its rows, in reading order."""

    title: str | None = None
    rows: list[Row] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    """Running text inside the form (between its rows): kept for the parse report."""
    end: int = 0


def _row_title(row: Row) -> str | None:
    filled = [c.text for c in row.cells if not c.is_blank]
    if len(filled) == 1 and is_form_title(filled[0]):
        return collapse(filled[0])
    return None


def title_of(block: Block) -> str | None:
    """The form title a line (or a row holding nothing else) prints, if any."""
    if isinstance(block, Line):
        return collapse(block.text) if is_form_title(block.text) else None
    return _row_title(block)


def labels_in(row: Row) -> set[str]:
    return {name for c in row.cells if not c.is_blank and (name := field_of(c.text)) is not None}


def starts_at(blocks: Sequence[Block], i: int) -> bool:
    """A form title followed by field labels, or a 项目名称 row."""
    block = blocks[i]
    if isinstance(block, Row) and "project_name" in labels_in(block):
        return not _numbered(block)  # 序号 | 用款单位 | 项目名称 | 金额: a plan's header
    if title_of(block) is None:
        return False
    for nxt in blocks[i + 1 : i + 1 + TITLE_LOOKAHEAD]:
        if title_of(nxt) is not None:
            return False
        if isinstance(nxt, Row) and (labels_in(nxt) - {"indicators"} or _label_pieces(nxt)):
            return True
    return False


def _label_pieces(row: Row) -> bool:
    """A row that starts with a label cut by a reader (``项 | 目 | 名`` over ``称``, ``项目`` over
    ``类型``): its first cells, letters rejoined, begin a label word."""
    letters = ""
    for cell in row.cells:
        text = key(cell.text)
        if not text:
            if letters:
                break
            continue
        if len(text) > 1:
            if not letters:
                letters = text
            break
        letters += text
    return len(letters) >= 2 and is_label_start(letters) and not is_form_title(letters)


def _numbered(row: Row) -> bool:
    return any(key(c.text) in COLUMN_WORDS["seq"] for c in row.cells)


def is_note(text: str) -> bool:
    """A footnote under a form (``注：…``, ``备注：1. …``, ``填表说明：…``)."""
    return bool(_NOTE.match(collapse(text)))


def _foreign(row: Row) -> bool:
    """The header of another kind of table (an allocation plan) ends a form; an indicator row
    that merely names 项目 and 万元 (``项目总成本 | ≤4500.00(万元)``) does not."""
    header = allocation_header(row.texts())
    if header is None:
        return False
    roles = [header.seq, header.recipient, header.project, header.amount, header.note]
    if header.seq is None and (labels_in(row) or sum(r is not None for r in roles) < MIN_FOREIGN_ROLES):
        return False  # 项目内容 or 项目 | 专项资金项目 may be a form's, but not beside a 序号
    return not any(is_category(c.text) or _is_target(c.text) for c in row.cells if not c.is_blank)


def _is_target(text: str) -> bool:
    target = parse_target(text)
    return target.value is not None and (target.comparator != "=" or target.unit is not None)


def find(blocks: Sequence[Block], start: int) -> Region:
    """The form that starts at ``start``: title, rows and the index after its last block."""
    region = Region()
    i = start
    named = False
    while i < len(blocks):
        block = blocks[i]
        title = title_of(block)
        if title is not None:
            if region.rows and starts_at(blocks, i):
                break  # the next form
            if not region.rows:
                region.title = title
            i += 1  # before the form, or repeated over its continuation page
            continue
        if isinstance(block, Line) and (as_row := _as_row(block, inside=bool(region.rows))) is not None:
            block = as_row
        elif isinstance(block, Line) and region.rows and _text_inside(blocks, i):
            block = Row((Cell(block.text.strip()),), engine=LINE_ENGINE)
        if isinstance(block, Line):
            if not region.rows:
                i += 1  # subtitle, 填报单位 … between the title and the form
                continue
            resume = _resume_after_lines(blocks, i, region)
            if resume is None:
                break
            i = resume
            continue
        labels = labels_in(block)
        if "project_name" in labels:
            if named:
                break
            named = True
        elif _foreign(block):
            break
        region.rows.append(block)
        i += 1
    region.end = i
    return region


_GAP = re.compile(r"[ \u3000]{2,}|\t")


def _as_row(line: Line, inside: bool = False) -> Row | None:
    """A line of a text dump that reads ``label   value`` (or a label alone, the first half of a
    wrapped one) is a row of the form its reader did not see as a table; so is, between a
    form's rows, a short piece of one (``部门及代码`` under ``主管``)."""
    tokens = [t for t in _GAP.split(line.text.strip()) if t]
    if not tokens or is_form_title(line.text) or is_note(line.text) or is_page_furniture(line):
        return None
    if not any("\u4e00" <= ch <= "\u9fff" for ch in line.text):
        return None  # a separator (``--``) or a stray number, not a piece of a form
    if inside and line.page is None and len(tokens) == 1 and 0 < len(key(tokens[0])) <= MAX_FRAGMENT:
        return Row((Cell(tokens[0]),), engine=LINE_ENGINE)
    name, rest = label_parts(tokens[0])
    if name is None and not is_label_start(tokens[0]):
        return None
    if name is not None and len(tokens) == 1 and rest and not is_complete_label(tokens[0]):
        return None
    cells = tuple(Cell(t, page=line.page) for t in tokens)
    return Row(cells, page=line.page, bbox=line.bbox, engine=LINE_ENGINE)


MAX_TEXT_LINES = 30
"""Lines of a long field a text dump's reader left outside its table."""


def _text_inside(blocks: Sequence[Block], i: int) -> bool:
    """A line of a text dump (no pages) between rows of one form: lines of a long field that the
    reader did not see as part of the table, with the form's rows going on after them."""
    line = blocks[i]
    if not isinstance(line, Line) or line.page is not None or is_note(line.text) or is_page_furniture(line):
        return False
    for nxt in blocks[i + 1 : i + 1 + MAX_TEXT_LINES]:
        if isinstance(nxt, Line):
            if is_form_title(nxt.text) or is_note(nxt.text):
                return False
            continue
        if title_of(nxt) is not None or _foreign(nxt) or "project_name" in labels_in(nxt):
            return False
        if labels_in(nxt) or _grid_row(nxt):
            return True
    return False


def _grid_row(row: Row) -> bool:
    """A row of an indicator grid: its header, or one naming a level."""
    texts = [c.text for c in row.cells]
    return bool(indicator_header(texts)) or any(is_category(t) for t in texts if t.strip())


def _resume_after_lines(blocks: Sequence[Block], i: int, region: Region) -> int | None:
    """From a line inside a form: the next row if only page furniture, footnotes or lines on
    a later page stand between, and that row is not another form's."""
    last_page = region.rows[-1].page if region.rows else None
    j = i
    seen: list[Line] = []
    while j < len(blocks) and isinstance(blocks[j], Line):
        line = blocks[j]
        assert isinstance(line, Line)
        if is_form_title(line.text) and starts_at(blocks, j):
            return None
        later_page = line.page is not None and last_page is not None and line.page != last_page
        if not (is_page_furniture(line) or later_page):
            return None
        seen.append(line)
        j += 1
    if j >= len(blocks):
        return None
    row = blocks[j]
    assert isinstance(row, Row)
    if (
        (title_of(row) is not None and starts_at(blocks, j))
        or _foreign(row)
        or "project_name" in labels_in(row)
    ):
        return None
    if any(is_note(line.text) for line in seen) and not _continues(row):
        return None
    region.lines.extend(line for line in seen if not is_page_furniture(line))
    return j


def _continues(row: Row) -> bool:
    """After a footnote only a row that clearly belongs to a form goes on with it."""
    filled = [c for c in row.cells if not c.is_blank]
    return bool(filled) and (bool(labels_in(row)) or key(filled[0].text) in ("产出指标", "效益指标"))
