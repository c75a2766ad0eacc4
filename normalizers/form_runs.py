"""Sharing rows out among labels that each head a run of them (merged cells, long fields).

A merged cell prints its words once over the run of rows it spans: at the top, in
the middle or at the bottom, as the document aligns its cells. Given where each
label printed and where each row is, :func:`partition` finds the runs (contiguous,
every row in one, labels in order) that put every label where the alignment
would print it, by dynamic programming. Positions are page coordinates where a
reader gives boxes, or row numbers where it does not (a text dump: ``discrete``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

ALIGNMENTS = ("top", "center", "bottom")
"""Tried in this order; the first of equally good explanations wins (top is what a reader
that knows merged cells gives: the text in the run's first row)."""


@dataclass(frozen=True)
class Span:
    top: float
    bottom: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Label:
    name: str
    span: Span


def _misplaced(alignment: str, label: Span, first: Span, last: Span, unit: float, discrete: bool) -> float:
    """How far a label sits from where ``alignment`` prints it over the run first..last, in rows.

    Counted in whole rows (a reader that gives every line a row), a centred label over an
    even number of rows sits half a row above the middle (the line above it, usually) or
    half a row below; the first costs nothing, the second little.
    """
    if alignment == "top":
        return abs(label.top - first.top) / unit
    if alignment == "bottom":
        return abs(label.bottom - last.bottom) / unit
    above = ((first.top + last.bottom) / 2 - label.mid) / unit
    if discrete:
        if abs(above) < 1e-9 or abs(above - 0.5) < 1e-9:
            return 0.0
        if abs(above + 0.5) < 1e-9:
            return 0.2
    return abs(above)


Penalty = Callable[[int, int, int], float]
"""Extra cost of giving rows s..e to label k (a level-2 name under the wrong level-1)."""


def _no_penalty(k: int, s: int, e: int) -> float:
    return 0.0


PAGE_HEIGHT = 10_000.0
"""Positions on later pages come after earlier ones: page number × this + y."""


def _on_page_of(label: Span, rows: Sequence[Span], s: int, e: int, discrete: bool) -> tuple[Span, Span]:
    """The first and last rows of s..e; of a run a page break splits, those on the label's
    page (a split merged cell prints its name in one of its parts)."""
    if discrete:
        return rows[s], rows[e]
    page = label.mid // PAGE_HEIGHT
    mine = [i for i in range(s, e + 1) if rows[i].mid // PAGE_HEIGHT == page]
    if not mine or len(mine) == e - s + 1:
        return rows[s], rows[e]
    return rows[mine[0]], rows[mine[-1]]


def partition(
    labels: Sequence[Label],
    rows: Sequence[Span],
    alignment: str,
    unit: float,
    discrete: bool = False,
    penalty: Penalty = _no_penalty,
    mix: float | None = None,
) -> tuple[float, list[int]]:
    """Rows shared out among labels as contiguous runs (every row in one run, labels in
    order): the total misplacement and, per row, the index of its label.

    With ``mix`` a label may sit as another alignment has it at that extra cost (a field
    split by a page break prints its label at the top of its part, whatever the rest do).
    """
    unit = unit or 1.0  # rows without height (a reader that gave no geometry): count in rows
    n, k = len(rows), len(labels)

    def _cost(alignment: str, label: Span, s: int, e: int, unit: float, discrete: bool) -> float:
        first, last = _on_page_of(label, rows, s, e, discrete)
        cost = _misplaced(alignment, label, first, last, unit, discrete)
        if mix is None:
            return cost
        others = (
            _misplaced(a, label, first, last, unit, discrete) + mix for a in ALIGNMENTS if a != alignment
        )
        return min(cost, *others)

    if k == 0 or n == 0:
        return 0.0, [-1] * n
    inf = float("inf")
    # best[j][e]: labels[:j + 1] cover rows[:e + 1], label j's run ending at row e
    best = [[inf] * n for _ in range(k)]
    back = [[0] * n for _ in range(k)]
    for e in range(n):
        best[0][e] = _cost(alignment, labels[0].span, 0, e, unit, discrete) + penalty(0, 0, e)
    for j in range(1, k):
        for e in range(j, n):
            for s in range(j, e + 1):
                before = best[j - 1][s - 1]
                if before == inf:
                    continue
                cost = before + _cost(alignment, labels[j].span, s, e, unit, discrete) + penalty(j, s, e)
                if cost < best[j][e]:
                    best[j][e], back[j][e] = cost, s
    owner = [0] * n
    e = n - 1
    if best[k - 1][e] == inf:
        return inf, [-1] * n
    total = best[k - 1][e]
    for j in range(k - 1, -1, -1):
        s = back[j][e] if j else 0
        for i in range(s, e + 1):
            owner[i] = j
        e = s - 1
    return total, owner


def runs_of(owner: list[int]) -> list[tuple[int, int]]:
    """``(first, last)`` of each run in a per-row owner list."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(owner) + 1):
        if i == len(owner) or owner[i] != owner[start]:
            out.append((start, i - 1))
            start = i
    return out
