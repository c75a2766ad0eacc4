"""A form's rows as the interpreter sees them: the filled cells of each row, by grid column.

Every engine gives rows of cells; what a form reader needs from one is which
cells hold text and in which grid column they sit (a label points at the cells
to its right). Covered positions of merged cells are kept apart: a merged cell
tells where its extent is known (ruled PDFs, DOCX, XLSX), while a row from a
reader that guesses positions (text dumps, whitespace) has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from fiscaldoc.lexicon.text import join_wrapped, key
from fiscaldoc.lexicon.vocabulary import part_of_a_word
from fiscaldoc.model.document import BBox, Row

JoinTest = Callable[[str, str], bool]
MAX_HEAD = 6
"""A piece of a label: short, no digits."""
SPLITS_LETTERS = ("text-aligned",)
"""Readers that cut a letter-spaced word (``计  划  开  始``) into one cell per character."""


@dataclass(frozen=True)
class Slot:
    """One filled cell: its grid column, text and provenance."""

    col: int
    text: str
    page: int | None = None
    bbox: BBox | None = None
    up: int = 0
    """Rows above its own that the cell's text also printed on (a name wrapped over lines)."""
    down: int = 0
    """Rows below its own that it also printed on."""

    @property
    def key(self) -> str:
        return key(self.text)

    def joined(self, other: Slot) -> Slot:
        """This cell with the text of the one under it after it (a label or name wrapped onto
        the next row): one cell that covers both rows and both boxes."""
        box = self.bbox
        if box is not None and other.bbox is not None and self.page == other.page:
            box = (min(box[0], other.bbox[0]), box[1], max(box[2], other.bbox[2]), other.bbox[3])
        return replace(
            self, text=join_wrapped([self.text, other.text]), bbox=box, down=self.down + 1 + other.down
        )


@dataclass
class FormRow:
    """The filled cells of one row, left to right, and where merged cells cover it."""

    slots: list[Slot]
    page: int | None = None
    engine: str = ""
    covered: frozenset[int] = field(default_factory=frozenset)
    cells: tuple[str, ...] = ()
    """Every cell's text as printed, blanks included (header matching needs the positions)."""
    top: float | None = None
    bottom: float | None = None

    @classmethod
    def of(cls, row: Row) -> FormRow:
        slots = [
            Slot(i, c.text.strip(), c.page if c.page is not None else row.page, c.bbox)
            for i, c in enumerate(row.cells)
            if not c.covered and not c.is_blank
        ]
        covered = frozenset(i for i, c in enumerate(row.cells) if c.covered)
        if row.engine in SPLITS_LETTERS:
            slots = _rejoin_letters(slots)
        top, bottom = (row.bbox[1], row.bbox[3]) if row.bbox is not None else (None, None)
        return cls(slots, row.page, row.engine, covered, tuple(c.text for c in row.cells), top, bottom)

    def at(self, col: int) -> Slot | None:
        return next((s for s in self.slots if s.col == col), None)

    def __bool__(self) -> bool:
        return bool(self.slots)


def merge_pairs(
    rows: list[FormRow],
    accept: JoinTest,
    max_tail: int,
    reach: int = 0,
    follow_values: bool = False,
    prefer: Callable[[str], bool] = lambda joined: False,
) -> None:
    """Join a short cell into the cell right above it (same column, or up to ``reach``
    columns away) when ``accept(head, tail)`` says the two make one word; in place.

    Labels and level names wrapped onto the next row by a reader that gives every printed
    line a row of its own (``项目`` / ``名称``, ``服务对象满意度指`` / ``标``). With
    ``follow_values`` the joined cell goes to the lower row when the upper one holds nothing
    else (a label printed over two lines whose value sits level with the second). Among
    several cells above, one whose joined words ``prefer`` likes comes first.
    """
    for r in range(len(rows) - 1):
        lower = rows[r + 1]
        for tail in list(lower.slots):
            if len(tail.key) > max_tail:
                continue
            # cells that end on row r: its own, or ones already joined down to it (a label over
            # three lines: 总 体 绩 / 效 目 / 标)
            ending = [
                (rows[k], s) for k in range(max(0, r - 3), r + 1) for s in rows[k].slots if k + s.down == r
            ]
            near = [(row, s) for row, s in ending if _above(s, tail, reach)]
            near.sort(key=lambda pair: (not prefer(pair[1].key + tail.key), _distance(pair[1], tail)))
            for upper, head in near:
                if accept(head.key, tail.key):
                    joined = head.joined(tail)
                    if follow_values and _only_heads(upper, head) and len(lower.slots) > 1:
                        moved = replace(joined, col=tail.col, up=head.up + 1 + tail.up, down=tail.down)
                        lower.slots[lower.slots.index(tail)] = moved
                        upper.slots.remove(head)
                    else:
                        upper.slots[upper.slots.index(head)] = joined
                        lower.slots.remove(tail)
                    break


def _above(head: Slot, tail: Slot, reach: int) -> bool:
    """The tail sits under the head: their boxes share some width (where the reader gives
    boxes), else their columns are at most ``reach`` apart."""
    if head.bbox is not None and tail.bbox is not None:
        return min(head.bbox[2], tail.bbox[2]) > max(head.bbox[0], tail.bbox[0])
    return abs(head.col - tail.col) <= reach


def _distance(head: Slot, tail: Slot) -> float:
    if head.bbox is not None and tail.bbox is not None:
        return abs((head.bbox[0] + head.bbox[2]) / 2 - (tail.bbox[0] + tail.bbox[2]) / 2)
    return float(abs(head.col - tail.col))


def _rejoin_letters(slots: list[Slot]) -> list[Slot]:
    """Neighbouring one-character cells are the letters of one spaced-out word, as far as they
    spell the start of a word of the vocabulary (``目 标 值`` and ``位`` are two cells)."""
    out: list[Slot] = []
    for slot in slots:
        last = out[-1] if out else None
        if (
            last is not None
            and len(slot.key) == 1
            and _letters(last)
            and slot.col == last.col + last_span(last)
            and part_of_a_word(last.text + slot.text)
        ):
            out[-1] = replace(last, text=last.text + " " + slot.text)
        else:
            out.append(slot)
    return out


def _letters(slot: Slot) -> bool:
    """A cell made of single characters only (``计``, ``计 划``)."""
    return all(len(part) == 1 for part in slot.text.split())


def last_span(slot: Slot) -> int:
    """Columns a rejoined letter-spaced word covers."""
    return len(slot.text.split())


def _only_heads(upper: FormRow, head: Slot) -> bool:
    """The row above holds nothing but pieces of labels (``计 划 开 始 | 计 划 完 成``): their
    values print on the row below, where the joined labels go."""
    return all(
        s is head or (not any(ch.isdigit() for ch in s.key) and len(s.key) <= MAX_HEAD) for s in upper.slots
    )
