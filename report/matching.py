"""Where a record sits in a file without pages: the row (and cell) of the file's own
reading (:func:`fiscaldoc.report.render.read_source`) that holds its texts.

Rows are matched by meaning, not position: a row holds a record when its cells hold the
record's texts (compared as the contract compares text: NFKC, whitespace removed); the
more of them, the better; among equals, the first after the rows already matched for the
same table, since a table's records come in the file's order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from fiscaldoc.lexicon.text import key
from fiscaldoc.report.layout import Mark
from fiscaldoc.report.render import SourceBlock


@dataclass(frozen=True)
class Spot:
    block: int
    cell: int | None
    """The cell of a one-cell record (a budget line's amount); None: the row as a whole."""


def _keys(block: SourceBlock) -> list[str]:
    if block.cells is not None:
        return [key(c) for c in block.cells]
    return [key(block.text)]


def match(blocks: list[SourceBlock], marks: Iterable[Mark]) -> dict[str, Spot]:
    keys = [_keys(b) for b in blocks]
    exact: dict[str, list[int]] = defaultdict(list)
    for n, cells in enumerate(keys):
        for cell in dict.fromkeys(cells):
            if cell:
                exact[cell].append(n)
    out: dict[str, Spot] = {}
    after: dict[str, int] = {}
    taken: dict[tuple[int, str], int] = defaultdict(int)
    for mark in marks:
        texts = [k for k in (key(t) for t in mark.needles) if k]
        if not texts:
            continue
        table = mark.anchor.split("-", 1)[0]
        candidates = sorted({n for t in texts for n in exact.get(t, ())})
        if not candidates:  # no cell equals any text: a name inside a longer cell
            candidates = [n for n, cells in enumerate(keys) if any(texts[0] in c for c in cells)]
        scored = [(sum(_holds(keys[n], t, loose=i == 0) for i, t in enumerate(texts)), n) for n in candidates]
        if not scored:
            continue
        best = max(score for score, _ in scored)
        if best < min(2, len(texts)):
            continue
        rows = [n for score, n in scored if score == best]
        start = after.get(table, -1)
        row = next((n for n in rows if n > start), rows[0])
        after[table] = row
        out[mark.anchor] = Spot(row, _cell(keys[row], mark, texts, taken, row))
    return out


def _holds(cells: list[str], text: str, loose: bool) -> bool:
    """A cell prints ``text``; the name (``loose``) may also stand inside a longer cell (a unit
    after it), an amount only as the whole cell."""
    return any(c == text or (loose and text in c) for c in cells)


def _cell(
    cells: list[str], mark: Mark, texts: list[str], taken: dict[tuple[int, str], int], row: int
) -> int | None:
    """A budget line is one amount cell: the cell printing its amount (the next one along
    when several lines of the row print the same figure)."""
    if not mark.anchor.startswith("l") or len(texts) < 2:
        return None
    amount = key(mark.needles[1])
    same = [i for i, c in enumerate(cells) if c == amount and amount]
    if not same:
        return None
    nth = taken[(row, amount)]
    taken[(row, amount)] += 1
    return same[min(nth, len(same) - 1)]
