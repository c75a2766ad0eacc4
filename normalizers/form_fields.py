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
from fiscaldoc.normalizers.markup import join_page_break
from fiscaldoc.normalizers.form_slots import FormRow, Slot, merge_pairs

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
    """``项目`` + ``名称``, ``主管部门及`` + ``代码``, ``项目资金（`` + ``万元）``: a label cut in two."""
    if field_of(tail) is not None or is_complete_label(head):
        return False
    return is_complete_label(head + tail)


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


def read_fields(rows: list[FormRow]) -> FieldReading:
    reading = FieldReading()
    merge_pairs(rows, _wrapped_label, MAX_WRAPPED_LABEL_PART, reach=0)
    headings: list[tuple[str, int]] = []  # text fields headed above the rows that hold them
    active: list[tuple[str, int]] = []  # text fields of the last labelled row: (name, value column)
    for index, row in enumerate(rows):
        if not row:
            continue
        labels = [(n, s) for s in row.slots if (n := _is_label(s)) is not None]
        if not labels:
            targets = headings or active
            if targets:
                for slot in row.slots:
                    _append(reading, _nearest(slot.col, targets), slot.text)
                reading.rows_read += 1
            elif _looks_like_label(row.slots[0]) and len(row.slots) > 1:
                rest = " ".join(s.text for s in row.slots[1:])
                reading.unknown.append(f"unknown label {row.slots[0].text!r}: {collapse(rest)[:60]}")
            else:
                reading.unknown.append(f"row not placed: {collapse(' | '.join(s.text for s in row.slots))[:80]}")
            continue
        reading.rows_read += 1
        values = _values(row, labels)
        if all(not v for _, _, v in values) and all(n in TEXT_FIELDS for n, _, _ in values):
            headings = [(n, s.col) for n, s, _ in values]
            active = []
            continue
        headings = []
        active = []
        lead = row.slots[0]
        if _is_label(lead) is None and _looks_like_label(lead):
            reading.unknown.append(f"unknown label {lead.text!r}")
        for name, slot, value_slots in values:
            text = join_wrapped([s.text for s in value_slots])
            reading.entries.append(Entry(name, slot.text, text, slot.col, index, slot.page))
            if name in TEXT_FIELDS:
                _append(reading, name, text)
                active.append((name, value_slots[0].col if value_slots else slot.col + 1))
    return reading


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
