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

from collections.abc import Sequence
from dataclasses import dataclass, field

from fiscaldoc.lexicon.text import collapse, join_wrapped
from fiscaldoc.lexicon.vocabulary import MAX_LABEL_CHARS, field_of, is_complete_label
from fiscaldoc.normalizers.form_runs import ALIGNMENTS, Label, Span, partition
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
MAX_WRAPPED_LABEL_PART = 6
"""The tail of a label wrapped onto the next row (``名称``, ``开始日期``, ``万元）``)."""
PAGE_HEIGHT = 10_000.0


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


@dataclass(frozen=True)
class Target:
    """A text field that rows may continue, and where its text sits across the page."""

    name: str
    col: int
    x0: float | None = None
    x1: float | None = None


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


@dataclass
class _Item:
    """A row of the field block: ``free`` (no label), ``text`` (labels of long text fields,
    with or without their text), ``fixed`` (other labels) or ``unknown`` (a label the
    vocabulary does not know)."""

    kind: str
    row: FormRow
    label: Slot | None = None
    targets: list[Target] = field(default_factory=list)
    own: dict[str, str] = field(default_factory=dict)


def _wrapped_label(head: str, tail: str) -> bool:
    """``项目`` + ``名称``, ``计划`` + ``开始日期``, ``主管部门及`` + ``代码``, ``项目资金（`` +
    ``万元）``: a label cut in two (the tail may be a label word itself)."""
    return not is_complete_label(head) and not _has_digits(head) and is_complete_label(head + tail)


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


def _nearest(slot: Slot, targets: Sequence[Target]) -> str:
    """The field a piece of text continues: the one it overlaps most across the page where
    the reader gives boxes, else the nearest by column (a left one on a tie)."""
    if slot.bbox is not None and all(t.x0 is not None and t.x1 is not None for t in targets):
        x0, x1 = slot.bbox[0], slot.bbox[2]

        def overlap(t: Target) -> tuple[float, float]:
            assert t.x0 is not None and t.x1 is not None
            shared = min(x1, t.x1) - max(x0, t.x0)
            return (-shared, abs((x0 + x1) / 2 - (t.x0 + t.x1) / 2))

        return min(targets, key=overlap).name
    return min(targets, key=lambda t: (abs(t.col - slot.col), t.col)).name


def read_fields(rows: list[FormRow]) -> FieldReading:
    reading = FieldReading()
    merge_pairs(rows, _wrapped_label, MAX_WRAPPED_LABEL_PART, reach=0, follow_values=True)
    items = _items(rows, reading)
    _share_text(items, reading)
    return reading


def _target(name: str, label: Slot, value_slots: list[Slot], row: FormRow) -> Target:
    """Where a text field's text sits: its first value cell, or (a heading) under its label."""
    if value_slots:
        first, last = value_slots[0], value_slots[-1]
        x0 = first.bbox[0] if first.bbox else None
        x1 = last.bbox[2] if last.bbox else None
        return Target(name, first.col, x0, x1)
    box = label.bbox
    return Target(name, label.col, box[0] if box else None, box[2] if box else None)


def _items(rows: list[FormRow], reading: FieldReading) -> list[_Item]:
    """Pass one: every row classified; labels and their own values recorded."""
    items: list[_Item] = []
    for index, row in enumerate(rows):
        if not row:
            continue
        labels = [(n, s) for s in row.slots if (n := _is_label(s)) is not None]
        if not labels:
            if not items:
                continue  # a subtitle or 填报单位 line a reader gave a row of its own
            lead = row.slots[0]
            if len(row.slots) > 1 and _looks_like_label(lead) and len(lead.key) <= MAX_UNKNOWN_LABEL:
                rest = collapse(" ".join(s.text for s in row.slots[1:]))
                reading.unknown.append(f"unknown label {lead.text!r}: {rest[:60]}")
                items.append(_Item("unknown", row))
            else:
                items.append(_Item("free", row))
            continue
        reading.rows_read += 1
        lead = row.slots[0]
        if _is_label(lead) is None and _looks_like_label(lead):
            reading.unknown.append(f"unknown label {lead.text!r}")
        item = _Item("fixed", row)
        for name, slot, value_slots in _values(row, labels):
            text = join_wrapped([s.text for s in value_slots])
            x = slot.bbox[0] if slot.bbox else None
            reading.entries.append(Entry(name, slot.text, text, slot.col, index, slot.page, x))
            if name in TEXT_FIELDS:
                item.kind = "text"
                item.label = item.label or slot
                item.targets.append(_target(name, slot, value_slots, row))
                item.own[name] = text
        items.append(item)
    return items


def _segments(items: list[_Item]) -> list[list[_Item]]:
    """Runs of text and free rows between rows of other labels."""
    out: list[list[_Item]] = []
    current: list[_Item] = []
    for item in items:
        if item.kind in ("fixed", "unknown"):
            if current:
                out.append(current)
            current = []
        else:
            current.append(item)
    if current:
        out.append(current)
    return out


def _spans(segment: list[_Item]) -> tuple[list[Span], list[Span], bool]:
    """Where each row and each text label sits: page boxes where every row has one, else
    row numbers."""
    boxed = all(item.row.top is not None for item in segment) and all(
        item.label is None or item.label.bbox is not None for item in segment
    )
    if not boxed:
        rows = [Span(float(n), float(n + 1)) for n in range(len(segment))]
        return rows, [rows[n] for n, item in enumerate(segment) if item.kind == "text"], False
    rows, labels = [], []
    for item in segment:
        base = (item.row.page or 0) * PAGE_HEIGHT
        assert item.row.top is not None and item.row.bottom is not None
        rows.append(Span(base + item.row.top, base + item.row.bottom))
        if item.kind == "text":
            assert item.label is not None and item.label.bbox is not None
            page = item.label.page if item.label.page is not None else item.row.page
            lbase = (page or 0) * PAGE_HEIGHT
            labels.append(Span(lbase + item.label.bbox[1], lbase + item.label.bbox[3]))
    return rows, labels, True


def _share_text(items: list[_Item], reading: FieldReading) -> None:
    """Pass two: free rows to the text fields they belong to. Each text label heads a run
    of rows, at its top, middle or bottom as the document aligns its cells: the alignment
    that places every label best decides."""
    segments = _segments(items)
    best: tuple[float, list[list[int]]] | None = None
    for alignment in ALIGNMENTS:
        total, owners = 0.0, []
        for segment in segments:
            labels = [n for n, item in enumerate(segment) if item.kind == "text"]
            if not labels:
                owners.append([])
                continue
            rows, spans, boxed = _spans(segment)
            unit = _line_height(rows) if boxed else 1.0
            cost, owner = partition([Label("", s) for s in spans], rows, alignment, unit, not boxed)
            total += cost
            owners.append([labels[o] for o in owner])
        if best is None or total < best[0] - 1e-9:
            best = (total, owners)
    assert best is not None
    for segment, owner in zip(segments, best[1], strict=True):
        for n, item in enumerate(segment):
            if not owner:
                text = collapse(" | ".join(s.text for s in item.row.slots))
                reading.unknown.append(f"row not placed: {text[:80]}")
                continue
            if item.kind == "text":
                for name, text in item.own.items():
                    _append(reading, name, text)
                if owner[n] == n:
                    continue
            else:
                reading.rows_read += 1
            targets = segment[owner[n]].targets
            slots = item.row.slots if item.kind == "free" else []
            for slot in slots:
                _append(reading, _nearest(slot, targets), slot.text)


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
