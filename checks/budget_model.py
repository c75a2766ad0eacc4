"""What the budget rules share: a document's tables as rows of figures, and the rounding band.

Every figure keeps how precisely it was printed: half a unit of its last printed digit, in
yuan (``0.5`` for ``156,211,123`` 元, ``0.005`` for ``371,514,655.00`` 元, ``50`` for
``2,940.05`` 万元). A comparison passes when the figures are equal, warns when the
difference is within the summed half-units of every figure involved (rounding explains
it), and fails beyond that (contract v2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from fiscaldoc.lexicon.numbers import UNIT_FACTORS
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import is_total_label
from fiscaldoc.model.records import BudgetLine, BudgetTable, CheckResult, CheckStatus, Records

ZERO = Decimal(0)
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Figure:
    """An amount in yuan with its rounding: ``half`` is half a unit of its last printed digit.
    A blank cell is 0 with no rounding."""

    yuan: Decimal
    half: Decimal = ZERO
    blank: bool = False

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.yuan + other.yuan, self.half + other.half, self.blank and other.blank)


BLANK = Figure(ZERO, ZERO, True)


def total(figures: Iterable[Figure]) -> Figure:
    out = BLANK
    for f in figures:
        out = out + f
    return out


def printed_half(text: str, unit: str) -> Decimal:
    """Half a unit of the last printed digit of ``text``, in yuan."""
    digits = text.replace(",", "").strip()
    places = len(digits.split(".", 1)[1]) if "." in digits else 0
    return HALF * Decimal(10) ** -places * UNIT_FACTORS.get(unit, Decimal(1))


def figure_of(line: BudgetLine, unit: str) -> Figure:
    if line.amount_yuan is None:
        return BLANK
    return Figure(line.amount_yuan, printed_half(line.amount_text, unit))


def status(expected: Figure, actual: Figure) -> CheckStatus:
    """``pass`` equal, ``warn`` within the rounding of the figures involved, ``fail`` beyond."""
    diff = abs(expected.yuan - actual.yuan)
    if diff == 0:
        return "pass"
    return "warn" if diff <= expected.half + actual.half else "fail"


@dataclass
class TableRow:
    """One printed row of a table (one side of a two-sided row): its figures per measure."""

    line_no: int
    side: str | None
    code: str | None
    name: str
    level: int | None
    page: int | None
    cells: dict[str, Figure] = field(default_factory=dict)

    @property
    def is_total(self) -> bool:
        return self.code is None and is_total_label(self.name)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip() if self.code else self.name

    def get(self, measure: str) -> Figure | None:
        return self.cells.get(measure)


@dataclass
class Table:
    table: BudgetTable
    rows: list[TableRow]
    measures: list[str]
    """Measures in column order (first seen)."""

    @property
    def id(self) -> str:
        return self.table.table_id

    @property
    def kind(self) -> str:
        return self.table.kind

    def side(self, side: str | None) -> list[TableRow]:
        return [r for r in self.rows if r.side == side]

    def side_measures(self, side: str | None) -> list[str]:
        seen = {m for r in self.rows if r.side == side for m in r.cells}
        return [m for m in self.measures if m in seen]

    @property
    def has_figures(self) -> bool:
        return any(not f.blank for r in self.rows for f in r.cells.values())


def tables_of(records: Records) -> list[Table]:
    lines: dict[str, list[BudgetLine]] = defaultdict(list)
    for line in records.budget_lines:
        lines[line.table_id].append(line)
    out = []
    for t in records.budget_tables:
        rows: dict[tuple[int, str | None], TableRow] = {}
        measures: list[str] = []
        for ln in lines.get(t.table_id, []):
            row = rows.get((ln.line_no, ln.side))
            if row is None:
                row = TableRow(ln.line_no, ln.side, ln.code, ln.name, ln.level, ln.page)
                rows[(ln.line_no, ln.side)] = row
            row.cells[ln.measure] = figure_of(ln, t.unit)
            if ln.measure not in measures:
                measures.append(ln.measure)
        ordered = sorted(rows.values(), key=lambda r: (r.line_no, r.side or ""))
        out.append(Table(t, ordered, measures))
    return out


def yuan_text(value: Decimal) -> str:
    """An amount for a message, in yuan with separators."""
    return f"{value:,.2f}元"


def result(
    document_id: str,
    rule: str,
    subject: str,
    expected: Figure | Decimal | None,
    actual: Figure | Decimal | None,
    state: CheckStatus,
    message: str,
) -> CheckResult:
    def money(v: Figure | Decimal | None) -> Decimal | None:
        return v.yuan if isinstance(v, Figure) else v

    return CheckResult(
        document_id=document_id,
        rule=rule,
        subject=subject,
        status=state,
        expected=money(expected),
        actual=money(actual),
        message=message,
    )


def compared(expected: Figure, actual: Figure, what: str) -> str:
    """``what``: the two figures and, where they differ, by how much."""
    if expected.yuan == actual.yuan:
        return f"{what}: {yuan_text(actual.yuan)}"
    diff = actual.yuan - expected.yuan
    why = " (within rounding)" if abs(diff) <= expected.half + actual.half else ""
    return f"{what}: {yuan_text(expected.yuan)} vs {yuan_text(actual.yuan)}, off by {yuan_text(diff)}{why}"


def name_key(text: str) -> str:
    return key(text)
