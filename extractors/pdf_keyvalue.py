"""Borderless key/value forms: every printed line of the form as a row of its cells.

A form without rules is found by its field labels (项目名称, 设立依据, …, the
normaliser's vocabulary): two or more of them starting at one x. From the first
label down to the next grid header (or the page's end) each text line becomes a
row whose cells are the line's pieces of text, split at gaps wider than a word
space, each with its box. Which piece is a label, which value it points at, and
which lines of a wrapped value belong to which label (a label printed at the top,
middle or bottom of its value) is the normaliser's to decide, from the words and
the boxes: the same reading serves a two-column form (标签 | 值) and one with
label/value pairs side by side (项目性质 | … | 项目类别 | …). Letter-spaced labels
(``项 目 名 称``) are kept in one cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fiscaldoc.extractors.pdf_cells import cell_text
from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.extractors.pdf_words import Span, Word, gutter, split_cells, text_lines
from fiscaldoc.lexicon.vocabulary import field_of
from fiscaldoc.model.document import Cell, Row

ENGINE = "pdfplumber-words"
LETTER_SPACING = 2.0
"""lines: single characters this close together are one letter-spaced word (``项　目``)."""


@dataclass(frozen=True)
class Form:
    """Where the form's labels are: what the page (and a continuation page) needs."""

    label_x0: float
    boundary: float
    top: float = 0.0
    """The first label's top on the page where the form was found."""


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
    labels = _label_words(words)
    if len(labels) < 2:
        return None
    x0 = min(w.x0 for w in labels)
    column = [w for w in labels if abs(w.x0 - x0) < LAYOUT.label_align]
    if len(column) < 2:
        return None
    label_right = max(w.x1 for w in column)
    values = [w for w in words if w.x0 > label_right]
    if not values:
        return None
    edge = gutter([w for w in words if w.x1 > x0], (x0 + label_right) / 2, min(w.x0 for w in values))
    return Form(x0, edge, min(w.top for w in column))


def _pieces(words: Sequence[Word]) -> list[list[Word]]:
    """A line's words → its cells: split at wide gaps, letter-spaced words kept whole."""
    out: list[list[Word]] = []
    for piece in split_cells(words):
        previous = out[-1] if out else None
        if previous is not None and _spaced_letters(previous, piece):
            previous.extend(piece)
        else:
            out.append(list(piece))
    return out


def _spaced_letters(left: list[Word], right: list[Word]) -> bool:
    """Two pieces that are letters of one spaced-out word (``项`` ``目``, ``实 施`` ``单 位``)."""
    letters = [w for w in (*left, *right) if len(w.text) > 1]
    if letters:
        return False
    height = min(w.height for w in (*left, *right))
    return right[0].x0 - left[-1].x1 <= LETTER_SPACING * height


def _row(line: Span, page_no: int) -> Row:
    cells = []
    for piece in _pieces(line.words):
        span = Span(tuple(piece))
        cells.append(Cell(cell_text([span.as_line()]), page=page_no, bbox=span.bbox))
    return Row(tuple(cells), page=page_no, bbox=line.bbox, engine=ENGINE)


def read(
    form: Form, words: Sequence[Word], page_no: int, top: float, bottom: float, lead: bool
) -> tuple[list[Row], set[int]]:
    """Rows of the form between ``top`` (or its first label, on the page it starts on) and
    ``bottom``; the ids of the words used."""
    start = top if lead else min(top, form.top)
    inside = [w for w in words if start <= w.top < bottom]
    rows = [_row(line, page_no) for line in text_lines(inside)]
    return rows, {id(w) for w in inside}
