"""Borderless grids: a header row found by meaning, rows anchored on one column, merged cells centred.

A grid is found by its header line (the words of an allocation table or of a
绩效指标 block). Column boundaries are the gutters between header cells: the
x that the fewest words of the table cross. Rows are anchored on the 序号 /
amount / target-value column; every other line of a plain column goes to the
row band its centre falls in, with band edges at the widest vertical gap
between two anchors. A merged cell (用款单位, 备注, 一级/二级指标) prints
its text centred across the rows it spans: its block takes the contiguous run
of free rows whose centre matches the block's centre, emitted in the run's
first row with the rest marked covered.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fiscaldoc.extractors.pdf_cells import cell_text
from fiscaldoc.extractors.pdf_layout import LAYOUT
from fiscaldoc.extractors.pdf_words import (
    Span,
    Word,
    blocks,
    gutter,
    merged,
    split_cells,
    text_lines,
)
from fiscaldoc.lexicon.numbers import parse_number
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import (
    COLUMN_WORDS,
    INDICATOR_COLUMNS,
    INDICATOR_EXTRA_COLUMNS,
    allocation_header,
    indicator_columns,
)
from fiscaldoc.model.document import Cell, Row

ENGINE = "pdfplumber-words"
ANCHOR, BODY, MERGED = "anchor", "body", "merged"

Role = tuple[str, bool]  # (role, anchor values must be numbers)


def _allocation_roles(texts: list[str]) -> list[Role] | None:
    cols = allocation_header(texts)
    if cols is None:
        return None
    found = [i for i in (cols.seq, cols.recipient, cols.project, cols.amount, cols.note) if i is not None]
    if len(found) < LAYOUT.min_header_roles:
        return None
    roles: list[Role] = []
    for i in range(len(texts)):
        if i in (cols.seq, cols.amount):
            roles.append((ANCHOR, True))
        elif i in (cols.recipient, cols.note):
            roles.append((MERGED, False))
        else:
            roles.append((BODY, False))
    return roles


def _indicator_roles(texts: list[str]) -> list[Role] | None:
    found = indicator_columns(texts)
    if "target" not in found or len(found) < LAYOUT.min_header_roles:
        return None
    roles: list[Role] = []
    for i in range(len(texts)):
        if i == found["target"]:
            roles.append((ANCHOR, False))
        elif i in (found.get("level1"), found.get("level2")):
            roles.append((MERGED, False))
        else:  # 三级指标 and a row's own columns: 指标性质, 度量单位, 权重 …
            roles.append((BODY, False))
    return roles


NOTE_WORDS = {"备注", "说明", "备注说明"}
"""Merged columns whose text belongs to the first row it spans, not to every row."""

HEADER_KINDS: dict[str, Callable[[list[str]], list[Role] | None]] = {
    "allocation": _allocation_roles,
    "indicators": _indicator_roles,
}


@dataclass(frozen=True)
class Grid:
    """A grid's columns: what a continuation page needs to go on reading it."""

    kind: str
    headers: tuple[str, ...]
    roles: tuple[Role, ...]
    bounds: tuple[float, ...]
    """len(headers) + 1 x positions: column c lies between bounds[c] and bounds[c + 1]."""

    def column_of(self, word: Word) -> int | None:
        for c in range(len(self.headers)):
            if self.bounds[c] <= word.cx < self.bounds[c + 1]:
                return c
        return None

    def width(self, column: int) -> float:
        return self.bounds[column + 1] - self.bounds[column]

    def crossings(self, word: Word) -> int:
        margin = LAYOUT.crossing_margin
        return sum(1 for b in self.bounds[1:-1] if word.x0 < b - margin and word.x1 > b + margin)


@dataclass(frozen=True)
class Header:
    kind: str
    cells: tuple[Span, ...]
    roles: tuple[Role, ...]

    @property
    def span(self) -> Span:
        return merged(self.cells)


HEADER_WORDS: tuple[tuple[str, ...], ...] = (
    *COLUMN_WORDS.values(),
    *INDICATOR_COLUMNS.values(),
    *INDICATOR_EXTRA_COLUMNS.values(),
)
"""Per column role, the words its header cell holds."""


def _may_be_header(line: Span) -> bool:
    """Whether a text line names two columns: the cheap test before its cells are read (a
    header's wrapped parts add a column's tail, never two whole columns)."""
    text = key(line.text)
    return sum(1 for words in HEADER_WORDS if any(w in text for w in words)) >= 2


def find_headers(words: Sequence[Word]) -> list[Header]:
    """Header lines, each with the words of its cells that wrap above or below it (a
    two-line ``补助资金（万`` / ``元）`` beside one-line cells centred on it)."""
    found: list[Header] = []
    used: set[int] = set()
    for line in text_lines(words):
        if any(id(w) in used for w in line.words) or not _may_be_header(line):
            continue
        reach = LAYOUT.header_reach * line.height
        group = list(line.words)
        for round_ in range(2):  # a cell wrapped to two lines reaches one line further each way
            band = Span(tuple(group))
            ids = {id(w) for w in group}
            near = [
                w
                for w in words
                if id(w) not in ids and w.top >= band.top - reach and w.bottom <= band.bottom + reach
            ]
            group += near if round_ == 0 else _centred_wraps(near, band)
        cells = [_cell_span(c) for c in _letter_spaced(split_cells(group))]
        texts = [c.text for c in cells]
        for kind, roles_of in HEADER_KINDS.items():
            roles = roles_of(texts)
            if roles is not None:
                header = Header(kind, _extend_cells(cells, words), tuple(roles))
                used.update(id(w) for c in header.cells for w in c.words)
                found.append(header)
                break
    return found


_HEADER_VOCABULARY = frozenset(w for words in HEADER_WORDS for w in words if len(w) > 1)


def _letter_spaced(cells: list[list[Word]]) -> list[list[Word]]:
    """Header cells of one character each (or a character and the one wrapped under it) that
    spell a column's name together (``备  注``, ``指 标 方`` / ``向``, spaced wider than a cell
    gap) as one cell; ``类 | 款 | 项`` stay three."""
    out: list[list[Word]] = []
    i = 0
    while i < len(cells):
        run = i
        while run < len(cells) and all(len(key(w.text)) == 1 for w in cells[run]):
            run += 1  # letters, or a letter with the one wrapped under it (标 / 向)
        joined = next((end for end in range(run, i + 1, -1) if _names_column(_spelled(cells[i:end]))), None)
        if joined is None:
            out.append(cells[i])
            i += 1
        else:
            out.append([w for cell in cells[i:joined] for w in cell])
            i = joined
    return out


def _names_column(letters: str) -> bool:
    """A column's name, or three letters or more of one whose rest wraps below (指 标 方 / 向)."""
    return letters in _HEADER_VOCABULARY or (
        len(letters) >= 3 and any(w.startswith(letters) for w in _HEADER_VOCABULARY)
    )


def _spelled(cells: list[list[Word]]) -> str:
    """The letters of some header cells in reading order (指 标 方 over 向: 指标方向)."""
    letters = sorted((w for cell in cells for w in cell), key=lambda w: (round(w.top), w.x0))
    return key("".join(w.text for w in letters))


def _centred_wraps(near: list[Word], band: Span) -> list[Word]:
    """Words a further line above or below a header: a header cell wrapped over several lines,
    centred on the header's line, so its outer lines come in pairs, one above and one below,
    in the same column (``金额`` / ``（万元）`` beside ``编`` / ``号``). A line above without one
    below (a ``单位：万元`` note over the table) or below without one above (the first row) is
    not the header's."""
    words = [w for w in near if parse_number(w.text) is None]
    above = [w for w in words if w.cy < band.cy]
    below = [w for w in words if w.cy > band.cy]

    def paired(w: Word, others: list[Word]) -> bool:
        return any(o.x0 < w.x1 and o.x1 > w.x0 for o in others)

    return [w for w in above if paired(w, below)] + [w for w in below if paired(w, above)]


_COMPARATORS = frozenset("≥≤<>=＞＜＝%％")


def _value_like(text: str) -> bool:
    """A number or a target (``>=14623``, ``不低于90``, ``≥95%``): the first row's value set
    close under a header, never a wrapped part of the header's own name."""
    return (
        parse_number(text) is not None
        or any(ch in _COMPARATORS for ch in text)
        or (any(ch.isdigit() for ch in text) and text[0] not in "（(")
    )


def _cell_span(words: list[Word]) -> Span:
    return Span(tuple(sorted(words, key=lambda w: (round(w.top), w.x0))))


def _extend_cells(cells: list[Span], words: Sequence[Word]) -> tuple[Span, ...]:
    """A header cell's wrapped lines just above or below its line (``金额`` / ``（万元）``)."""
    used = {id(w) for c in cells for w in c.words}
    out = []
    # A wrapped part stays in its own column: it crosses no midpoint to a neighbouring header
    # cell (a ``单位：万元`` note over the table, or the first row's merged cell, is no tail).
    xs = [(c.x0, c.x1) for c in cells]
    mids = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(xs)]
    lefts, rights = [-float("inf"), *mids], [*mids, float("inf")]
    for cell, left, right in zip(cells, lefts, rights, strict=True):
        group = list(cell.words)
        grew = True
        for _ in range(LAYOUT.max_header_tail):
            if not grew:
                break
            grew = False
            span = Span(tuple(group))
            for w in words:
                if id(w) in used or not (w.x0 < span.x1 and w.x1 > span.x0):
                    continue
                if w.x0 < left - LAYOUT.crossing_margin or w.x1 > right + LAYOUT.crossing_margin:
                    continue
                gap = max(w.top - span.bottom, span.top - w.bottom)
                if 0 <= gap <= LAYOUT.wrap_gap * w.height * LAYOUT.header_wrap and not _value_like(w.text):
                    group.append(w)
                    used.add(id(w))
                    grew = True
        out.append(Span(tuple(sorted(group, key=lambda w: (w.top, w.x0)))))
    return tuple(out)


def _bounds(cells: Sequence[Span], words: Sequence[Word]) -> list[float]:
    left = min(min(w.x0 for w in words), cells[0].x0) - 1
    right = max(max(w.x1 for w in words), cells[-1].x1) + 1
    centres = [(c.x0 + c.x1) / 2 for c in cells]
    inner = [gutter(words, a, b) for a, b in itertools.pairwise(centres)]
    return [left, *inner, right]


def layout(header: Header, words: Sequence[Word], bottom: float) -> tuple[Grid, float]:
    """The grid under ``header`` and where it ends (the first running-text word or ``bottom``)."""
    below = [w for w in words if header.span.top <= w.top < bottom]
    grid = Grid(
        header.kind, tuple(c.text for c in header.cells), header.roles, tuple(_bounds(header.cells, below))
    )
    end = region_end(grid, below, header.span.bottom, bottom)
    inside = [w for w in below if w.top < end]
    cells = list(header.cells)
    roles = list(header.roles)
    edge = gutter(inside, min(w.x0 for w in inside), cells[0].x0)
    if edge < cells[0].x0 - 2 and any(w.x1 <= edge for w in inside):
        cells.insert(0, Span(()))  # a leading label column (绩效指标) left of the header
        roles.insert(0, (MERGED, False))
        bounds = [min(w.x0 for w in inside) - 1, edge, *_bounds(header.cells, inside)[1:]]
    else:
        bounds = _bounds(header.cells, inside)
    texts = tuple(c.text if c.words else "" for c in cells)
    return Grid(header.kind, texts, tuple(roles), tuple(bounds)), end


def region_end(grid: Grid, words: Sequence[Word], start: float, bottom: float) -> float:
    """The top of the first word below ``start`` that runs across columns (text after the table)."""
    tops = [w.top for w in words if w.top > start and grid.crossings(w) >= LAYOUT.end_crossings]
    return min([*tops, bottom])


def _columns(grid: Grid, words: Sequence[Word]) -> dict[int, list[Word]]:
    out: dict[int, list[Word]] = {c: [] for c in range(len(grid.headers))}
    for w in words:
        c = grid.column_of(w)
        if c is not None:
            out[c].append(w)
    return out


def _anchors(grid: Grid, columns: dict[int, list[Word]]) -> list[Span]:
    spans: list[Span] = []
    numbers = {
        c: [ln for ln in text_lines(columns[c]) if parse_number(ln.text) is not None]
        for c, (role, numeric) in enumerate(grid.roles)
        if role == ANCHOR and numeric
    }
    for c, (role, numeric) in enumerate(grid.roles):
        if role != ANCHOR:
            continue
        lines = text_lines(columns[c])
        if numeric:
            others = [ln for d, lns in numbers.items() if d != c for ln in lns]
            spans.extend(_wrapped_numbers(numbers[c], others))
        else:
            spans.extend(merged(b) for b in cell_blocks(lines, grid.width(c)))
    for words in columns.values():  # a section heading (一、省直单位) is a row of its own
        spans.extend(ln for ln in text_lines(words) if SECTION_HEADING.match(key(ln.text)))
    return _union_overlapping(spans)


SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
"""A heading between a table's rows (``一、省直单位``, ``二、市县``): it has no 序号 or amount."""


def _wrapped_numbers(lines: list[Span], others: list[Span]) -> list[Span]:
    """A column's number lines, a number wrapped onto the next line (``4`` / ``900010.34`` in a
    narrow column) as one: the lower line sits at wrap distance, the two read as one number,
    and the other anchor column (序号) has a line level with the upper one but none with the
    lower (where there is no other anchor column nothing tells them apart)."""
    if not others:
        return lines

    def level(line: Span) -> bool:
        return any(abs(o.cy - line.cy) < LAYOUT.level_with_anchor * line.height for o in others)

    out: list[Span] = []
    for line in lines:
        upper = out[-1] if out else None
        if (
            upper is not None
            and line.top - upper.bottom <= LAYOUT.wrap_gap * line.height
            and parse_number(key(upper.text) + key(line.text)) is not None
            and level(upper)
            and not level(line)
        ):
            out[-1] = merged([upper, line])
        else:
            out.append(line)
    return out


def _union_overlapping(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.top):
        if out and span.top < out[-1].bottom:
            out[-1] = merged([out[-1], span])
        else:
            out.append(span)
    return out


def _boundary(
    a: tuple[float, float],
    b: tuple[float, float],
    lines: Sequence[Span],
    inside_cells: Sequence[tuple[float, float]] = (),
) -> float:
    """The middle of the widest vertical gap between two anchors among the lines between them,
    leaving out gaps inside a cell's wrapped text (``inside_cells``) where another remains."""
    gaps = _gaps(a, b, lines, inside_cells)[1]
    return max(gaps)[1] if gaps else (a[1] + b[0]) / 2


def _gaps(
    a: tuple[float, float],
    b: tuple[float, float],
    lines: Sequence[Span],
    inside_cells: Sequence[tuple[float, float]] = (),
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The vertical gaps (width, middle) between two anchors among the lines between them, top
    to bottom: all of them, and those a row boundary may take (not inside a cell's wrapped
    text, unless no other remains)."""
    ca, cb = (a[0] + a[1]) / 2, (b[0] + b[1]) / 2
    intervals = sorted([a, b, *((ln.top, ln.bottom) for ln in lines if ca < ln.cy < cb)])
    joined: list[list[float]] = []
    for top, bottom in intervals:
        if joined and top <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], bottom)
        else:
            joined.append([top, bottom])
    gaps = [(nxt[0] - cur[1], (nxt[0] + cur[1]) / 2) for cur, nxt in itertools.pairwise(joined)]
    free = [g for g in gaps if not any(lo <= g[1] <= hi for lo, hi in inside_cells)]
    return gaps, free or gaps


Gaps = tuple[list[tuple[float, float]], list[tuple[float, float]]]


def _clear(gaps: list[tuple[float, float]]) -> bool:
    ranked = sorted(w for w, _ in gaps)
    return len(ranked) < 2 or ranked[-1] >= LAYOUT.clear_gap * ranked[-2]


def _row_cuts(pairs: list[Gaps]) -> list[float | None]:
    """Per pair of anchors, the cut between their rows. Where one gap is clearly the widest it
    is the cut, and it tells how the table aligns its cells: right above the lower anchor (top
    aligned), right under the upper one (bottom aligned), or between. Where gaps are about
    equal (rows set without padding, a line break typed in a cell), the cut goes where the
    table's clear cuts say its cells align; None where nothing says (the widest gap then)."""
    votes = {"top": 0, "bottom": 0, "middle": 0}
    for every, _ in pairs:
        if len(every) > 1 and _clear(every):
            best = max(range(len(every)), key=lambda n: every[n][0])
            votes["top" if best == len(every) - 1 else "bottom" if best == 0 else "middle"] += 1
    side = max(votes, key=lambda k: votes[k])
    if votes[side] < LAYOUT.min_alignment_votes or side == "middle":
        return [None] * len(pairs)
    return [None if _clear(free) else free[-1 if side == "top" else 0][1] for _, free in pairs]


def _filling(lines: Sequence[Span], width: float) -> list[Span]:
    """The lines of a column ``width`` wide that fill it, where the column shows wrapping at
    all: its text wraps at the column's edge, so every line of a cell but its last reaches
    (nearly) the width of the column's widest line, and that line spans most of the column.
    Numbers never wrap; one long line among short ones is no evidence; short values centred
    in a wide column (``≥95``, ``年底前完成``) fill nothing."""
    texts = [ln for ln in lines if parse_number(ln.text) is None]
    if len(texts) < 2:
        return []
    widest = max(ln.x1 - ln.x0 for ln in texts)
    if widest < LAYOUT.fill_share * width:
        return []
    full = [ln for ln in texts if ln.x1 - ln.x0 >= widest - _slack(ln)]
    return full if len(full) >= LAYOUT.min_full_lines else []


def _slack(line: Span) -> float:
    """How far short of the widest line a wrapped line may end: a character, or a whole
    Latin token or number (``55,587,000.00`` wraps as one piece)."""
    share = LAYOUT.latin_fill_slack if line.text[-1:].isascii() else LAYOUT.fill_slack
    return share * line.height


def cell_blocks(lines: Sequence[Span], width: float, unless_wrapping: bool = False) -> list[list[Span]]:
    """A column's lines → the cells they print: blocks of wrapped text, split after a line
    that does not fill the column (its cell ends there, however close the next line sits).
    ``unless_wrapping`` (merged columns): a column that shows no wrapping keeps its blocks
    whole (a merged cell's two short lines, a note typed over two lines), and an amount in a
    note may go on with its unit (``55,587,000.00`` / ``元``)."""
    full = {id(ln) for ln in _filling(lines, width)}
    if unless_wrapping and not full:
        return blocks(lines)
    out: list[list[Span]] = []
    for block in blocks(lines):
        out.append([block[0]])
        for upper, lower in itertools.pairwise(block):
            if key(upper.text) == key(lower.text):
                out.append([lower])  # a name repeated row after row: text never wraps into itself
            elif id(upper) in full or (unless_wrapping and parse_number(upper.text) is not None):
                out[-1].append(lower)
            else:
                out.append([lower])
    return out


LEVEL_NAME_END = "指标"
"""Every level name of an indicator grid ends so (产出指标, 服务对象满意度指标)."""


def _level_names(grid: Grid, blocks_: list[list[Span]]) -> list[list[Span]]:
    """An indicator grid's merged level names, one block each: stacked without padding, two
    names sit as close as a name's wrapped lines, but a line that ends a name ends its cell."""
    if grid.kind != "indicators":
        return blocks_
    out: list[list[Span]] = []
    for block in blocks_:
        out.append([])
        for n, line in enumerate(block):
            out[-1].append(line)
            name = key("".join(ln.text for ln in out[-1]))  # 可持续影响指 / 标 ends at 标
            if name.endswith(LEVEL_NAME_END) and n + 1 < len(block):
                out.append([])
    return out


def wrapped_gaps(columns: Sequence[tuple[Sequence[Span], float]]) -> list[tuple[float, float]]:
    """The gaps between a line that fills its column and the line under it: the same cell's
    text wrapping on, never a row boundary. Where rows are set without padding (a borderless
    Word or spreadsheet export), the gap between two rows is as wide as the gap between two
    wrapped lines of one cell, and only the fill tells them apart."""
    found: list[tuple[float, float]] = []
    for lines, width in columns:
        texts = [ln for ln in sorted(lines, key=lambda s: s.top) if parse_number(ln.text) is None]
        full = _filling(texts, width)
        for upper, lower in itertools.pairwise(texts):
            if upper not in full or lower.top - upper.bottom > LAYOUT.wrap_gap * upper.height:
                continue
            if key(upper.text) == key(lower.text):
                continue  # a name repeated row after row
            found.append((min(upper.bottom, lower.top), max(upper.bottom, lower.top)))
    return found


def _bands(
    anchors: list[Span],
    lines: Sequence[Span],
    top: tuple[float, float],
    bottom: float,
    every: Sequence[Span] = (),
    inside_cells: Sequence[tuple[float, float]] = (),
) -> list[tuple[float, float]]:
    """Row bands: the first starts below ``top`` (the header, or the page top); the last
    mirrors its anchor's distance to its top edge and takes the wrapped lines under it
    (of any column, ``every``), down to ``bottom`` at most."""
    edges = [_boundary(top, (anchors[0].top, anchors[0].bottom), lines, inside_cells)]
    pairs = [
        _gaps((a.top, a.bottom), (b.top, b.bottom), lines, inside_cells)
        for a, b in itertools.pairwise(anchors)
    ]
    for (a, b), (_, gaps), cut in zip(itertools.pairwise(anchors), pairs, _row_cuts(pairs), strict=True):
        edges.append(cut if cut is not None else max(gaps)[1] if gaps else (a.bottom + b.top) / 2)
    if top[0] == top[1] and len(edges) > 1:  # no header above: the first row mirrors its lower edge
        first = anchors[0]
        edges[0] = min(max(edges[0], first.cy - (edges[1] - first.cy)), first.top - 1)
    last = anchors[-1]
    end = last.cy + (last.cy - edges[-1])
    reach = last.bottom
    for ln in sorted([*lines, *every], key=lambda s: s.top):
        if ln.top > last.top and ln.top - reach <= LAYOUT.wrap_gap * ln.height and ln.top < bottom:
            reach = max(reach, ln.bottom)
    edges.append(min(max(end, reach + 1), bottom))
    return list(itertools.pairwise(edges))


def _with_tail(
    anchors: list[Span], row_lines: Sequence[Span], every: Sequence[Span], head: tuple[float, float]
) -> list[Span]:
    """Anchors plus one for the tail of a split row: lines above the first row's own extent."""
    first = anchors[0]
    if len(anchors) > 1:
        below = _boundary((first.top, first.bottom), (anchors[1].top, anchors[1].bottom), row_lines)
    else:
        below = max([first.bottom, *(ln.bottom for ln in row_lines if ln.top >= first.top)]) + 1
    own_top = first.cy - (below - first.cy)
    tail = [ln for ln in every if ln.top > head[1] and ln.bottom < own_top - 1]
    return _union_overlapping([merged(tail), *anchors]) if tail else anchors


def _band_of(bands: Sequence[tuple[float, float]], y: float) -> int | None:
    for i, (top, bottom) in enumerate(bands):
        if top <= y < bottom:
            return i
    return None


@dataclass(frozen=True)
class _Placed:
    first: int
    last: int
    block: Span
    lines: tuple[Span, ...]


def _spans(
    blocks_: list[list[Span]],
    bands: Sequence[tuple[float, float]],
    lowest: int,
    continued: bool = False,
    split_tops: Sequence[float] | None = None,
) -> tuple[list[_Placed], list[Span]]:
    """Merged-column blocks → the run of rows each spans; blocks that fit no run are orphans.

    ``split_tops`` (the grid runs on over the page): a run reaching the last row is a
    merged cell the page break split, printed level with the first line of its first
    row rather than centred; these are the first-line tops per row.

    The runs are chosen together (dynamic programming over the blocks in
    order): each run holds its block's own row and is centred on the block,
    and every row left uncovered costs ``LAYOUT.uncovered`` lines, since a
    blank in a fill-down column is a covered cell; rows of equal height make
    symmetric runs tie, and this settles them. On a ``continued`` page the rows
    above the first block are free: they are the previous page's cell. (Note
    columns are placed by :func:`_note_spans`.)
    """
    owned: dict[int, list[Span]] = {}
    orphans: list[Span] = []
    for lines in blocks_:
        block = merged(lines)
        own = _band_of(bands, block.cy)
        if own is None or own < lowest:
            continue
        if own in owned:  # two blocks in one row: the one nearer its centre keeps it
            middle = sum(bands[own]) / 2
            other = merged(owned[own])
            if abs(block.cy - middle) < abs(other.cy - middle):
                owned[own], block = list(lines), other
            orphans.append(block)
            continue
        owned[own] = list(lines)
    if not owned:
        return [], orphans
    rows = sorted(owned)
    blocks_by_row = [merged(owned[r]) for r in rows]
    height = min(b.height for b in blocks_by_row)
    gap_cost = LAYOUT.uncovered * height
    tie = LAYOUT.tie * height

    def cost(n: int, a: int, b: int) -> float:
        off = abs(blocks_by_row[n].cy - (bands[a][0] + bands[b][1]) / 2)
        if split_tops is not None and b == len(bands) - 1:
            off = min(off, abs(blocks_by_row[n].top - split_tops[a]))
        centre = (off // tie) * tie  # within a tie the rules below settle it
        if continued and n == 0:
            centre += LAYOUT.previous_page_bias * (rows[0] - a)
        return centre

    # best maps the last row used so far → (cost, back pointer chain).
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {lowest - 1: (0.0, [])}
    for n, own in enumerate(rows):
        limit = rows[n + 1] if n + 1 < len(rows) else len(bands)
        nxt: dict[int, tuple[float, list[tuple[int, int]]]] = {}
        for a in range(lowest, own + 1):
            entries = [
                (c + (0.0 if n == 0 and continued else gap_cost * (a - pb - 1)), chain)
                for pb, (c, chain) in best.items()
                if pb < a
            ]
            if not entries:
                continue
            enter, chain = min(entries, key=lambda e: e[0])
            for b in range(own, limit):
                total = enter + cost(n, a, b)
                if b not in nxt or total < nxt[b][0]:
                    nxt[b] = (total, [*chain, (a, b)])
        best = nxt
    _, chosen = min(
        ((c + gap_cost * (len(bands) - 1 - b), ch) for b, (c, ch) in best.items()), key=lambda e: e[0]
    )
    placed: list[_Placed] = []
    for n, (a, b) in enumerate(chosen):
        block = blocks_by_row[n]
        if cost(n, a, b) > LAYOUT.orphan_tolerance * block.height:
            orphans.append(block)
            a = b = rows[n]
        placed.append(_Placed(a, b, block, tuple(owned[rows[n]])))
    return placed, orphans


def _row_tops(bands: Sequence[tuple[float, float]], row_lines: Sequence[Span]) -> list[float | None]:
    """Per row band, the top of its first line in the plain columns (None for a row without one)."""
    tops: list[float | None] = [None] * len(bands)
    for ln in row_lines:
        band = _band_of(bands, ln.cy)
        if band is not None:
            old = tops[band]
            tops[band] = ln.top if old is None else min(old, ln.top)
    return tops


def _top_aligned(
    blocks_: list[list[Span]],
    bands: Sequence[tuple[float, float]],
    row_lines: Sequence[Span],
    lowest: int,
    continued: bool,
) -> list[_Placed] | None:
    """Merged-column blocks printed level with the first line of the row they start in (a merged
    cell aligned to the top, Word's default) rather than centred: each runs from its own row
    down to the row before the next block. None unless every block is level with a row of its
    own and, on a page the grid does not continue onto, the first block opens the first row
    (a centred cell of several rows leaves that row blank)."""
    if not blocks_:
        return None
    tops = _row_tops(bands, row_lines)
    starts: list[tuple[int, list[Span]]] = []
    for lines in blocks_:
        block = merged(lines)
        tolerance = LAYOUT.level * block.height / max(1, len(lines))
        row = next(
            (
                i
                for i in range(lowest, len(bands))
                if (top := tops[i]) is not None and abs(block.top - top) <= tolerance
            ),
            None,
        )
        if row is None or (starts and row <= starts[-1][0]):
            return None
        starts.append((row, lines))
    if not continued and starts[0][0] != lowest:
        return None
    ends = [row - 1 for row, _ in starts[1:]] + [len(bands) - 1]
    return [
        _Placed(row, end, merged(lines), tuple(lines)) for (row, lines), end in zip(starts, ends, strict=True)
    ]


def _split_cell_tail(
    blocks_: list[list[Span]],
    owns: dict[int, int | None],
    bands: Sequence[tuple[float, float]],
    lowest: int,
    tail_rows: int,
) -> list[Span] | None:
    """The first block of a merged column when it is centred on a run that starts in the tail
    row rather than on its own row: the rest of a merged cell the page break split."""
    later = [b for b in blocks_ if (owns[id(b)] or -1) >= lowest + tail_rows]
    if not later:
        return None
    lines = later[0]
    block, own = merged(lines), owns[id(lines)]
    assert own is not None
    start = lowest + tail_rows
    own_runs = min(
        abs(block.cy - (bands[a][0] + bands[b][1]) / 2)
        for a in range(start, own + 1)
        for b in range(own, len(bands))
    )
    from_tail = min(abs(block.cy - (bands[lowest][0] + bands[k][1]) / 2) for k in range(own, len(bands)))
    clearance = LAYOUT.split_tail_clearance * block.height
    clear = from_tail <= clearance and from_tail < own_runs - clearance
    return lines if clear else None


def _note_spans(
    blocks_: list[list[Span]], bands: Sequence[tuple[float, float]], lowest: int, runs: set[tuple[int, int]]
) -> list[_Placed]:
    """A note belongs to the first row of the 用款单位 run that holds its own row, else to
    its own row alone (blank note cells are just blank)."""
    placed: list[_Placed] = []
    for lines in blocks_:
        block = merged(lines)
        own = _band_of(bands, block.cy)
        if own is None or own < lowest:
            continue
        a, b = next(((a, b) for a, b in sorted(runs) if a <= own <= b), (own, own))
        if placed and placed[-1].last >= a:
            a = b = own  # two notes in one run: each keeps its own row
        placed.append(_Placed(a, b, block, tuple(lines)))
    return placed


def read(
    grid: Grid,
    words: Sequence[Word],
    page_no: int,
    header: Header | None,
    top: float,
    bottom: float,
    continued: bool = False,
    open_end: bool = False,
) -> tuple[list[Row], set[int]]:
    """Rows of one grid on one page between ``top`` and ``bottom``; the ids of the words used.

    ``continued``: the grid goes on from the previous page, so text above the first
    row's own extent is the tail of a row the page break split (a row of its own,
    which the normaliser joins to the row above), and blank merged cells at the
    top belong to the previous page's label rather than to one below.
    """
    header_ids = {id(w) for c in header.cells for w in c.words} if header else set()
    inside = [w for w in words if top <= w.top < bottom and id(w) not in header_ids]
    columns = _columns(grid, inside)
    anchors = _anchors(grid, columns)
    row_lines = [
        ln for c, (role, _) in enumerate(grid.roles) if role != MERGED for ln in text_lines(columns[c])
    ]
    merged_blocks = {
        c: _level_names(grid, cell_blocks(text_lines(columns[c]), grid.width(c), unless_wrapping=True))
        for c, (role, _) in enumerate(grid.roles)
        if role == MERGED
    }
    head = (header.span.top, header.span.bottom) if header else (top, top)
    offset = 1 if header else 0
    tail_rows = 0
    every = [*row_lines, *(ln for blks in merged_blocks.values() for b in blks for ln in b)]
    if continued and not anchors and every:
        anchors, tail_rows = [merged(every)], 1  # the page holds only the tail of a split row
    elif continued and anchors:
        before = len(anchors)
        anchors = _with_tail(anchors, row_lines, every, head)
        tail_rows = len(anchors) - before
    if not anchors:
        if header is None:
            return [], set()
        # A header alone at the foot of a page: its rows follow on the next one.
        box = (grid.bounds[0], header.span.top, grid.bounds[-1], header.span.bottom)
        cells = tuple(Cell(t, page=page_no) for t in grid.headers)
        return [Row(cells, page=page_no, bbox=box, engine=ENGINE)], header_ids
    occupied = [*anchors, *row_lines]  # an orphan needs a strip of its own, empty in the plain columns
    order = sorted(merged_blocks, key=lambda c: key(grid.headers[c]) in NOTE_WORDS)
    plain = [c for c, (role, _) in enumerate(grid.roles) if role != MERGED]
    inside_cells = wrapped_gaps([(text_lines(columns[c]), grid.width(c)) for c in plain])
    for _ in range(LAYOUT.max_reband_rounds):
        bands = _bands(anchors, row_lines, head, bottom, every, inside_cells)
        if header:
            bands.insert(0, (header.span.top - 1, bands[0][0]))
        split_tops = None
        if open_end:
            split_tops = [
                band[0] if first is None else first
                for first, band in zip(_row_tops(bands, row_lines), bands, strict=True)
            ]
        placements: dict[int, list[_Placed]] = {}
        lost: dict[int, list[Span]] = {}
        fills: set[tuple[int, int]] = set()
        for c in order:
            lowest = 0 if header and not grid.headers[c] else offset
            is_note = key(grid.headers[c]) in NOTE_WORDS
            owns = {id(b): _band_of(bands, merged(b).cy) for b in merged_blocks[c]}
            tails = [b for b in merged_blocks[c] if owns[id(b)] in range(lowest, lowest + tail_rows)]
            if tail_rows and (first := _split_cell_tail(merged_blocks[c], owns, bands, lowest, tail_rows)):
                tails.append(first)
            rest = [b for b in merged_blocks[c] if b not in tails]
            level = None if is_note else _top_aligned(rest, bands, row_lines, lowest + tail_rows, continued)
            orphans: list[Span] = []
            if is_note:
                placements[c] = _note_spans(rest, bands, lowest + tail_rows, fills)
            elif level is not None:
                placements[c] = level
            else:
                placements[c], orphans = _spans(rest, bands, lowest + tail_rows, continued, split_tops)
            for b in tails:  # a split cell's tail stays in the tail row, which joins the row above
                own = min(owns[id(b)] or 0, lowest + tail_rows - 1)
                placements[c].insert(0, _Placed(own, own, merged(b), tuple(b)))
            if not is_note:
                fills.update((p.first, p.last) for p in placements[c])
            lost[c] = [o for o in orphans if not any(o.top < a.bottom and o.bottom > a.top for a in occupied)]
        finest = max(lost, key=lambda c: (bool(lost[c]), len(merged_blocks[c])), default=None)
        if finest is None or not lost[finest]:
            break
        anchors = _union_overlapping([*anchors, *lost[finest]])
    rows, used = _emit(grid, bands, columns, placements, header, page_no, cell_text)
    return rows, used | header_ids


def _emit(
    grid: Grid,
    bands: list[tuple[float, float]],
    columns: dict[int, list[Word]],
    placements: dict[int, list[_Placed]],
    header: Header | None,
    page_no: int,
    cell_text: Callable[[list[dict[str, object]]], str],
) -> tuple[list[Row], set[int]]:
    used: set[int] = set()
    assigned: dict[tuple[int, int], list[Span]] = {}
    for c, (role, _) in enumerate(grid.roles):
        if role == MERGED:
            continue
        for ln in text_lines(columns[c]):
            band = _band_of(bands, ln.cy)
            if band is not None and not (header and band == 0):
                assigned.setdefault((c, band), []).append(ln)
                used.update(id(w) for w in ln.words)
    starts: dict[tuple[int, int], _Placed] = {}
    covered: set[tuple[int, int]] = set()
    for c, placed in placements.items():
        for p in placed:
            starts[(c, p.first)] = p
            covered.update((c, r) for r in range(p.first + 1, p.last + 1))
            used.update(id(w) for w in p.block.words)
    header_cells = {i: t for i, t in enumerate(grid.headers)} if header else {}
    rows: list[Row] = []
    x_left, x_right = grid.bounds[0], grid.bounds[-1]
    for i, (top, bottom) in enumerate(bands):
        cells: list[Cell] = []
        for c in range(len(grid.headers)):
            x0, x1 = grid.bounds[c], grid.bounds[c + 1]
            if (c, i) in starts:
                p = starts[(c, i)]
                text = cell_text([ln.as_line() for ln in p.lines])
                cells.append(Cell(text, page=page_no, bbox=(x0, bands[p.first][0], x1, bands[p.last][1])))
            elif (c, i) in covered:
                cells.append(Cell("", page=page_no, covered=True))
            elif header and i == 0:
                cells.append(Cell(header_cells[c], page=page_no, bbox=(x0, top, x1, bottom)))
            else:
                lines = assigned.get((c, i), [])
                text = cell_text([ln.as_line() for ln in lines])
                joined = "".join(key(ln.text) for ln in lines)
                if len(lines) > 1 and grid.roles[c] == (ANCHOR, True) and parse_number(joined) is not None:
                    text = joined  # a number wrapped in a narrow column: no space inside it
                cells.append(Cell(text, page=page_no, bbox=(x0, top, x1, bottom)))
        rows.append(Row(tuple(cells), page=page_no, bbox=(x_left, top, x_right, bottom), engine=ENGINE))
    return rows, used
