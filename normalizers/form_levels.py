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
from fiscaldoc.normalizers.form_grid import GUESSED_MERGES, Reading
from fiscaldoc.normalizers.form_runs import ALIGNMENTS, PAGE_HEIGHT, Label, Span, partition, runs_of
from fiscaldoc.normalizers.form_taxonomy import LEVEL2_HINTS, LEVEL2_PARENT, hinted_level2

TAXONOMY_MISMATCH = 3.0
"""What a level-2 name under the wrong level-1 name costs, in row heights."""
HINT_WEIGHT = 0.01
"""What an indicator whose words point at another level-2 heading costs: a tie-break only."""


def _y(page: int | None, y: float) -> float:
    return (page or 0) * PAGE_HEIGHT + y


def _geometric(readings: Sequence[Reading]) -> bool:
    """Every row has a band on the page, and every level name a box."""
    if any(r.top is None or r.bottom is None for r in readings):
        return False
    return all(
        s.bbox is not None for r in readings for role, s in r.slots.items() if role in ("level1", "level2")
    )


def _band(reading: Reading) -> Span:
    assert reading.top is not None and reading.bottom is not None
    return Span(_y(reading.page, reading.top), _y(reading.page, reading.bottom))


def _labels(readings: Sequence[Reading], role: str, geometric: bool, line: float) -> list[Label]:
    """Where each level name printed: its own row, or its box on the page. A reader that
    guesses merged cells gives the box of the rows it guessed, centred on the name: the
    name is a line tall in the middle of it."""
    out = []
    for r in readings:
        text = r.get(role)
        if not text:
            continue
        slot = r.slots[role]
        if not geometric or slot.bbox is None:
            span = Span(float(r.index - slot.up), float(r.index + 1 + slot.down))
        else:
            page = slot.page if slot.page is not None else r.page
            span = Span(_y(page, slot.bbox[1]), _y(page, slot.bbox[3]))
            if r.engine in GUESSED_MERGES:
                span = Span(span.mid - line / 2, span.mid + line / 2)
        out.append(Label(key(text), span))
    return out


def assign_levels(readings: list[Reading]) -> list[tuple[str | None, str | None]]:
    """(level1, level2) for every reading."""
    if not readings:
        return []
    if any(r.merges for r in readings):
        return _from_merges(readings)
    geometric = _geometric(readings)
    rows = (
        [_band(r) for r in readings]
        if geometric
        else [Span(float(r.index), float(r.index + 1)) for r in readings]
    )
    heights = sorted(r.bottom - r.top for r in rows)
    line = heights[0] if geometric and heights else 1.0
    level1 = _labels(readings, "level1", geometric, line)
    level2 = _labels(readings, "level2", geometric, line)
    names = [r.get("level3") for r in readings]
    best: tuple[float, list[tuple[str | None, str | None]]] | None = None
    for alignment in ALIGNMENTS:
        cost, levels = _explain(level1, level2, rows, names, alignment, line, not geometric)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, levels)
    assert best is not None
    return [(LEVEL2_PARENT.get(l2, l1) if l2 else l1, l2) for l1, l2 in best[1]]


def _explain(
    level1: list[Label],
    level2: list[Label],
    rows: list[Span],
    names: list[str | None],
    alignment: str,
    unit: float,
    discrete: bool,
) -> tuple[float, list[tuple[str | None, str | None]]]:
    def misplaced(k: int, s: int, e: int) -> float:
        top, bottom = rows[s].top, rows[e].bottom
        wrong = sum(
            1
            for lb in level2
            if top <= lb.span.mid <= bottom and LEVEL2_PARENT.get(lb.name, level1[k].name) != level1[k].name
        )
        name = level1[k].name
        unlike = sum(
            1
            for i in range(s, e + 1)
            if (hints := hinted_level2(names[i])) and all(LEVEL2_PARENT.get(h) != name for h in hints)
        )
        return TAXONOMY_MISMATCH * wrong + HINT_WEIGHT * unlike

    total, owner1 = partition(level1, rows, alignment, unit, discrete, misplaced)
    runs = runs_of(owner1) if level1 else [(0, len(rows) - 1)]
    inside: list[list[Label]] = [[] for _ in runs]
    for label in level2:
        inside[_nearest_run(label, runs, rows)].append(label)
    out: list[tuple[str | None, str | None]] = [(None, None)] * len(rows)
    for n, (start, end) in enumerate(runs):
        name1 = level1[owner1[start]].name if level1 else None
        labels2 = inside[n]

        def unlike(k: int, s: int, e: int, offset: int = start, labels2: list[Label] = labels2) -> float:
            heading = labels2[k].name
            if heading not in LEVEL2_HINTS:
                return 0.0
            hints = [hinted_level2(names[i]) for i in range(offset + s, offset + e + 1)]
            return HINT_WEIGHT * sum(1 for h in hints if h and heading not in h)

        cost2, owner2 = partition(labels2, rows[start : end + 1], alignment, unit, discrete, unlike)
        total += cost2
        for i in range(start, end + 1):
            name2 = inside[n][owner2[i - start]].name if inside[n] else None
            parent = LEVEL2_PARENT.get(name2) if name2 else None
            out[i] = (name1 or parent, name2)
    return total, out


def _nearest_run(label: Label, runs: list[tuple[int, int]], rows: list[Span]) -> int:
    def gap(run: tuple[int, int]) -> float:
        top, bottom = rows[run[0]].top, rows[run[1]].bottom
        return (
            0.0
            if top <= label.span.mid <= bottom
            else min(abs(label.span.mid - top), abs(label.span.mid - bottom))
        )

    return min(range(len(runs)), key=lambda n: gap(runs[n]))


@dataclass
class _Run:
    start: int
    end: int
    name: str | None


def _merged_runs(readings: list[Reading], role: str) -> list[_Run]:
    """Runs of one level column as the reader's merged cells give them. A run without a name
    next to a named one across a page break is the same cell, split by the break (its name
    printed on the other page)."""
    runs: list[_Run] = []
    for i, r in enumerate(readings):
        text = r.get(role)
        if r.merges.get(role, True) or not runs:
            runs.append(_Run(i, i, key(text) if text else None))
        else:
            runs[-1].end = i
    for n, run in enumerate(runs):
        if run.name is not None:
            continue
        before = runs[n - 1] if n else None
        after = runs[n + 1] if n + 1 < len(runs) else None
        if before and before.name and readings[before.end].page != readings[run.start].page:
            run.name = before.name
        elif after and after.name and readings[after.start].page != readings[run.end].page:
            run.name = after.name
    return runs


def _from_merges(readings: list[Reading]) -> list[tuple[str | None, str | None]]:
    names: dict[str, list[str | None]] = {}
    for role in ("level1", "level2"):
        column: list[str | None] = [None] * len(readings)
        for run in _merged_runs(readings, role):
            for i in range(run.start, run.end + 1):
                column[i] = run.name
        names[role] = column
    out: list[tuple[str | None, str | None]] = []
    for level1, level2 in zip(names["level1"], names["level2"], strict=True):
        out.append((LEVEL2_PARENT.get(level2, level1) if level2 else level1, level2))
    return out
