"""A form's field block: label cells pointing at the value cells to their right (or below).

Each row is read on its own: every cell whose words name a field
(:func:`fiscaldoc.lexicon.vocabulary.field_of`) is a label, and the cells up to
the next label are its value. Long text fields (设立依据, 项目概述, the goals) run
over several rows: a row without labels belongs to a text field near it, the one
whose label heads its run of rows (printed at the run's top, middle or bottom,
as the document aligns its cells; a row of labels alone, ``项目总目标 |
年度总体目标``, heads the rows under it), and within a row to the field whose
column it sits in. Labels a reader wrapped onto two rows are rejoined first.
Nothing stops the reading: a row it cannot place is noted for the parse report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise

from fiscaldoc.lexicon.text import collapse, join_wrapped, key
from fiscaldoc.lexicon.vocabulary import MAX_LABEL_CHARS, field_of, is_complete_label, is_label_start
from fiscaldoc.normalizers.form_runs import ALIGNMENTS, PAGE_HEIGHT, Label, Span, partition
from fiscaldoc.normalizers.form_slots import FormRow, Slot, merge_pairs
from fiscaldoc.normalizers.markup import join_page_break

TEXT_FIELDS = ("basis", "overview", "overall_goal", "annual_goal")
MONEY_FIELDS = (
    "amount",
    "money_total",
    "money_annual",
    "money_fiscal",
    "money_other",
    "money_current",
    "money_carryover",
)
_SENTENCE_END = "。；;！!？?：:"
MAX_UNKNOWN_LABEL = 6
"""An unknown label (联系人, 联系电话) is a short word; a longer cell is text."""
MAX_LABEL_MIDDLE = 3
"""The middle line of a label printed over three (``效 目``)."""
MAX_WRAPPED_LABEL_PART = 6
"""The tail of a label wrapped onto the next row (``名称``, ``开始日期``, ``万元）``)."""
LINE_ROWS = ("pdfplumber-words", "ocr-words", "text-aligned")
"""Readers that give every printed line a row of its own (a borderless form, a space-aligned
dump): a field does not end inside a paragraph, where the page leaves no gap (boxes) or a
line stops short of its sentence's end (text)."""
WRAPPED_GAP = 0.5
"""lines: lines this close are one paragraph's wrapped lines."""
CUT_COST = 1.0
"""rows: what starting a field inside a paragraph costs."""
MIXED_ALIGNMENT = 0.5
"""rows: what a label printed unlike the document's other labels costs (at the top of a field
that a page break split, say)."""


@dataclass(frozen=True)
class Entry:
    """One label and its value as printed."""

    name: str
    label: str
    value: str
    col: int
    row: int
    page: int | None
    x: float | None = None
    """The label's left edge, where the reader gives boxes."""


@dataclass
class FieldReading:
    entries: list[Entry] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """Long text fields, their pieces rejoined (markup still in)."""
    unknown: list[str] = field(default_factory=list)
    """Rows and labels not understood, for the parse report."""
    rows_read: int = 0

    def first(self, name: str) -> Entry | None:
        return next((e for e in self.entries if e.name == name and e.value), None)


def _wrapped_label(head: str, tail: str) -> bool:
    """``项目`` + ``名称``, ``计划`` + ``开始日期``, ``主管部门及`` + ``代码``, ``项目资金（`` +
    ``万元）``: a label cut in two (the tail may be a label word itself); or a whole label
    that its next line lengthens (``主管部门`` + ``及代码``, ``项目资金`` + ``（万元）``)."""
    if _has_digits(head) or _has_digits(tail):
        return False
    if not is_complete_label(head + tail):
        # the middle of a label over three lines (总 体 绩 / 效 目 / 标)
        return not is_complete_label(head) and len(tail) <= MAX_LABEL_MIDDLE and is_label_start(head + tail)
    if not is_complete_label(head):
        return True
    return field_of(tail) is None and len(key(head + tail)) > len(key(head))


def _has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _is_label(slot: Slot) -> str | None:
    return field_of(slot.text)


def _looks_like_label(slot: Slot) -> bool:
    """A short cell without digits that starts a row: an unknown label (联系人, 填报单位)."""
    k = slot.key
    return 0 < len(k) <= MAX_LABEL_CHARS and not _has_digits(k)


def _append(reading: FieldReading, name: str, text: str) -> None:
    if not text:
        return
    before = reading.texts.get(name, "")
    if not before:
        reading.texts[name] = text
    elif before.rstrip().endswith(tuple(_SENTENCE_END)) or before.rstrip().lower().endswith("</p>"):
        reading.texts[name] = join_page_break(before, text) if "<" in before else before + "\n" + text
    else:
        reading.texts[name] = join_page_break(before, text)


@dataclass
class _Label:
    """A label cell, where its value may be (its zone), and what it has gathered."""

    name: str
    slot: Slot
    row: int
    entry: int
    """Its index in ``FieldReading.entries``."""
    zone: tuple[float, float]
    """Across the page (x, where the reader gives boxes) or in columns."""
    eligible: bool
    """Rows may add to its value: a long text field, or a label whose value is not beside it."""
    after: Slot | None = None
    """The next label in its row, if any."""
    pieces: list[tuple[int, float, Slot]] = field(default_factory=list)


MAX_VALUE_TAIL = 4
"""The last characters of a short value wrapped onto the next line (``[145]浙江省卫生健康委员``
/ ``会``)."""


def _join_value_tails(rows: list[FormRow]) -> None:
    """A few characters under a short field's value, before any label of their own row, are
    the value's wrapped end (a reader that gives every printed line a row); in place."""
    for upper, lower in pairwise(rows):
        labels = [n for n, s in enumerate(upper.slots) if _is_label(s) is not None]
        values = [(n, s) for n, s in enumerate(upper.slots) if n - 1 in labels and _is_label(s) is None]
        values = [(n, s) for n, s in values if _is_label(upper.slots[n - 1]) not in TEXT_FIELDS]
        for tail in list(lower.slots):
            if _is_label(tail) is not None:
                break  # only what comes before the row's own labels
            if len(tail.key) > MAX_VALUE_TAIL or _has_digits(tail.key):
                break
            above = [(n, s) for n, s in values if _under(tail, s)]
            if not above:
                break
            n, value = above[0]
            upper.slots[n] = replace(value, text=join_wrapped([value.text, tail.text]))
            lower.slots.remove(tail)


def _under(tail: Slot, value: Slot) -> bool:
    if tail.bbox is not None and value.bbox is not None:
        return min(tail.bbox[2], value.bbox[2]) > max(tail.bbox[0], value.bbox[0])
    return tail.col == value.col


def _boxed(rows: list[FormRow]) -> bool:
    slots = [s for row in rows for s in row.slots]
    return bool(slots) and all(s.bbox is not None for s in slots) and all(r.top is not None for r in rows)


def _x(slot: Slot, boxed: bool) -> float:
    if boxed and slot.bbox is not None:
        return (slot.bbox[0] + slot.bbox[2]) / 2
    return float(slot.col)


def _zone(slot: Slot, after: Slot | None, own: bool, boxed: bool) -> tuple[float, float]:
    """Right of the label up to the next label in its row; a label without a value beside it
    also reaches over itself (a heading over the text printed under it)."""
    end = float("inf")
    if boxed and slot.bbox is not None:
        if after is not None and after.bbox is not None:
            end = after.bbox[0]
        return (slot.bbox[2] if own else slot.bbox[0], end)
    if after is not None:
        end = after.col - 0.5
    return (slot.col + 0.5 if own else slot.col - 0.5, end)


def read_fields(rows: list[FormRow]) -> FieldReading:
    reading = FieldReading()
    merge_pairs(rows, _wrapped_label, MAX_WRAPPED_LABEL_PART, reach=1, follow_values=True)
    _join_value_tails(rows)
    boxed = _boxed(rows)
    labels: list[_Label] = []
    free: list[tuple[int, Slot]] = []
    started = False
    for index, row in enumerate(rows):
        if not row:
            continue
        found = [(name, s) for s in row.slots if (name := _is_label(s)) is not None]
        if not found:
            if not started:
                continue  # a subtitle or 填报单位 line a reader gave a row of its own
            lead = row.slots[0]
            if len(row.slots) > 1 and _looks_like_label(lead) and len(lead.key) <= MAX_UNKNOWN_LABEL:
                rest = collapse(" ".join(s.text for s in row.slots[1:]))
                reading.unknown.append(f"unknown label {lead.text!r}: {rest[:60]}")
            else:
                free.extend((index, s) for s in row.slots)
            continue
        started = True
        reading.rows_read += 1
        first = row.slots.index(found[0][1])
        before = row.slots[:first]
        if (
            before
            and len(before) == 1
            and _looks_like_label(before[0])
            and len(before[0].key) <= MAX_UNKNOWN_LABEL
        ):
            reading.unknown.append(f"unknown label {before[0].text!r}")
        else:
            free.extend((index, s) for s in before)
        values = _values(row, found)
        for n, (name, slot, value_slots) in enumerate(values):
            text = join_wrapped([v.text for v in value_slots])
            x = slot.bbox[0] if slot.bbox else None
            reading.entries.append(Entry(name, slot.text, text, slot.col, index, slot.page, x))
            after = values[n + 1][1] if n + 1 < len(values) else None
            label = _Label(
                name,
                slot,
                index,
                len(reading.entries) - 1,
                _zone(slot, after, bool(value_slots), boxed),
                name in TEXT_FIELDS or (not value_slots and after is None),
                after,
            )
            label.pieces = [(index, _x(v, boxed), v) for v in value_slots]
            labels.append(label)
    if boxed:
        _zones_at_gutters(labels, [slot for _, slot in free])
    _place(labels, free, rows, boxed, reading)
    for label in labels:
        _gather(label, reading)
    return reading


def _zones_at_gutters(labels: list[_Label], free: list[Slot]) -> None:
    """Where a label's zone meets the next label's: the gap the free text leaves between their
    columns (labels print centred over their text, the text starts at its column's edge)."""
    by_slot = {id(label.slot): label for label in labels}
    for label in labels:
        nxt = label.after
        if nxt is None or nxt.bbox is None or label.slot.bbox is None:
            continue
        lo, hi = _x(label.slot, True), _x(nxt, True)
        edge = _gutter([s for s in free if s.bbox is not None], lo, hi)
        label.zone = (label.zone[0], edge)
        right = by_slot.get(id(nxt))
        if right is not None and right.zone[0] > edge:
            right.zone = (edge, right.zone[1])  # a heading's text starts at its column's edge


def _gutter(slots: list[Slot], lo: float, hi: float) -> float:
    """The x between ``lo`` and ``hi`` that the fewest pieces of text cross (the middle of the
    widest such stretch)."""
    cuts = sorted({lo, hi, *(x for s in slots if s.bbox for x in (s.bbox[0], s.bbox[2]) if lo < x < hi)})
    best: tuple[int, float, float] | None = None
    for a, b in pairwise(cuts):
        mid = (a + b) / 2
        crossing = sum(1 for s in slots if s.bbox and s.bbox[0] < mid < s.bbox[2])
        if best is None or (crossing, -(b - a)) < (best[0], best[1]):
            best = (crossing, -(b - a), mid)
    return best[2] if best else (lo + hi) / 2


def _columns(labels: list[_Label], boxed: bool) -> list[list[_Label]]:
    """Labels that may gather rows, grouped by where they print across the page."""
    groups: list[list[_Label]] = []
    for label in sorted((lb for lb in labels if lb.eligible), key=lambda lb: _x(lb.slot, boxed)):
        for group in groups:
            if _same_column(group[0].slot, label.slot, boxed):
                group.append(label)
                break
        else:
            groups.append([label])
    for group in groups:
        group.sort(key=lambda lb: lb.row)
    return groups


def _same_column(a: Slot, b: Slot, boxed: bool) -> bool:
    if boxed and a.bbox is not None and b.bbox is not None:
        tol = 1.5 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
        return abs(a.bbox[0] - b.bbox[0]) <= tol or abs(_x(a, True) - _x(b, True)) <= tol
    return abs(a.col - b.col) <= 1  # a reader that guesses columns may put one a column off


def _group_of(slot: Slot, groups: list[list[_Label]], boxed: bool) -> int | None:
    """The column of labels a piece of text sits under: the nearest to its left whose zone
    holds it, else the one whose zone is nearest."""
    x = _x(slot, boxed)
    best: tuple[float, float, int] | None = None
    for n, group in enumerate(groups):
        for label in group:
            start, end = label.zone
            gap = 0.0 if start <= x < end else min(abs(x - start), abs(x - end))
            if best is None or (gap, -start) < (best[0], best[1]):
                best = (gap, -start, n)
    return best[2] if best else None


def _by_order(
    free: list[tuple[int, Slot]], groups: list[list[_Label]], chosen: dict[int, int | None]
) -> None:
    """Where columns are only an order (a text dump), a line's pieces of text side by side go to
    the side-by-side fields in their order, left to right."""
    by_row: dict[int, list[Slot]] = {}
    for index, slot in free:
        by_row.setdefault(index, []).append(slot)
    order = sorted(range(len(groups)), key=lambda n: min(lb.zone[0] for lb in groups[n]))
    for slots in by_row.values():
        targets = {chosen[id(s)] for s in slots} - {None}
        if len(slots) < 2 or len(slots) != len(order) or len(targets) == len(slots):
            continue
        for slot, n in zip(sorted(slots, key=lambda s: s.col), order, strict=True):
            chosen[id(slot)] = n


def _place(
    labels: list[_Label],
    free: list[tuple[int, Slot]],
    rows: list[FormRow],
    boxed: bool,
    reading: FieldReading,
) -> None:
    """Pieces of text no label in their own row points at go to the label that heads their
    run of rows in their column: printed at the run's top, middle or bottom, as the document
    aligns its cells; the alignment that places every label best decides."""
    groups = _columns(labels, boxed)
    pieces: list[list[tuple[int, Slot]]] = [[] for _ in groups]
    chosen = {id(slot): _group_of(slot, groups, boxed) for _, slot in free}
    if not boxed:
        _by_order(free, groups, chosen)
    for index, slot in free:
        n = chosen[id(slot)]
        if n is None:
            reading.unknown.append(f"text not placed: {collapse(slot.text)[:80]}")
        else:
            pieces[n].append((index, slot))
    best: tuple[float, list[dict[int, _Label]]] | None = None
    for alignment in ALIGNMENTS:
        total = 0.0
        owners: list[dict[int, _Label]] = []
        for group, placed in zip(groups, pieces, strict=True):
            order = sorted({lb.row for lb in group} | {i for i, _ in placed})
            spans = [_row_span(rows[i], i, boxed) for i in order]
            heads = [_label_span(lb, rows, boxed) for lb in group]
            unit = _line_height(spans) if boxed else 1.0
            lines = all(rows[i].engine in LINE_ROWS for i in order)
            if lines and boxed:
                cut = _cut_cost(spans, unit)
            elif lines:
                cut = _sentence_cut(order, rows, group, placed)
            else:
                cut = _no_cut
            cost, owner = partition(
                [Label("", h) for h in heads], spans, alignment, unit, not boxed, cut, MIXED_ALIGNMENT
            )
            total += cost
            owners.append({i: group[o] for i, o in zip(order, owner, strict=True)})
        if best is None or total < best[0] - 1e-9:
            best = (total, owners)
    assert best is not None
    for heads_of, placed in zip(best[1], pieces, strict=True):
        for index, slot in placed:
            heads_of[index].pieces.append((index, _x(slot, boxed), slot))


def _no_cut(k: int, s: int, e: int) -> float:
    return 0.0


def _cut_cost(spans: list[Span], unit: float) -> Callable[[int, int, int], float]:
    """Starting a field's run in the middle of a paragraph (a line set as close to the one above
    as wrapped text is) costs a row: fields end where the page leaves a gap."""

    def cost(k: int, s: int, e: int) -> float:
        if s == 0:
            return 0.0
        gap = spans[s].top - spans[s - 1].bottom
        return CUT_COST if gap <= WRAPPED_GAP * unit else 0.0

    return cost


def _sentence_cut(
    order: list[int], rows: list[FormRow], group: list[_Label], placed: list[tuple[int, Slot]]
) -> Callable[[int, int, int], float]:
    """In a text dump: starting a field's run after a line whose text stops mid-sentence costs
    a row (the lines of one sentence belong to one field)."""
    text_of: dict[int, str] = {}
    for index, slot in placed:
        text_of[index] = text_of.get(index, "") + slot.text
    for label in group:
        own = [text for i, _, slot in label.pieces if i == label.row for text in [slot.text]]
        if own:
            text_of[label.row] = text_of.get(label.row, "") + own[-1]

    def cost(k: int, s: int, e: int) -> float:
        if s == 0:
            return 0.0
        before = text_of.get(order[s - 1], "").rstrip()
        return 0.0 if not before or before.endswith(tuple(_SENTENCE_END)) else CUT_COST

    return cost


def _row_span(row: FormRow, index: int, boxed: bool) -> Span:
    if boxed and row.top is not None and row.bottom is not None:
        base = (row.page or 0) * PAGE_HEIGHT
        return Span(base + row.top, base + row.bottom)
    return Span(float(index), float(index + 1))


def _label_span(label: _Label, rows: list[FormRow], boxed: bool) -> Span:
    box = label.slot.bbox
    if boxed and box is not None:
        page = label.slot.page if label.slot.page is not None else rows[label.row].page
        base = (page or 0) * PAGE_HEIGHT
        return Span(base + box[1], base + box[3])
    return Span(float(label.row - label.slot.up), float(label.row + 1 + label.slot.down))


def _gather(label: _Label, reading: FieldReading) -> None:
    """A label's pieces in reading order: its text field, or its entry's value."""
    ordered = [slot for _, _, slot in sorted(label.pieces, key=lambda p: (p[0], p[1]))]
    if label.name in TEXT_FIELDS:
        ends = _paragraph_ends(ordered)
        if ends is None:  # cells: each piece a cell of its own, split by rows or pages
            for slot in ordered:
                _append(reading, label.name, slot.text)
            return
        text = ""
        for n, slot in enumerate(ordered):
            text = join_wrapped([text, slot.text]) if text and not text.endswith("\n") else text + slot.text
            if n in ends:
                text += "\n"
        _append(reading, label.name, text.strip())
        return
    entry = reading.entries[label.entry]
    value = join_wrapped([slot.text for slot in ordered])
    if value != entry.value:
        reading.entries[label.entry] = replace(entry, value=value)


SHORT_LINE = 2.5
"""characters: a printed line ending this far short of the text's right edge ends a paragraph."""


def _paragraph_ends(slots: list[Slot]) -> set[int] | None:
    """Printed lines that end short of the text's right edge; None where the reader gives no
    boxes, or the pieces are not printed lines (a cell's text has its own line breaks)."""
    boxes = [s.bbox for s in slots]
    if any(b is None for b in boxes) or any("\n" in s.text for s in slots):
        return None
    if len(slots) < 2:
        return set()
    right = max(b[2] for b in boxes if b is not None)
    size = min(b[3] - b[1] for b in boxes if b is not None)
    return {n for n, b in enumerate(boxes) if b is not None and b[2] < right - SHORT_LINE * size}


def _line_height(rows: list[Span]) -> float:
    heights = sorted(r.bottom - r.top for r in rows if r.bottom > r.top)
    return heights[len(heights) // 2] if heights else 1.0


def _values(row: FormRow, labels: list[tuple[str, Slot]]) -> list[tuple[str, Slot, list[Slot]]]:
    """Each label with the cells after it, up to the next label."""
    out = []
    positions = [row.slots.index(s) for _, s in labels]
    for n, (name, slot) in enumerate(labels):
        end = positions[n + 1] if n + 1 < len(labels) else len(row.slots)
        out.append((name, slot, row.slots[positions[n] + 1 : end]))
    return out
