"""Renderings of the seed generated from its text dump: the same content in other layouts.

Tests write these files themselves (no committed binaries); each must yield
the seed's truth records.
"""

from __future__ import annotations

import csv
import io

from extractors.aligned import display_width
from tests.truth import SEED

SEED_TEXT = (SEED / "000_4ea89972e077d80e.txt").read_text(encoding="utf-8")
MAX_COLUMN = 120
"""Longer cells overflow their column, as they do in real fixed-width dumps."""


def seed_lines() -> list[str | list[str]]:
    """The seed's lines: a list of cells for a table row, a string for anything else."""
    return [line.split("\t") if "\t" in line else line for line in SEED_TEXT.splitlines()]


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def _tables(lines: list[str | list[str]]) -> list[list[int]]:
    """Indexes of each table's rows: consecutive rows, blank lines allowed between."""
    groups: list[list[int]] = []
    last_was_row = False
    for i, line in enumerate(lines):
        if isinstance(line, list):
            if not last_was_row:
                groups.append([])
            groups[-1].append(i)
            last_was_row = True
        elif line.strip():
            last_was_row = False
    return groups


def space_aligned() -> str:
    """Tabs replaced by padding to each table's column widths (display width, CJK two)."""
    lines = seed_lines()
    out: list[str] = [line if isinstance(line, str) else "" for line in lines]
    for group in _tables(lines):
        rows = [lines[i] for i in group]
        columns = max(len(r) for r in rows)
        widths = [
            min(max(display_width(r[c]) for r in rows if c < len(r)), MAX_COLUMN) for c in range(columns)
        ]
        for i in group:
            cells = lines[i]
            assert isinstance(cells, list)
            out[i] = "  ".join(_pad(c, widths[n]) for n, c in enumerate(cells)).rstrip()
    return "\n".join(out) + "\n"


def as_csv() -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in seed_lines():
        writer.writerow(line if isinstance(line, list) else ([line] if line.strip() else []))
    return buffer.getvalue()
