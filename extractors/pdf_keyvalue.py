"""Borderless key/value forms: labels in a left column, each centred (or top-aligned) on its value.

The label column is found by the form's field labels (项目名称, 设立依据, …,
the normaliser's vocabulary). Value lines are grouped into blocks of wrapped
text; the blocks are shared out among the labels in order so that each
label's group is centred on the label or starts level with it (dynamic
programming over the split points). Blocks above the first label on a page
that continues a form belong to the field the previous page ended in: they
come out as a row with a blank label, as a ruled table would print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fiscaldoc.extractors.pdf_cells import cell_text
from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.extractors.pdf_words import Span, Word, blocks, gutter, merged, split_cells, text_lines
from fiscaldoc.lexicon.vocabulary import field_of
from fiscaldoc.model.document import Cell, Row

ENGINE = "pdfplumber-words"


@dataclass(frozen=True)
class Form:
    """Where the labels end: what a continuation page needs."""

    label_x0: float
    boundary: float


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
    return Form(x0, edge)


def _cost(label: Span, group: Sequence[Span], height: float, level: bool) -> float:
    if not group:
        return LAYOUT.empty_cost[level] * height
    span = merged(group)
    return min(abs(span.cy - label.cy), abs(span.top - label.top))


def share_out(labels: Sequence[Span], values: Sequence[Span], lead: bool) -> list[list[Span]]:
    """Value blocks → one group per label (plus a first group for the page's leading tail)."""
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


def _value_cells(group: Sequence[Span], page_no: int) -> list[Cell]:
    """A field's value blocks → cells: split at gaps no word crosses; paragraphs kept apart."""
    words = [w for block in group for w in block.words]
    cells = []
    for cell_words in split_cells(words):
        paragraphs = [cell_text([ln.as_line() for ln in b]) for b in blocks(text_lines(cell_words))]
        span = Span(tuple(cell_words))
        cells.append(Cell("\n".join(p for p in paragraphs if p), page=page_no, bbox=span.bbox))
    return cells


def read(
    form: Form, words: Sequence[Word], page_no: int, top: float, bottom: float, lead: bool
) -> tuple[list[Row], set[int]]:
    """Rows of the form between ``top`` and ``bottom``; the ids of the words used."""
    inside = [w for w in words if top <= w.top < bottom and w.x1 > form.label_x0 - LAYOUT.label_align]
    margin = LAYOUT.crossing_margin
    across = [w.top for w in inside if w.x0 < form.boundary - margin and w.x1 > form.boundary + margin]
    stop = min(across, default=bottom)
    inside = [w for w in inside if w.top < stop]
    label_lines = text_lines(w for w in inside if w.cx < form.boundary)
    value_lines = text_lines(w for w in inside if w.cx >= form.boundary)
    labels = [merged(b) for b in blocks(label_lines)]
    values = [merged(b) for b in blocks(value_lines)]
    if not labels and not lead:
        return [], set()
    groups = share_out(labels, values, lead)
    rows: list[Row] = []
    if groups[0]:
        rows.append(_row(Cell("", page=page_no), groups[0], page_no))
    for label_lines_, group in zip(blocks(label_lines), groups[1:], strict=True):
        label = merged(label_lines_)
        text = cell_text([ln.as_line() for ln in label_lines_])
        rows.append(_row(Cell(text, page=page_no, bbox=label.bbox), group, page_no, label))
    used = {id(w) for w in inside}
    return rows, used


def _row(label: Cell, group: Sequence[Span], page_no: int, label_span: Span | None = None) -> Row:
    spans = [*group, *([label_span] if label_span else [])]
    box = merged(spans).bbox if spans else None
    return Row((label, *_value_cells(group, page_no)), page=page_no, bbox=box, engine=ENGINE)
