"""Which 一级/二级指标 each indicator row sits under: merged cells and where their text prints.

A merged level cell spans a run of rows and prints its name once: at the top of
the run, in its middle or at its bottom, as the document aligns its cells. A
reader that knows the merge (ruled PDFs, DOCX, XLSX) puts the name in the run's
first row, which is the top case. A reader that only sees words (whitespace
PDFs, space-aligned text) puts it where it printed. So the rows are shared out
among the names as runs, under each alignment, by how far each name sits from
where that alignment would print it over its run (a small dynamic programme);
level-2 runs nest inside level-1 runs; the alignment that explains the page best
wins (the standard taxonomy, 数量指标 under 产出指标, breaks ties), top first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fiscaldoc.lexicon.text import key
from fiscaldoc.normalizers.form_grid import Reading
from fiscaldoc.normalizers.form_taxonomy import LEVEL2_PARENT

ALIGNMENTS = ("top", "center", "bottom")
TAXONOMY_MISMATCH = 3.0
"""What a level-2 name under the wrong level-1 name costs, in row heights."""


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


def _row_spans(readings: Sequence[Reading], geometric: bool) -> list[Span]:
    if geometric:
        return [Span(_y(r.page, r.top), _y(r.page, r.bottom)) for r in readings]
    return [Span(float(r.index), float(r.index + 1)) for r in readings]


PAGE_HEIGHT = 10_000.0
"""Positions on later pages come after earlier ones."""


def _y(page: int | None, y: float | None) -> float:
    return (page or 0) * PAGE_HEIGHT + (y or 0.0)


def _labels(readings: Sequence[Reading], role: str, geometric: bool) -> list[Label]:
    out = []
    for r in readings:
        text = r.get(role)
        if not text:
            continue
        slot = r.slots.get(role)
        if geometric and slot is not None and slot.bbox is not None:
            span = Span(_y(slot.page, slot.bbox[1]), _y(slot.page, slot.bbox[3]))
        else:
            span = Span(float(r.index), float(r.index + 1))
        out.append(Label(key(text), span))
    return out


def _cost(alignment: str, label: Span, first: Span, last: Span, unit: float) -> float:
    if alignment == "top":
        gap = abs(label.top - first.top)
    elif alignment == "bottom":
        gap = abs(label.bottom - last.bottom)
    else:
        gap = abs(label.mid - (first.top + last.bottom) / 2)
    return gap / unit


def partition(labels: Sequence[Label], rows: Sequence[Span], alignment: str, unit: float) -> tuple[float, list[int]]:
    """Rows shared out among labels as contiguous runs (every row in one run, labels in
    order): the total misplacement and, per row, the index of its label."""
    n, k = len(rows), len(labels)
    if k == 0 or n == 0:
        return 0.0, [-1] * n
    inf = float("inf")
    # best[j][e]: labels[:j + 1] cover rows[:e + 1], label j's run ending at row e
    best = [[inf] * n for _ in range(k)]
    back = [[0] * n for _ in range(k)]
    for e in range(n):
        best[0][e] = _cost(alignment, labels[0].span, rows[0], rows[e], unit)
    for j in range(1, k):
        for e in range(j, n):
            for s in range(j, e + 1):
                before = best[j - 1][s - 1]
                if before == inf:
                    continue
                cost = before + _cost(alignment, labels[j].span, rows[s], rows[e], unit)
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


def assign_levels(readings: list[Reading]) -> list[tuple[str | None, str | None]]:
    """(level1, level2) for every reading."""
    if not readings:
        return []
    geometric = all(r.top is not None for r in readings) and _labels_boxed(readings)
    rows = _row_spans(readings, geometric)
    unit = _unit(rows)
    level1 = _labels(readings, "level1", geometric)
    level2 = _labels(readings, "level2", geometric)
    best: tuple[float, list[tuple[str | None, str | None]]] | None = None
    for alignment in ALIGNMENTS:
        cost, levels = _explain(level1, level2, rows, alignment, unit)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, levels)
    assert best is not None
    return best[1]


def _labels_boxed(readings: Sequence[Reading]) -> bool:
    slots = [r.slots[role] for r in readings for role in ("level1", "level2") if role in r.slots]
    return all(s.bbox is not None for s in slots)


def _unit(rows: Sequence[Span]) -> float:
    heights = sorted(r.bottom - r.top for r in rows if r.bottom > r.top)
    return heights[len(heights) // 2] if heights else 1.0


def _explain(
    level1: list[Label], level2: list[Label], rows: list[Span], alignment: str, unit: float
) -> tuple[float, list[tuple[str | None, str | None]]]:
    total, owner1 = partition(level1, rows, alignment, unit)
    runs = _runs(owner1) if level1 else [(0, len(rows) - 1)]
    inside: list[list[Label]] = [[] for _ in runs]
    for label in level2:
        inside[_nearest_run(label, runs, rows)].append(label)
    out: list[tuple[str | None, str | None]] = [(None, None)] * len(rows)
    for n, (start, end) in enumerate(runs):
        name1 = level1[owner1[start]].name if level1 else None
        for label in inside[n]:
            parent = LEVEL2_PARENT.get(label.name)
            if name1 is not None and parent is not None and parent != name1:
                total += TAXONOMY_MISMATCH
        cost2, owner2 = partition(inside[n], rows[start : end + 1], alignment, unit)
        total += cost2
        for i in range(start, end + 1):
            name2 = inside[n][owner2[i - start]].name if inside[n] else None
            parent = LEVEL2_PARENT.get(name2) if name2 else None
            out[i] = (name1 or parent, name2)
    return total, out


def _nearest_run(label: Label, runs: list[tuple[int, int]], rows: list[Span]) -> int:
    def gap(run: tuple[int, int]) -> float:
        top, bottom = rows[run[0]].top, rows[run[1]].bottom
        return 0.0 if top <= label.span.mid <= bottom else min(abs(label.span.mid - top), abs(label.span.mid - bottom))

    return min(range(len(runs)), key=lambda n: gap(runs[n]))


def _runs(owner: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(owner) + 1):
        if i == len(owner) or owner[i] != owner[start]:
            out.append((start, i - 1))
            start = i
    return out
