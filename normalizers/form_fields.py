"""A form's field block: label cells pointing at the value cells to their right (or below).

Each row is read on its own: every cell whose words name a field
(:func:`fiscaldoc.lexicon.vocabulary.field_of`) is a label, and the cells up to
the next label are its value. A row of labels without values is a row of
headings (``项目总目标 | 年度总体目标``): the rows under it are their values,
column by column. A row without labels continues the long text fields of the
row above it (a field split over rows or pages). Labels a reader wrapped onto
two rows are rejoined first. Nothing stops the reading: a row it cannot place
is noted for the parse report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fiscaldoc.lexicon.text import collapse, join_wrapped, key
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


@dataclass(frozen=True)
class Entry:
    """One label and its value as printed."""

    name: str
    label: str
    value: str
    col: int
    row: int
    page: int | None


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
    ``万元）``: a label cut in two (the tail may be a label word itself)."""
    return not is_complete_label(head) and not _values_like(head) and is_complete_label(head + tail)


def _values_like(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _is_label(slot: Slot) -> str | None:
    return field_of(slot.text)


def _looks_like_label(slot: Slot) -> bool:
    """A short cell without digits that starts a row: an unknown label (联系人, 填报单位)."""
    k = slot.key
    return 0 < len(k) <= MAX_LABEL_CHARS and not any(ch.isdigit() for ch in k)


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


def _nearest(col: int, targets: Sequence[tuple[str, int]]) -> str:
    """The field whose column is nearest (a left one on a tie)."""
    return min(targets, key=lambda t: (abs(t[1] - col), t[1]))[0]


@dataclass
class _Item:
    """A row of the field block: ``free`` (no label), ``text`` (long text fields), ``heading``
    (text-field labels over the rows holding their text), ``fixed`` (other labels), or
    ``unknown`` (a label the vocabulary does not know)."""

    kind: str
    row: FormRow
    fields: list[tuple[str, int]] = field(default_factory=list)
    own: dict[str, str] = field(default_factory=dict)


def read_fields(rows: list[FormRow]) -> FieldReading:
    reading = FieldReading()
    merge_pairs(rows, _wrapped_label, MAX_WRAPPED_LABEL_PART, reach=0, follow_values=True)
    items = _items(rows, reading)
    _share_text(items, reading)
    return reading


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
        values = _values(row, labels)
        if all(not v for _, _, v in values) and all(n in TEXT_FIELDS for n, _, _ in values):
            items.append(_Item("heading", row, [(n, s.col) for n, s, _ in values]))
            continue
        lead = row.slots[0]
        if _is_label(lead) is None and _looks_like_label(lead):
            reading.unknown.append(f"unknown label {lead.text!r}")
        item = _Item("fixed", row)
        for name, slot, value_slots in values:
            text = join_wrapped([s.text for s in value_slots])
            reading.entries.append(Entry(name, slot.text, text, slot.col, index, slot.page))
            if name in TEXT_FIELDS:
                item.kind = "text"
                item.fields.append((name, value_slots[0].col if value_slots else slot.col + 1))
                item.own[name] = text
        items.append(item)
    return items


def _segments(items: list[_Item]) -> list[tuple[_Item | None, list[_Item]]]:
    """Runs of text and free rows, each with the heading row above it (if it follows one)."""
    out: list[tuple[_Item | None, list[_Item]]] = []
    heading: _Item | None = None
    current: list[_Item] = []
    for item in items:
        if item.kind in ("fixed", "heading", "unknown"):
            if current:
                out.append((heading, current))
            current = []
            heading = item if item.kind == "heading" else None
        else:
            current.append(item)
    if current:
        out.append((heading, current))
    return out


def _share_text(items: list[_Item], reading: FieldReading) -> None:
    """Pass two: free rows to the text fields they belong to. Under a heading row, by column.
    Elsewhere each text label heads a run of rows, at its top, middle or bottom as the
    document aligns its cells: the alignment that places every label best decides."""
    segments = _segments(items)
    best: tuple[float, list[list[int]]] | None = None
    for alignment in ALIGNMENTS:
        total, owners = 0.0, []
        for heading, segment in segments:
            labels = [n for n, item in enumerate(segment) if item.kind == "text"]
            if heading is not None or not labels:
                owners.append([])
                continue
            spans = [Span(float(n), float(n + 1)) for n in range(len(segment))]
            cost, owner = partition([Label("", spans[n]) for n in labels], spans, alignment, 1.0, True)
            total += cost
            owners.append([labels[o] for o in owner])
        if best is None or total < best[0] - 1e-9:
            best = (total, owners)
    assert best is not None
    for (heading, segment), owner in zip(segments, best[1], strict=True):
        for n, item in enumerate(segment):
            if heading is not None:
                targets = heading.fields
            elif owner:
                targets = segment[owner[n]].fields
            else:
                text = collapse(" | ".join(s.text for s in item.row.slots))
                reading.unknown.append(f"row not placed: {text[:80]}")
                continue
            if item.kind == "text":
                for name, _ in item.fields:
                    _append(reading, name, item.own[name])
            else:
                reading.rows_read += 1
                for slot in item.row.slots:
                    _append(reading, _nearest(slot.col, targets), slot.text)


def _values(row: FormRow, labels: list[tuple[str, Slot]]) -> list[tuple[str, Slot, list[Slot]]]:
    """Each label with the cells after it, up to the next label."""
    out = []
    positions = [row.slots.index(s) for _, s in labels]
    for n, (name, slot) in enumerate(labels):
        end = positions[n + 1] if n + 1 < len(labels) else len(row.slots)
        out.append((name, slot, row.slots[positions[n] + 1 : end]))
    return out


def value_key(entry: Entry | None) -> str:
    return key(entry.value) if entry else ""
