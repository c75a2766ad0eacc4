"""The whitespace reader's layout thresholds, in one place, each with its unit and reason.

Pages without ruling lines are read from the positions of their words
(:mod:`.pdf_words`, :mod:`.pdf_grid`, :mod:`.pdf_keyvalue`). Every threshold
those readers use is here. Units: *lines* are multiples of the line height of
the text concerned (so the thresholds hold at any font size), *points* are PDF
points (1/72 inch).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutSettings:
    # Grouping words (pdf_words)
    wrap_gap: float = 0.7
    """lines: two lines at most this far apart are one block of wrapped text (a paragraph's
    line spacing is below it, the gap between two table rows above it)."""
    cell_gap: float = 0.4
    """lines: a horizontal gap wider than this between words of one line separates two cells
    (a space inside a cell is about a quarter of a line)."""
    same_line_overlap: float = 0.5
    """share of the smaller height: words overlapping this much vertically are on one line."""

    # Wrapped cells (pdf_grid)
    fill_slack: float = 1.5
    """lines (≈ characters of CJK text): a line this close to its column's widest line fills
    the column, so the cell's text wraps on below it."""
    latin_fill_slack: float = 5.0
    """lines: the same for a line ending in Latin text or digits, which wrap a token at a time
    (a number of a dozen digits is about five lines' height wide)."""
    level_with_anchor: float = 0.3
    """lines: a line whose centre is this close to an anchor's is level with it."""
    clear_gap: float = 1.3
    """ratio: a gap between two rows' lines this much wider than every other gap between
    their anchors is clearly the row boundary."""
    min_alignment_votes: int = 2
    """pairs of rows: clear boundaries needed to tell how a table aligns its cells."""
    fill_share: float = 0.75
    """share of the column's width (between its gutters) that its widest line must span for
    the column to wrap text at all."""
    min_full_lines: int = 2
    """lines: a column shows wrapping only when this many of its lines fill it."""

    # Finding a grid's header (pdf_grid)
    min_header_roles: int = 3
    """columns: a header line names at least this many known columns (序号, 用款单位, 金额, …)."""
    header_reach: float = 0.9
    """lines: a header cell wrapped over two lines reaches this far above or below the line."""
    header_wrap: float = 0.8
    """share of ``wrap_gap``: a header cell's wrapped tail (``金额`` / ``（万元）``) is set tighter
    than body text."""
    max_header_tail: int = 2
    """lines: a header cell's wrapped parts reach at most this many lines past what it has."""
    crossing_margin: float = 2.0
    """points: a word crosses a column boundary when it reaches this far past it on both sides."""
    end_crossings: int = 2
    """columns: a word crossing this many boundaries is running text: the table ends above it."""

    # Merged cells (pdf_grid)
    orphan_tolerance: float = 0.5
    """lines: a merged-column block this far off the centre of every run of rows starts a row
    of its own."""
    uncovered: float = 0.3
    """lines: cost of a row a fill-down merged column leaves without a cell (a blank there is
    a covered cell, so fewer blanks are likelier)."""
    tie: float = 0.15
    """lines: runs whose centres differ by less than this tie, and the rules after it decide."""
    previous_page_bias: float = 0.01
    """lines: on a continued page, a tie between runs goes to the previous page's cell."""
    level: float = 0.1
    """lines per line of the block: a merged cell printed level with a row's first line
    (top-aligned) starts in that row."""
    split_tail_clearance: float = 0.3
    """lines: a merged cell's block centred this close on a run that starts in the tail row of
    a page break (and clearly closer than on any run of its own) is that split cell's rest."""
    max_reband_rounds: int = 6
    """rounds: an orphan block becomes a row anchor and the rows are banded again; each round
    settles at least one merged column, and no real table has more merged columns."""

    # Key/value forms (pdf_keyvalue)
    label_align: float = 3.0
    """points: field labels of one form start at the same x within this."""
    label_wrap: float = 0.8
    """lines: a label's second line (``项目`` / ``名称``) sits at most this far below the first."""
    empty_cost: tuple[float, float] = (0.5, 4.0)
    """lines: cost of a label left without a value, when no value line is level with it and
    when one is (a value level with a label belongs to it)."""


LAYOUT = LayoutSettings()
