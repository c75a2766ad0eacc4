"""``budget_text_matches_tables``: what the 说明 states agrees with the tables it describes.

Each statement's subject (:mod:`fiscaldoc.lexicon.budget_phrases`) is resolved to the table
cells that hold it, the primary one first (a 项 in the function-classification table, then
the expenditure table). An amount agrees when it equals a cell at the text's precision
(15621.11万元 for 156,211,123 元); a share, change or completion rate when the table's
figures give it, rounded as printed. A difference that the rounding of the figures involved
(or a rate cut off instead of rounded) explains is a ``warn``; a larger one a ``fail``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fiscaldoc.checks.budget_agree import (
    first_of,
    main_measure,
    table_total,
    this_year,
    total_row,
)
from fiscaldoc.checks.budget_model import (
    Figure,
    Table,
    TableRow,
    printed_half,
    result,
    tables_of,
    total,
    yuan_text,
)
from fiscaldoc.checks.budget_sums import _terms, is_total_part, misread_tables, side_totals
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import strip_ordinal
from fiscaldoc.model.records import BudgetStatement, CheckResult, CheckStatus, Records

RULE = "budget_text_matches_tables"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Cell:
    """A table figure a statement may mean, and where it is."""

    figure: Figure
    table: Table
    where: str

    @property
    def subject(self) -> str:
        return f"{self.table.id}/{self.where}"


def _cell(table: Table | None, figure: Figure | None, where: str) -> list[Cell]:
    return [] if table is None or figure is None else [Cell(figure, table, where)]


def _row_cell(table: Table | None, row: TableRow | None, measure: str | None) -> list[Cell]:
    if table is None or row is None or measure is None:
        return []
    return _cell(table, row.get(measure), f"{row.code or row.name}[{measure}]")


def _column(table: Table, pred: Callable[[str], bool], side: str | None = None) -> str | None:
    return next((m for m in table.side_measures(side) if pred(m)), None)


def _leaf(word: str) -> Callable[[str], bool]:
    return lambda m: m.split("/")[-1] == word or m.split("/")[-1].endswith(word)


class Resolver:
    """Table cells for a statement's subject, the one it most likely restates first."""

    def __init__(self, tables: list[Table]) -> None:
        self.tables = tables
        self.summary = first_of(tables, "income_expenditure_summary")
        self.income = first_of(tables, "income")
        self.expenditure = first_of(tables, "expenditure")
        self.fiscal = first_of(tables, "fiscal_grant_summary")
        self.general = first_of(tables, "general_public_expenditure")
        self.basic = first_of(tables, "general_public_basic_expenditure")
        self.three = first_of(tables, "three_public")
        self.fund = first_of(tables, "gov_fund")
        self.capital = first_of(tables, "state_capital")

    def cells(self, subject: str) -> list[Cell]:
        head, _, rest = subject.partition(":")
        method = getattr(self, "_" + head, None)
        if method is None:
            return []
        found: list[Cell] = (
            method(rest) if rest or head in ("item", "code", "class", "three_public", "income") else method()
        )
        return found

    # --- the 收支总表 ---------------------------------------------------------------------
    def _grand(self, table: Table | None, side: str) -> list[Cell]:
        if table is None:
            return []
        tree = side_totals(table.side(side))
        return _row_cell(table, tree.grand, main_measure(table, side))

    def _income_total(self) -> list[Cell]:
        return self._grand(self.summary, "income")

    def _expenditure_total(self) -> list[Cell]:
        return self._grand(self.summary, "expenditure")

    def _grand_total(self) -> list[Cell]:
        return self._grand(self.summary, "income") + self._grand(self.summary, "expenditure")

    def _fiscal_grand_total(self) -> list[Cell]:
        return self._grand(self.fiscal, "income") + self._grand(self.fiscal, "expenditure")

    def _this_year(self, table: Table | None, side: str) -> list[Cell]:
        if table is None:
            return []
        measure = main_measure(table, side)
        return [] if measure is None else _cell(table, this_year(table, side, measure), f"本年{side}")

    def _income_this_year(self) -> list[Cell]:
        return self._this_year(self.summary, "income") + _cell(self.income, self._total(self.income), "合计")

    def _expenditure_this_year(self) -> list[Cell]:
        return self._this_year(self.summary, "expenditure") + _cell(
            self.expenditure, self._total(self.expenditure), "合计"
        )

    def _total(self, table: Table | None, measure: str | None = None) -> Figure | None:
        return None if table is None else table_total(table, measure)

    def _income(self, source: str) -> list[Cell]:
        out: list[Cell] = []
        if self.summary is not None:
            measure = main_measure(self.summary, "income")
            rows = self.summary.side("income")
            if source == "财政拨款":
                tree = side_totals(rows)
                granted = [r.get(measure) for r in tree.items if measure and "财政拨款" in key(r.name)]
                present = [f for f in granted if f is not None]
                if present:
                    out += _cell(self.summary, total(present), "财政拨款收入")
            else:
                word = "年初结转" if source == "年初结转和结余" else source
                row = next((r for r in rows if strip_ordinal(r.name) == source or word in key(r.name)), None)
                out += _row_cell(self.summary, row, measure)
        if self.income is not None:
            row = total_row(self.income)
            column = _column(self.income, lambda m: source in m.split("/")[-1])
            out += _row_cell(self.income, row, column)
        if source == "财政拨款" and self.fiscal is not None:
            out += self._this_year(self.fiscal, "income")
        return out

    def _expenditure(self, what: str) -> list[Cell]:
        if self.summary is None:
            return []
        row = next((r for r in self.summary.side("expenditure") if "年末结转" in key(r.name)), None)
        return _row_cell(self.summary, row, main_measure(self.summary, "expenditure"))

    # --- funds ---------------------------------------------------------------------------
    def _fiscal_column(self, word: str) -> list[Cell]:
        if self.fiscal is None:
            return []
        column = _column(self.fiscal, lambda m: word in m, "expenditure")
        return (
            [] if column is None else _cell(self.fiscal, this_year(self.fiscal, "expenditure", column), word)
        )

    def _fiscal_expenditure(self) -> list[Cell]:
        return self._this_year(self.fiscal, "expenditure")

    def _general_public(self) -> list[Cell]:
        return _cell(self.general, self._total(self.general), "合计") + self._fiscal_column("一般公共预算")

    def _fund_table(self, table: Table | None, word: str) -> list[Cell]:
        out = self._fiscal_column(word)
        if table is not None:
            spent = _column(table, lambda m: "本年支出" in m and is_total_part(m.split("/")[-1]))
            out = _cell(table, self._total(table, spent), "合计") + out
        return out

    def _gov_fund(self) -> list[Cell]:
        return self._fund_table(self.fund, "政府性基金")

    def _state_capital(self) -> list[Cell]:
        return self._fund_table(self.capital, "国有资本经营")

    # --- 基本支出, 项目支出, 人员经费, 公用经费 -------------------------------------------------
    def _total_column(self, table: Table | None, word: str, side: str | None = None) -> list[Cell]:
        if table is None:
            return []
        column = _column(table, _leaf(word), side)
        if column is not None:
            row = total_row(table, side) if side is None else side_totals(table.side(side)).grand
            return _row_cell(table, row, column)
        return self._node_total(table, word, side)

    def _node_total(self, table: Table, word: str, side: str | None) -> list[Cell]:
        """A column group's total (基本支出 = 人员经费 + 公用经费 in a unit summary)."""
        paths = [tuple(m.split("/")) for m in table.side_measures(side)]
        for path in paths:
            if word in path:
                prefix = path[: path.index(word) + 1]
                terms = _terms(prefix, (), paths)
                row = side_totals(table.side(side)).grand if side else total_row(table)
                if terms and row is not None:
                    figures = [row.get("/".join(t)) for t in terms]
                    present = [f for f in figures if f is not None]
                    return _cell(table, total(present), word) if present else []
        return []

    def _block_total(self, table: Table | None, word: str) -> list[Cell]:
        if table is None:
            return []
        row = next((r for r in table.rows if r.is_total and word in key(r.name)), None)
        if row is not None:
            return _row_cell(table, row, main_measure(table))
        return self._total_column(table, word)

    def _basic(self) -> list[Cell]:
        return (
            self._total_column(self.expenditure, "基本支出")
            + self._total_column(self.general, "基本支出")
            + self._total_column(self.summary, "基本支出", "expenditure")
        )

    def _project(self) -> list[Cell]:
        return (
            self._total_column(self.expenditure, "项目支出")
            + self._total_column(self.general, "项目支出")
            + self._total_column(self.summary, "项目支出", "expenditure")
        )

    def _general_public_basic(self) -> list[Cell]:
        basic = [] if self.basic is None else _cell(self.basic, self._total(self.basic), "合计")
        return self._total_column(self.general, "基本支出") + basic

    def _personnel(self) -> list[Cell]:
        return self._block_total(self.basic, "人员经费") + self._total_column(
            self.summary, "人员经费", "expenditure"
        )

    def _public_funds(self) -> list[Cell]:
        return self._block_total(self.basic, "公用经费") + self._total_column(
            self.summary, "公用经费", "expenditure"
        )

    # --- “三公” ---------------------------------------------------------------------------
    def _three_public(self, what: str) -> list[Cell]:
        table = self.three
        if table is None:
            return []
        part, _, qualifier = what.partition("|")
        measures = [m for m in table.measures if "机关运行" not in m]

        def fits(m: str) -> bool:
            path = m.split("/")
            if qualifier and qualifier not in path:
                return False
            if part == "合计":
                return len(path) >= 2 and path[1] == "合计"
            if part == "公务用车购置及运行费":
                return any("购置及运行" in p for p in path) and any(p in ("小计", "合计") for p in path)
            if part == "公务用车购置费":
                return path[-1].endswith("购置费") or any(p.endswith("购置费") for p in path[1:])
            if part == "公务用车运行费":
                return any(("运行费" in p or "运行维护费" in p) and "购置" not in p for p in path[1:])
            return any(part[:4] in p for p in path)

        chosen = [m for m in measures if fits(m)]
        if not chosen and qualifier:
            qualifier = ""  # a budget's 三公 table has no 预算数/决算数 columns
            chosen = [m for m in measures if fits(m)]
        if not qualifier and any("决算数" in m for m in chosen):
            chosen = [m for m in chosen if "决算数" in m] or chosen
        out: list[Cell] = []
        for m in chosen[:1]:
            out += [
                Cell(f, table, f"{r.name or '三公'}[{m}]") for r in table.rows if (f := r.get(m)) is not None
            ][:1]
        return out

    def _agency_running(self) -> list[Cell]:
        if self.three is None:
            return []
        column = _column(self.three, lambda m: "机关运行经费" in m)
        if column is None:
            return []
        return [
            Cell(f, self.three, f"[{column}]") for r in self.three.rows if (f := r.get(column)) is not None
        ][:1]

    # --- 类 and 项 -----------------------------------------------------------------------
    def _class(self, name: str) -> list[Cell]:
        out: list[Cell] = []
        for table in (self.general, self.expenditure):
            if table is None:
                continue
            row = next((r for r in table.rows if r.level == 1 and key(r.name) == key(name)), None)
            out += _row_cell(table, row, main_measure(table))
        return out

    def _item(self, path: str) -> list[Cell]:
        names = [key(p) for p in path.split("/")]
        out: list[Cell] = []
        for table in (self.general, self.expenditure):
            if table is None:
                continue
            row = self._find_item(table, names)
            out += _row_cell(table, row, main_measure(table))
        return out

    def _code(self, code: str) -> list[Cell]:
        out: list[Cell] = []
        for table in (self.general, self.expenditure):
            if table is None:
                continue
            row = next((r for r in table.rows if r.code == code), None)
            out += _row_cell(table, row, main_measure(table))
        return out

    @staticmethod
    def _find_item(table: Table, names: list[str]) -> TableRow | None:
        by_code = {r.code: r for r in table.rows if r.code}
        leaves = [r for r in table.rows if r.code and r.level == len(names) and key(r.name) == names[-1]]
        for row in leaves:
            assert row.code is not None
            parents = [by_code.get(row.code[:n]) for n in (3, 5)][: len(names) - 1]
            if all(p is not None and key(p.name) == n for p, n in zip(parents, names, strict=False)):
                return row
        return leaves[0] if len(leaves) == 1 else None


def _round(value: Decimal, like: Decimal) -> Decimal:
    return value.quantize(like, rounding=ROUND_HALF_UP)


def _unit_of(value: Decimal) -> Decimal:
    """One unit of a printed number's last digit (0.01 for 57.14)."""
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)


TEXT_PRECISION = Decimal(100)
"""The 说明 prints amounts to 0.01万元: a rate it states was worked out from figures so rounded."""


def _as_text(value: Decimal) -> Decimal:
    return _round(value / TEXT_PRECISION, Decimal(1)) * TEXT_PRECISION


def _rate_status(
    stated: Decimal, exact: Decimal, low: Decimal, high: Decimal, as_printed: Decimal | None = None
) -> CheckStatus:
    """``pass`` when the table figures give the stated rate (or the figures as the text prints
    them do), ``warn`` within their rounding or one unit of the rate (cut off, not rounded)."""
    unit = _unit_of(stated)
    if _round(exact, unit) == stated or (as_printed is not None and _round(as_printed, unit) == stated):
        return "pass"
    if low - unit <= stated <= high + unit:
        return "warn"
    return "fail"


def _span(f: Callable[[Decimal, Decimal], Decimal], a: Figure, b: Figure) -> tuple[Decimal, Decimal]:
    values = [
        f(a.yuan + da, b.yuan + db) for da in (-a.half, a.half) for db in (-b.half, b.half) if b.yuan + db
    ]
    return (min(values), max(values)) if values else (Decimal(0), Decimal(0))


class _Checker:
    def __init__(self, records: Records, document_id: str) -> None:
        self.document_id = document_id
        misread = misread_tables(records, document_id)
        self.resolver = Resolver([t for t in tables_of(records) if t.id not in misread])
        self.findings: list[CheckResult] = []
        self.checked = 0

    def _add(
        self, subject: str, state: CheckStatus, expected: Decimal | None, actual: Decimal | None, message: str
    ) -> None:
        self.checked += 1
        if state != "pass":
            self.findings.append(result(self.document_id, RULE, subject, expected, actual, state, message))

    def amount(self, s: BudgetStatement) -> None:
        cells = self.resolver.cells(s.subject)
        if not cells or s.amount_yuan is None or s.value_text is None:
            return
        stated = Figure(s.amount_yuan, printed_half(s.value_text.rstrip("万元亿%"), s.unit or "元"))
        best: CheckStatus = "fail"
        for cell in cells:
            diff = abs(cell.figure.yuan - stated.yuan)
            state: CheckStatus = (
                "pass"
                if diff <= stated.half
                else "warn"
                if diff <= stated.half + cell.figure.half
                else "fail"
            )
            if state == "pass" or (state == "warn" and best == "fail"):
                best = state
        primary = cells[0]
        message = (
            f"说明 p{s.page} states {s.value_text} for {s.subject}; {primary.table.table.title} "
            f"{primary.where} prints {yuan_text(primary.figure.yuan)}: “{s.quote[:60]}”"
        )
        self._add(primary.subject, best, primary.figure.yuan, stated.yuan, message)

    def share(self, s: BudgetStatement) -> None:
        part, whole = self.resolver.cells(s.subject), self.resolver.cells(s.of_subject or "")
        if not part or not whole or s.value is None or whole[0].figure.yuan == 0:
            return
        p, w = part[0].figure, whole[0].figure
        exact = p.yuan / w.yuan * HUNDRED
        low, high = _span(lambda a, b: a / b * HUNDRED, p, w)
        printed = _as_text(p.yuan) / _as_text(w.yuan) * HUNDRED if _as_text(w.yuan) else None
        state = _rate_status(s.value, exact, low, high, printed)
        message = (
            f"说明 p{s.page} says {s.subject} is {s.value_text} of {s.of_subject}; the tables give "
            f"{yuan_text(p.yuan)} / {yuan_text(w.yuan)} = {exact:.2f}%: “{s.quote[:60]}”"
        )
        self._add(part[0].subject, state, None, None, message)

    def change(self, s: BudgetStatement) -> None:
        cells = self.resolver.cells(s.subject)
        if not cells or s.value is None:
            return
        now = cells[0].figure
        if s.base_yuan is not None:
            base = Figure(s.base_yuan, _text_half(s))
        elif s.amount_yuan is not None:
            base = Figure(now.yuan - s.amount_yuan, now.half + _text_half(s))
        else:
            return
        if base.yuan == 0:
            if s.value != 0:
                self._add(
                    cells[0].subject,
                    "warn",
                    None,
                    None,
                    f"说明 p{s.page} states a change of {s.value_text} from a base of 0, which is undefined: "
                    f"“{s.quote[:60]}”",
                )
            return
        exact = (now.yuan - base.yuan) / base.yuan * HUNDRED
        low, high = _span(lambda a, b: (a - b) / b * HUNDRED, now, base)
        printed = (_as_text(now.yuan) - base.yuan) / base.yuan * HUNDRED
        state = _rate_status(s.value, exact, low, high, printed)
        message = (
            f"说明 p{s.page} states a change of {s.value_text} for {s.subject}; from "
            f"{yuan_text(base.yuan)} to the tables' {yuan_text(now.yuan)} it is {exact:.2f}%: "
            f"“{s.quote[:60]}”"
        )
        self._add(cells[0].subject, state, None, None, message)

    def completion(self, s: BudgetStatement) -> None:
        cells = self.resolver.cells(s.subject)
        if not cells or s.value is None or s.base_yuan is None or s.base_yuan == 0:
            return
        now, base = cells[0].figure, Figure(s.base_yuan, _text_half(s))
        exact = now.yuan / base.yuan * HUNDRED
        low, high = _span(lambda a, b: a / b * HUNDRED, now, base)
        state = _rate_status(s.value, exact, low, high, _as_text(now.yuan) / base.yuan * HUNDRED)
        message = (
            f"说明 p{s.page} says {s.subject} reached {s.value_text} of its budget {yuan_text(base.yuan)}; "
            f"the tables' {yuan_text(now.yuan)} give {exact:.2f}%: “{s.quote[:60]}”"
        )
        self._add(cells[0].subject, state, None, None, message)


TEXT_HALF = Decimal(50)
"""Half a unit of a base figure the sentence prints: 0.005万元 (two decimals, the usual way)."""


def _text_half(s: BudgetStatement) -> Decimal:
    return TEXT_HALF


def budget_text_matches_tables(records: Records, document_id: str) -> list[CheckResult]:
    if not records.budget_tables or not records.budget_statements:
        return []
    checker = _Checker(records, document_id)
    for s in records.budget_statements:
        handler = getattr(checker, s.kind, None)
        if handler is not None and s.kind != "note":
            handler(s)
    if not checker.checked:
        return []
    if checker.findings:
        return checker.findings
    message = f"all {checker.checked} figures the 说明 states agree with the tables"
    return [result(document_id, RULE, document_id, None, None, "pass", message)]
