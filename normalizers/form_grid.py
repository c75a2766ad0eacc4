"""The indicator block of a form: a table inside it, read like any table.

Its header row names the columns (一级指标 | 二级指标 | 三级指标 | 指标值, and in some
templates 指标性质 | 度量单位 | 权重 of their own), wherever it sits. Every later
row's filled cells are then given roles by two kinds of evidence at once: the
column they sit in, and what they say (``产出指标`` is a level-1 name, ``≥90%`` a
target, ``个`` a unit). The cells keep their order, so the roles are assigned by a
small alignment of cells to columns, which survives a reader that shifts a cell
by a column or a row whose name spans the level-2 column (``成本指标 | 弥补成本率``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fiscaldoc.lexicon.numbers import parse_number
from fiscaldoc.lexicon.text import join_wrapped, key
from fiscaldoc.lexicon.vocabulary import field_of, indicator_column_of, indicator_header
from fiscaldoc.normalizers.form_slots import FormRow, Slot, merge_pairs
from fiscaldoc.normalizers.form_taxonomy import LEVEL1_NAMES, LEVEL2_PARENT, is_category
from fiscaldoc.normalizers.indicators import nature_comparator, parse_target

ROLES = ("level1", "level2", "level3", "nature", "target", "unit", "weight")
DEFAULT_COLUMNS = {"level1": 0, "level2": 1, "level3": 2, "target": 3}
"""A grid whose header was lost: the contents alone decide."""
SKIP = -4.0
"""The cost of leaving a cell out (a stray word no column wants)."""
IN_COLUMN = 2.0
PER_COLUMN_AWAY = 1.5
MAX_UNIT_CHARS = 6
_UNIT_WORDS = """% 个 人 人次 次 户 件 场 支 张 条 家 所 项 处 辆 台 套 吨 年 月 天 日 小时
米 千米 公里 平方米 亩 公顷 元 万元 亿元 万人次 篇 册 份 批 座 栋 间 床 辆次 课时 学时 分 分钟 周"""
UNITS = frozenset(_UNIT_WORDS.split())
"""Units a 度量单位 column holds; a short word not among them may be a text target."""
MAX_LEVEL_TAIL = 4


@dataclass(frozen=True)
class Columns:
    """The roles of the grid's columns, left to right: ``(role, first column)``."""

    roles: tuple[tuple[str, int], ...]
    positional: bool = True
    """False for a grid without a header: the columns are only an order."""

    @classmethod
    def of(cls, found: dict[str, int], positional: bool = True) -> Columns:
        return cls(tuple(sorted(found.items(), key=lambda item: item[1])), positional)

    def has(self, role: str) -> bool:
        return any(r == role for r, _ in self.roles)

    def distance(self, index: int, col: int) -> int:
        """How many columns ``col`` lies outside the span of role ``index``."""
        start = self.roles[index][1]
        end = self.roles[index + 1][1] - 1 if index + 1 < len(self.roles) else 10**6
        return 0 if start <= col <= end else (start - col if col < start else col - end)


GUESSED_COLUMNS = ("text-aligned",)
"""Readers that put cells into columns by guesswork (a space-aligned dump: columns taken
from its widest line): their column numbers give an order, not a place."""
GUESSED_MERGES = ("pdfplumber-words", "ocr-words")
"""Readers whose merged cells are guesses from where words print (the whitespace reader):
the boxes of the words, not the guessed extents, say which rows a level name spans."""


def header_of(row: FormRow) -> Columns | None:
    width = max((s.col for s in row.slots), default=-1) + 1
    texts = [""] * width
    for slot in row.slots:
        texts[slot.col] = slot.text
    found = indicator_header(texts)
    return Columns.of(found, positional=row.engine not in GUESSED_COLUMNS) if found else None


MAX_HEADER_PIECE = 4
"""A header cell's piece wrapped onto the line above or below it (``一 级 指`` / ``标``)."""


def repair_header(rows: list[FormRow], n: int) -> None:
    """A header a reader gave two rows, one per printed line (``一 级 指 | 指标性`` over
    ``标 | 二级指标 | 指标内容 | 质 | 目标值``): the pieces of the row just above or below that
    make a column's name with the header cell they sit over or under join it, in place."""
    header = rows[n]
    for m, above in ((n - 1, True), (n + 1, False)):
        if not 0 <= m < len(rows) or not rows[m].slots:
            continue
        other = rows[m]
        if any(len(s.key) > MAX_HEADER_PIECE or field_of(s.text) is not None for s in other.slots):
            continue
        joins = [_header_join(piece, header, above) for piece in other.slots]
        if not all(joins):
            continue  # not the other half of the header: a line of the form or of the grid
        for piece, cell in zip(list(other.slots), joins, strict=True):
            assert cell is not None
            joined = piece.joined(cell) if above else cell.joined(piece)
            header.slots[header.slots.index(cell)] = replace(joined, col=cell.col)
            other.slots.remove(piece)


def _header_join(piece: Slot, header: FormRow, above: bool) -> Slot | None:
    """The header cell a piece completes the name of (``一 级 指`` + ``标``), if any."""
    for cell in sorted(header.slots, key=lambda s: abs(s.col - piece.col)):
        if abs(cell.col - piece.col) > 1:
            break
        joined = piece.key + cell.key if above else cell.key + piece.key
        if indicator_column_of(joined) is not None and indicator_column_of(cell.text) is None:
            return cell
    return None


@dataclass
class Reading:
    """One row of the grid as read: which text plays which role."""

    texts: dict[str, str] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    page: int | None = None
    index: int = 0
    """The row's place among the grid's rows (a position when cells carry no boxes)."""
    top: float | None = None
    bottom: float | None = None
    engine: str = ""
    merges: dict[str, bool] = field(default_factory=dict)
    """Per level column, where the reader knows merged cells: True where a cell starts (a
    new 一级/二级 run, named or blank), False where the cell above covers it."""

    def get(self, role: str) -> str | None:
        return self.texts.get(role)

    @property
    def is_fragment(self) -> bool:
        """Only a name piece: the tail of a name the row above wrapped or a page break split."""
        return set(self.texts) == {"level3"}


def _numeric_target(text: str) -> bool:
    return parse_target(text).value is not None


def _fit(role: str, text: str) -> float:
    """How well a cell's words fit a role, whatever column it sits in."""
    k = key(text)
    category = is_category(k)
    if role == "level1":
        return 4.0 if k in LEVEL1_NAMES else 1.0 if category else -4.0
    if role == "level2":
        if k in LEVEL2_PARENT:
            return 4.5
        return 1.0 if k in LEVEL1_NAMES else 3.0 if category else -3.0
    if role == "level3":
        return -2.0 if category or _numeric_target(k) or nature_comparator(k) is not None else 1.0
    if role == "target":
        if category:
            return -3.0
        if _numeric_target(k):
            return 3.0
        if nature_comparator(k) is not None:
            return -1.0
        return 1.0 if len(k) <= 10 else -0.5
    if role == "nature":
        return 4.0 if nature_comparator(k) is not None or k in ("定性", "定量") else -5.0
    if role == "unit":
        ok = 0 < len(k) <= MAX_UNIT_CHARS and not any(ch.isdigit() for ch in k) and not category
        if not ok or nature_comparator(k) is not None:
            return -4.0
        return 3.0 if k in UNITS or "/" in k or len(k) == 1 else 0.5
    if role == "weight":
        number = parse_number(k.rstrip("%"))
        return 2.0 if number is not None and 0 <= number <= 100 else -4.0
    return -5.0


def _score(columns: Columns, index: int, slot: Slot) -> float:
    role = columns.roles[index][0]
    score = _fit(role, slot.text)
    if columns.positional:
        away = columns.distance(index, slot.col)
        score += IN_COLUMN if away == 0 else -PER_COLUMN_AWAY * away
    return score


def assign(columns: Columns, slots: list[Slot]) -> dict[str, Slot]:
    """Each cell to one column role, in order, each role at most once: the best alignment."""
    n, k = len(slots), len(columns.roles)
    # best[i][j]: best score placing slots[:i] among roles[:j]
    neg = float("-inf")
    best = [[neg] * (k + 1) for _ in range(n + 1)]
    move: list[list[tuple[int, int, bool]]] = [[(0, 0, False)] * (k + 1) for _ in range(n + 1)]
    for j in range(k + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(k + 1):
            options = [(best[i - 1][j] + SKIP, (i - 1, j, False))]
            if j:
                options.append((best[i][j - 1], (i, j - 1, False)))
                options.append(
                    (best[i - 1][j - 1] + _score(columns, j - 1, slots[i - 1]), (i - 1, j - 1, True))
                )
            value, step = max(options, key=lambda o: o[0])
            best[i][j], move[i][j] = value, step
    out: dict[str, Slot] = {}
    i, j = n, k
    while i > 0:
        pi, pj, took = move[i][j]
        if took:
            out[columns.roles[j - 1][0]] = slots[i - 1]
        i, j = pi, pj
    return out


def _split_level(slot: Slot) -> list[Slot]:
    """A cell that holds a level name and, after a space, the next column's words
    (``数量指标 培训人次``: a reader that drew the column boundary in the wrong place)."""
    head, _, rest = slot.text.strip().partition(" ")
    if not rest.strip() or not is_category(head) or key(head) not in (*LEVEL1_NAMES, *LEVEL2_PARENT):
        return [slot]
    return [replace(slot, text=head), replace(slot, text=rest.strip(), col=slot.col + 1)]


def _known_level(joined: str) -> bool:
    return joined in LEVEL2_PARENT or joined in LEVEL1_NAMES


def _level_tail(head: str, tail: str) -> bool:
    """``服务对象满意度指`` + ``标``: a level name the reader wrapped onto the next row."""
    joined = head + tail
    if joined in LEVEL2_PARENT or joined in LEVEL1_NAMES:
        return True
    return (
        not head.endswith("指标") and joined.endswith("指标") and len(head) >= 2 and not tail.endswith("指标")
    )


@dataclass
class GridReading:
    readings: list[Reading] = field(default_factory=list)
    columns: Columns | None = None
    skipped: list[str] = field(default_factory=list)


def read_grid(rows: list[FormRow], columns: Columns | None) -> GridReading:
    """The grid's rows after its header (``columns``; None when no header was found)."""
    grid = GridReading(columns=columns)
    merge_pairs(rows, _level_tail, MAX_LEVEL_TAIL, reach=1, follow_values=True, prefer=_known_level)
    current = columns or Columns.of(DEFAULT_COLUMNS, positional=False)
    for index, row in enumerate(rows):
        again = header_of(row)
        if again is not None:
            current = again  # a header repeated over a page, or a grid that is a table of its own
            continue
        slots = [part for s in row.slots if field_of(s.text) != "indicators" for part in _split_level(s)]
        if not slots:
            continue
        chosen = assign(current, slots)
        if not chosen:
            grid.skipped.append("row not read: " + " | ".join(s.text for s in slots)[:80])
            continue
        reading = Reading(
            texts={role: slot.text for role, slot in chosen.items()},
            slots=chosen,
            page=row.page,
            index=index,
            engine=row.engine,
        )
        if row.covered and current.positional and row.engine not in GUESSED_MERGES:
            for role, col in current.roles:
                if role in ("level1", "level2"):
                    reading.merges[role] = col not in row.covered
        anchors = [s.bbox for r, s in chosen.items() if r not in ("level1", "level2") and s.bbox is not None]
        if anchors:
            reading.top = min(b[1] for b in anchors)
            reading.bottom = max(b[3] for b in anchors)
        left = [s.text for s in slots if s not in chosen.values()]
        if left:
            grid.skipped.append("cells not placed: " + " | ".join(left)[:80])
        grid.readings.append(reading)
    _band_headings(grid.readings)
    _cost_by_column(grid.readings)
    return grid


AMBIGUOUS_LEVEL = "成本指标"
"""A name both levels use: 一级 in the 2021 framework, 二级 under 产出指标 before it."""


def _cost_by_column(readings: list[Reading]) -> None:
    """成本指标 alone in its row is a 一级 or a 二级 name: the column it sits in says which,
    compared with the columns of the names that are only one or the other."""
    ones = [
        r.slots["level1"].col
        for r in readings
        if key(r.get("level1")) in LEVEL1_NAMES and key(r.get("level1")) != AMBIGUOUS_LEVEL
    ]
    twos = [r.slots["level2"].col for r in readings if key(r.get("level2")) in LEVEL2_PARENT]
    if not ones or not twos:
        return
    one, two = sorted(ones)[len(ones) // 2], sorted(twos)[len(twos) // 2]
    for r in readings:
        if key(r.get("level1")) == AMBIGUOUS_LEVEL and "level2" not in r.texts:
            col = r.slots["level1"].col
            if abs(col - two) < abs(col - one):
                r.texts["level2"] = r.texts.pop("level1")
                r.slots["level2"] = r.slots.pop("level1")


def _band_headings(readings: list[Reading]) -> None:
    """A row of level names alone (an empty 二级 heading) has no cell of its own size: it lies
    between the rows around it (a merged name's box would stretch it over its whole run)."""
    for n, reading in enumerate(readings):
        if reading.top is not None:
            continue
        before = readings[n - 1] if n else None
        after = readings[n + 1] if n + 1 < len(readings) else None
        if before is not None and before.bottom is not None and before.page == reading.page:
            reading.top = before.bottom
        if after is not None and after.top is not None and after.page == reading.page:
            reading.bottom = after.top
        if reading.top is None or reading.bottom is None or reading.bottom < reading.top:
            reading.top = reading.bottom = None


def join_fragments(readings: list[Reading]) -> list[Reading]:
    """Name pieces without a target of their own join the row above (a wrapped name, or one
    split by a page break)."""
    out: list[Reading] = []
    for reading in readings:
        if reading.is_fragment and out and out[-1].get("target") is not None:
            above = out[-1]
            piece = reading.texts["level3"]
            target = above.texts["target"]
            if _open_bracket(target) and not _open_bracket(piece) and _closes(piece):
                above.texts["target"] = target + piece  # ``≥11057.00(人`` / ``次)``: the target wrapped
            else:
                above.texts["level3"] = join_wrapped([above.texts.get("level3", ""), piece])
            continue
        out.append(reading)
    return out


def _open_bracket(text: str) -> bool:
    k = key(text)
    return k.count("(") + k.count("（") > k.count(")") + k.count("）")


def _closes(text: str) -> bool:
    k = key(text)
    return k.count(")") + k.count("）") > k.count("(") + k.count("（")


def level2_parent(name: str | None) -> str | None:
    return LEVEL2_PARENT.get(key(name)) if name else None
