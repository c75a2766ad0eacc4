"""Space-aligned (fixed-width) table lines → cells, by the columns of their header.

A dump without tabs pads cells with spaces. A line is *aligned* when two or
more gaps of at least two spaces separate its tokens (three or more tokens).
Consecutive aligned lines form a region; inside one, indented lines and
lines with two tokens belong to it too (a row with leading empty cells, a
field's tail after a page break), and blank lines do not end it.

The region's header is its first line with the most tokens: each header
token's start column (display width: CJK counts two) opens a column, and
every other line's tokens fall into the column whose span holds their start.
A cell that overflows its column pushes the next token right; it then lands
in a later column, never an earlier one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

GAP = re.compile(r"[ \u3000]{2,}")
TOLERANCE = 1
"""Columns a token may start left of its header (centred headers, ragged dumps)."""


def display_width(text: str) -> int:
    """Terminal/GBK width: wide, full-width and ambiguous characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


Token = tuple[int, str]


def tokens(line: str) -> list[Token]:
    """``(start display column, text)`` of each run of text between gaps."""
    out: list[Token] = []
    pos = 0
    line = line.rstrip()
    for gap in [*GAP.finditer(line), None]:
        end = gap.start() if gap else len(line)
        text = line[pos:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            out.append((display_width(line[: pos + lead]), text.strip()))
        if gap:
            pos = gap.end()
    return out


def is_aligned(line: str) -> bool:
    """Three or more tokens, not all single characters (``分  配  方  案`` is a spaced title)."""
    found = tokens(line)
    return "\t" not in line and len(found) >= 3 and any(len(text) > 1 for _, text in found)


def continues_region(line: str) -> bool:
    """A line that belongs to an open region: two or more tokens, or indented."""
    if "\t" in line or not line.strip():
        return False
    return len(tokens(line)) >= 2 or GAP.match(line) is not None


def column_starts(lines: Sequence[str]) -> list[int]:
    widest = max((tokens(line) for line in lines), key=len)
    return [start for start, _ in widest]


def split_region(lines: Sequence[str]) -> list[list[str]]:
    """Each non-blank line of a region as cells under the header's columns."""
    starts = column_starts(lines)
    rows: list[list[str]] = []
    for line in lines:
        cells = [""] * len(starts)
        previous = -1
        for start, text in tokens(line):
            column = max(bisect.bisect_right(starts, start + TOLERANCE) - 1, previous + 1, 0)
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = text
            previous = column
        rows.append(cells)
    return rows
