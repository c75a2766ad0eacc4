"""Borderless key/value forms: the bands of a form whose rules are not drawn, as rows.

A form without rules is found by its field labels (项目名称, 设立依据, …, the
normaliser's vocabulary): two or more of them in a left column (left-aligned or
centred on one another). Its left column's lines make label blocks (a label
wrapped over lines, ``项 目 名`` / ``称``, is one block, even with its value's
line printed between its two halves); the lines right of the column are the
values. Value lines are shared out among the labels so that each label is level
with the top, middle or bottom of its group (dynamic programming over the split
points): each label with its group is one band of the form. A band comes out as
rows, one per line, the label in the row of the line it is level with, each line
split into cells at gaps wider than a word space, every cell with its box.
Labels inside the values (``项目类别``, ``其中：财政资金``, ``年度总体目标`` beside
``项目总目标``), wrapped text and which line belongs to which field are the
normaliser's to read from the words and the boxes. Letter-spaced labels
(``项 目 名 称``) are kept in one cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from fiscaldoc.extractors.pdf_cells import cell_text
from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.extractors.pdf_words import Span, Word, gutter, merged, split_cells, text_lines
from fiscaldoc.lexicon.numbers import parse_number
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import (
    FIELD_LABELS,
    MAX_LABEL_CHARS,
    field_of,
    is_complete_label,
    is_form_title,
    is_label_start,
)
from fiscaldoc.model.document import Cell, Row

ENGINE = "pdfplumber-words"
LETTER_SPACING = 2.0
"""lines: single characters this close together are one letter-spaced word (``项　目``)."""
LABEL_REACH = 2.6
"""lines: a label's next piece (``称`` under ``项 目 名``) sits at most this far below it
(its value's line may be printed between the two)."""
MAX_LABEL_LINES = 4
LABEL_HEAD_MIN = 4
"""characters: a label's first line cut off a value it runs into is at least this long
(``主管部门及代``), so a value that merely starts like a label (``项目…``) stays whole."""


@dataclass(frozen=True)
class Form:
    """Where the form's labels are: what the page (and a continuation page) needs."""

    label_x0: float
    boundary: float
    top: float = 0.0
    """The first label's top on the page where the form was found."""


def _spaced_words(words: Sequence[Word]) -> list[Word]:
    """Letter-spaced words (``项 目 名 称``: one character per word, spaced wider than a word
    space) as one word each; every other word as it is."""
    out: list[Word] = []
    run = False  # whether out[-1] is a run of single characters
    for w in sorted(words, key=lambda w: (round(w.top), w.x0)):
        single = len(key(w.text)) == 1
        last = out[-1] if out else None
        if (
            single
            and run
            and last is not None
            and abs(w.top - last.top) < LAYOUT.same_line_overlap * w.height
            and 0 <= w.x0 - last.x1 <= LETTER_SPACING * w.height
        ):
            top, bottom = min(last.top, w.top), max(last.bottom, w.bottom)
            out[-1] = Word(last.text + w.text, last.x0, w.x1, top, bottom)
        else:
            out.append(w)
            run = single
    return out


_LABEL_WORDS = tuple(w for words in FIELD_LABELS.values() for w in words)


def _label_head(text: str) -> int:
    """How many characters of ``text`` are a label (or a label's first line, ``主管部门及代``)
    with a value run into it (``年度总体目标目标1：…``); 0 when it is all label or no label."""
    if is_complete_label(text) or is_form_title(text) or any(w.startswith(key(text)) for w in _LABEL_WORDS):
        return 0
    for n in range(len(text) - 1, 1, -1):
        head = key(text[:n])
        if text[n] in _RUNNING_ON:
            continue  # 项目实施，…: a sentence, not a label
        if is_complete_label(head):
            return _with_unit(text, n)
        if len(head) >= LABEL_HEAD_MIN and any(w.startswith(head) for w in _LABEL_WORDS):
            return n
    return 0


_RUNNING_ON = frozenset("，,。、；;")
_UNIT_CHARS = frozenset("万元亿千百")


def _with_unit(text: str, n: int) -> int:
    """A label's bracketed unit goes with it, closed or cut by a wrap (``项目资金（万``)."""
    if text[n : n + 1] not in ("（", "("):
        return n
    j = n + 1
    while j < len(text) and text[j] in _UNIT_CHARS:
        j += 1
    if j < len(text) and text[j] in "）)":
        j += 1
    return j if j > n + 1 else n


def _ems(text: str) -> float:
    """A text's width in ems: CJK and full-width characters one each, the rest half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "FW" else 0.5 for ch in text) or 1.0


def _split_labels(words: Sequence[Word], left_of: float = float("inf")) -> list[Word]:
    """A label and its value printed closer than a word space (a narrow spreadsheet column:
    ``主管部门及代[360612]山东省农业农村厅``) as two words, its CJK characters an em wide
    each, the rest half that. Only words starting left of ``left_of`` (the label column)
    are cut."""
    out: list[Word] = []
    for w in words:
        n = _label_head(w.text) if w.x0 < left_of else 0
        if n:
            cut = w.x0 + (w.x1 - w.x0) * _ems(w.text[:n]) / _ems(w.text)
            out.append(Word(w.text[:n], w.x0, cut, w.top, w.bottom))
            out.append(Word(w.text[n:], cut, w.x1, w.top, w.bottom))
        else:
            out.append(w)
    return out


def _label_words(words: Sequence[Word]) -> list[Word]:
    """Words that are (or with the word under them make) a form field label."""
    out: list[Word] = []
    for w in words:
        below = [
            v
            for v in words
            if abs(v.x0 - w.x0) < LAYOUT.label_align
            and 0 <= v.top - w.bottom <= LAYOUT.label_wrap * w.height
            and v is not w
        ]
        if field_of(w.text) or (below and field_of(w.text + below[0].text)):
            out.append(w)
    return out


def find_form(words: Sequence[Word]) -> Form | None:
    spaced = _spaced_words(words)
    if not _label_words(spaced):
        # a form prints some label as a word of its own; prose whose lines merely begin with
        # a label (``财政拨款支出主要内容如下：`` in a budget's 说明) is no form
        return None
    words = _split_labels(spaced)
    labels = _label_words(words)
    if len(labels) < 2:
        return None
    first = min(labels, key=lambda w: w.x0)
    column = [  # the left column's labels: left-aligned with the first, or centred on it
        w
        for w in labels
        if abs(w.x0 - first.x0) < LAYOUT.label_align or abs(w.cx - first.cx) < LAYOUT.label_align
    ]
    if len(column) < 2:
        return None
    x0 = min(w.x0 for w in column)
    label_right = max(w.x1 for w in column)
    values = [w for w in words if w.x0 > label_right]
    if not values:
        return None
    edge = gutter([w for w in words if w.x1 > x0], (x0 + label_right) / 2, min(w.x0 for w in values))
    return Form(x0, edge, min(w.top for w in labels))


def label_blocks(lines: Sequence[Span]) -> list[list[Span]]:
    """The left column's lines → labels: a label's pieces join until it reads as a whole label
    (``项 目 名`` + ``称``, ``主管部门`` + ``及代码``, ``项目资金`` + ``（万元）``)."""
    out: list[list[Span]] = []
    for line in sorted(lines, key=lambda s: s.top):
        if out:
            block = out[-1]
            text = "".join(key(ln.text) for ln in block)
            joined = text + key(line.text)
            near = line.top - block[-1].bottom <= LABEL_REACH * line.height
            if (
                near
                and len(block) < MAX_LABEL_LINES
                and len(joined) <= MAX_LABEL_CHARS
                and _continues(text, line.text)
            ):
                block.append(line)
                continue
        out.append([line])
    return out


def _continues(text: str, more: str) -> bool:
    """``项目名`` + ``称``, ``主管部门`` + ``及代码``, ``项目资金`` + ``（万元）``: the next piece
    finishes (or lengthens) the label rather than starting another."""
    if field_of(more) is not None and is_complete_label(more):
        return False
    joined = text + key(more)
    if is_complete_label(text):
        return is_complete_label(joined) and len(joined) > len(text)
    return is_label_start(joined)


def _cost(label: Span, group: Sequence[Span], height: float, level: bool) -> float:
    """How far a label sits from its group's top, middle or bottom (whichever is nearest)."""
    if not group:
        return LAYOUT.empty_cost[level] * height
    span = merged(group)
    return min(abs(span.cy - label.cy), abs(span.top - label.top), abs(span.bottom - label.bottom))


def share_out(labels: Sequence[Span], values: Sequence[Span], lead: bool) -> list[list[Span]]:
    """Value lines → one group per label (plus a first group for the page's leading tail)."""
    n, k = len(values), len(labels)
    inf = float("inf")
    height = min((s.height for s in [*labels, *values]), default=10.0)
    level = [any(v.top < lb.bottom and v.bottom > lb.top for v in values) for lb in labels]
    # best[j][i]: cost of giving values[:i] to the lead group and labels[:j].
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    for i in range(n + 1):
        best[0][i] = 0.0 if (lead or i == 0) else inf
    for j in range(1, k + 1):
        for i in range(n + 1):
            for s in range(i + 1):
                if best[j - 1][s] == inf:
                    continue
                cost = best[j - 1][s] + _cost(labels[j - 1], values[s:i], height, level[j - 1])
                if cost < best[j][i]:
                    best[j][i], back[j][i] = cost, s
    groups: list[list[Span]] = []
    i = n
    for j in range(k, 0, -1):
        s = back[j][i]
        groups.append(list(values[s:i]))
        i = s
    groups.append(list(values[:i]))
    return groups[::-1]


_GLUED = re.compile(r"^([0-9][0-9,.]*)(\D.*)$")
_YEAR = re.compile(r"^(?:19|20)[0-9]{2}$")


def _unglued(words: Sequence[Word]) -> list[Word]:
    """A right-aligned amount and the next column's label printed closer than a word space
    come out as one word (``7245749年度资金申请总额``): split where the label starts, its CJK
    characters a font size wide each."""
    out: list[Word] = []
    for w in words:
        match = _GLUED.match(w.text)
        label = match.group(2) if match else ""
        if (
            match
            and parse_number(match.group(1)) is not None
            and not (_YEAR.match(match.group(1)) and label.startswith("年"))  # 2019年度金额
            and field_of(w.text) is None
            and is_label_start(key(label))
        ):
            cut = max(w.x0, w.x1 - len(label) * w.height)
            out += [Word(match.group(1), w.x0, cut, w.top, w.bottom), Word(label, cut, w.x1, w.top, w.bottom)]
        else:
            out.append(w)
    return out


def _pieces(words: Sequence[Word]) -> list[list[Word]]:
    """A line's words → its cells: split at wide gaps, letter-spaced words kept whole, and an
    amount apart from a label set close after it (``1100043.12 年度资金申请总额``)."""
    out: list[list[Word]] = []
    for piece in (part for cell in split_cells(_unglued(words)) for part in _at_labels(cell)):
        previous = out[-1] if out else None
        if previous is not None and _spaced_letters(previous, piece):
            previous.extend(piece)
        else:
            out.append(list(piece))
    return out


def _at_labels(words: list[Word]) -> list[list[Word]]:
    """A cell's words split where a number meets a label (a right-aligned amount and the next
    column's label can sit closer than a cell gap)."""
    out = [[words[0]]]
    for word in words[1:]:
        previous = out[-1][-1]
        if _is_number(previous.text) != _is_number(word.text) and (
            field_of(word.text) is not None or field_of(previous.text) is not None
        ):
            out.append([word])
        else:
            out[-1].append(word)
    return out


def _is_number(text: str) -> bool:
    return parse_number(text) is not None


def _spaced_letters(left: list[Word], right: list[Word]) -> bool:
    """Two pieces that are letters of one spaced-out word (``项`` ``目``, ``实 施`` ``单 位``)."""
    letters = [w for w in (*left, *right) if len(w.text) > 1]
    if letters:
        return False
    height = min(w.height for w in (*left, *right))
    return right[0].x0 - left[-1].x1 <= LETTER_SPACING * height


def _cells(words: Sequence[Word], page_no: int) -> list[Cell]:
    cells = []
    for piece in _pieces(words):
        span = Span(tuple(piece))
        cells.append(Cell(cell_text([span.as_line()]), page=page_no, bbox=span.bbox))
    return cells


def _band(label: list[Span] | None, group: Sequence[Span], page_no: int) -> list[Row]:
    """One label and its value lines → rows, one per line; the label goes into the row of the
    line it is level with (a label centred on a wrapped value sits in the middle line)."""
    lines = text_lines(w for block in group for w in block.words)
    head: list[Cell] = []
    level = -1
    if label:
        box = merged(label)
        head = [Cell(cell_text([ln.as_line() for ln in label]), page=page_no, bbox=box.bbox)]
        if lines:
            level = min(range(len(lines)), key=lambda n: abs(lines[n].cy - box.cy))
    if not lines:
        return [Row(tuple(head), page=page_no, bbox=head[0].bbox, engine=ENGINE)] if head else []
    rows = []
    for n, line in enumerate(lines):
        cells = [*(head if n == level else []), *_cells(line.words, page_no)]
        spans = [line, *(label if n == level and label else [])]
        rows.append(Row(tuple(cells), page=page_no, bbox=merged(spans).bbox, engine=ENGINE))
    return rows


def read(
    form: Form, words: Sequence[Word], page_no: int, top: float, bottom: float, lead: bool
) -> tuple[list[Row], set[int]]:
    """Rows of the form between ``top`` (or its first label, on the page it starts on) and
    ``bottom``; the ids of the words used."""
    start = top if lead else min(top, form.top)
    inside = [w for w in words if start <= w.top < bottom and w.x1 > form.label_x0 - LAYOUT.label_align]
    pieces = _split_labels(inside, form.boundary)
    label_lines = text_lines(w for w in pieces if w.cx < form.boundary)
    value_lines = text_lines(w for w in pieces if w.cx >= form.boundary)
    labels = label_blocks(label_lines)
    values = value_lines  # line by line: a label's value may end where the next one's starts
    if not labels and not lead:
        return [], set()
    groups = share_out([merged(lb) for lb in labels], values, lead)
    rows = _band(None, groups[0], page_no)
    for label, group in zip(labels, groups[1:], strict=True):
        rows.extend(_band(label, group, page_no))
    return rows, {id(w) for w in inside}
