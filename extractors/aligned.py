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

A region whose header is an allocation plan's (found by meaning, letter-spaced
words such as ``分  配  金  额`` rejoined) is read by the header's extents
instead: column borders lie halfway between header words, and a token goes to
the column it overlaps most. Headers are centred over their columns while
amounts are right-aligned and text left-aligned, so a token's start alone
misplaces it. Rows after a note that interrupts such a table are read by the
same header (:class:`PlanHeader`).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from fiscaldoc.lexicon.text import display_width
from fiscaldoc.lexicon.vocabulary import allocation_header

GAP = re.compile(r"[ \u3000]{2,}")
TOLERANCE = 1
"""Columns a token may start left of its header (centred headers, ragged dumps)."""


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


SPACED_GAP = 4
"""Display columns at most between the letters of a letter-spaced word (``分  配  金  额``)."""


def _is_cjk_letter(text: str) -> bool:
    return len(text) == 1 and unicodedata.east_asian_width(text) in "WF"


def rejoin_spaced(found: list[Token]) -> list[Token]:
    """Runs of single wide letters a few columns apart as one token (a letter-spaced word)."""
    out: list[Token] = []
    spaced = False  # the last token is a run of single letters
    end = -1
    for start, text in found:
        letter = _is_cjk_letter(text)
        if out and letter and spaced and start - end <= SPACED_GAP:
            out[-1] = (out[-1][0], out[-1][1] + text)
        else:
            out.append((start, text))
            spaced = letter
        end = start + display_width(text)
    return out


@dataclass(frozen=True)
class PlanHeader:
    """An allocation header's words and where they stand: the columns of its table."""

    words: tuple[str, ...]
    borders: tuple[float, ...]
    """Column ``k`` spans ``borders[k-1]`` … ``borders[k]`` (open at both ends)."""
    line: str = ""
    """The header's own line (its row is its words)."""

    def column_of(self, start: int, text: str) -> int:
        """The column a token overlaps most (its start decides a tie)."""
        end = start + display_width(text)
        edges = (-1e9, *self.borders, 1e9)
        overlaps = [min(end, edges[k + 1]) - max(start, edges[k]) for k in range(len(self.words))]
        best = max(overlaps)
        return overlaps.index(best) if best > 0 else bisect.bisect_right(self.borders, start)


def plan_header(line: str, above: str = "") -> PlanHeader | None:
    """The line as an allocation plan's header, if it is one; with the line ``above`` it when
    a header cell wrapped there (``资金额度（`` over ``元）``): each of its words joins the
    header word it stands over."""
    found = rejoin_spaced(tokens(line))
    if len(found) < 3:
        return None
    words = [t for _, t in found]
    if allocation_header(words) is None:
        if not above or any(ch.isdigit() for ch in line + above):
            return None  # a header carries no figures (a form's money row does)
        heads = [""] * len(found)
        for start, text in tokens(above):
            nearest = min(range(len(found)), key=lambda k: abs(found[k][0] - start))
            heads[nearest] += text
        words = [h + w for h, w in zip(heads, words, strict=True)]
        if allocation_header(words) is None:
            return None
    borders = tuple((a + display_width(ta) + b) / 2 for (a, ta), (b, _) in itertools.pairwise(found))
    return PlanHeader(tuple(words), borders, line)


LEFT_EDGE_WIDTH = 6
"""Tokens at least this wide show where a left-aligned column's text starts."""


def _wide(text: str) -> bool:
    """Holds CJK text (words, not a right-aligned figure)."""
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def split_by_header(lines: Sequence[str], header: PlanHeader) -> list[list[str]]:
    """Each non-blank line as cells under an allocation header's columns; the header line itself
    as its words. Words that start where two or more of a column's texts start (its left
    edge) belong to that column, whatever they overlap (a wrapped cell's tail, ``度）``)."""
    seen: dict[int, list[int]] = {}
    for line in lines:
        for start, text in tokens(line):
            if display_width(text) >= LEFT_EDGE_WIDTH and _wide(text):
                seen.setdefault(start, []).append(header.column_of(start, text))
    # where two or more texts of one column start: that column's left edge
    edges = {start: max(set(cols), key=cols.count) for start, cols in seen.items() if len(cols) >= 2}
    rows: list[list[str]] = []
    for line in lines:
        if line == header.line or plan_header(line) is not None:
            rows.append(
                list(header.words) if line == header.line else [t for _, t in rejoin_spaced(tokens(line))]
            )
            continue
        cells = [""] * len(header.words)
        previous = -1
        for start, text in tokens(line):
            column = edges.get(start) if _wide(text) else None
            column = max(header.column_of(start, text) if column is None else column, previous + 1)
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = text
            previous = column
        rows.append(cells)
    return rows
