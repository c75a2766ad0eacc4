"""Figures that several tables of one disclosure repeat must agree (``budget_tables_agree``).

Only relations that hold for every unit are checked, whatever its money (a checker that
wants the 收支总表 to equal the 财政拨款 tables raises false alarms on every unit with
事业收入 or a fund grant):

- the summary's 本年收入 = the income table's 合计; its income items = the income table's
  columns of the same name (事业收入, 其他收入 …);
- the summary's 本年支出 = the expenditure table's 合计; its expenditure items = the
  expenditure table's 类 rows of the same name;
- the summary's 财政拨款 income = the fiscal-grant summary's 本年收入;
- the fiscal-grant summary's 一般公共预算 column = the function-classification table's
  合计, its 政府性基金 / 国有资本经营 columns = those tables' totals, and its items = the
  function-classification table's 类 rows;
- the function-classification table's 基本支出 = the economic-classification table's total.
"""

from __future__ import annotations

from collections.abc import Callable

from fiscaldoc.checks.budget_model import (
    Figure,
    Table,
    TableRow,
    compared,
    result,
    status,
    tables_of,
    total,
)
from fiscaldoc.checks.budget_sums import Tally, is_total_part, misread_tables, side_totals, total_measure
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import strip_ordinal
from fiscaldoc.model.records import CheckResult, Records

RULE = "budget_tables_agree"


def first_of(tables: list[Table], kind: str) -> Table | None:
    return next((t for t in tables if t.kind == kind), None)


def total_row(table: Table, side: str | None = None) -> TableRow | None:
    """The table's 合计 row (the first total row that is not a block's 人员经费合计)."""
    totals = [r for r in table.side(side) if r.is_total]
    plain = [r for r in totals if key(r.name) in ("合计", "总计")]
    found = plain or totals
    return found[0] if found else None


def measure_like(table: Table, pred: Callable[[str], bool], side: str | None = None) -> str | None:
    return next((m for m in table.side_measures(side) if pred(m)), None)


def main_measure(table: Table, side: str | None = None) -> str | None:
    return total_measure(table.side_measures(side))


def table_total(table: Table, measure: str | None = None) -> Figure | None:
    """A table's grand total in ``measure`` (its total column by default); a table printed in
    column blocks without a 合计 row totals its blocks' 合计 rows."""
    measure = measure or main_measure(table)
    if measure is None:
        return None
    row = total_row(table)
    if row is not None and key(row.name) in ("合计", "总计"):
        return row.get(measure)
    blocks = [r.get(measure) for r in table.rows if r.is_total]
    present = [f for f in blocks if f is not None]
    return total(present) if present else None


def this_year(table: Table, side: str, measure: str) -> Figure | None:
    """A summary side's 本年收入/本年支出: its 本年…合计 row, else the sum of its items."""
    tree = side_totals(table.side(side))
    for sub, _ in tree.subtotals:
        return sub.get(measure)
    items = [r.get(measure) for r in tree.items]
    present = [f for f in items if f is not None]
    if present:
        return total(present)
    return tree.grand.get(measure) if tree.grand is not None else None


def _agree(
    tally: Tally,
    document_id: str,
    subject: str,
    a: Figure | None,
    b: Figure | None,
    what: str,
) -> None:
    if a is None or b is None or (a.blank and b.blank):
        return
    tally.add(result(document_id, RULE, subject, a, b, status(a, b), compared(a, b, what)))


def _class_rows(table: Table) -> dict[str, TableRow]:
    return {key(r.name): r for r in table.rows if r.level == 1 and r.code}


def budget_tables_agree(records: Records, document_id: str) -> list[CheckResult]:
    misread = misread_tables(records, document_id)
    tables = [t for t in tables_of(records) if t.id not in misread]
    tally = Tally()
    summary = first_of(tables, "income_expenditure_summary")
    income = first_of(tables, "income")
    expenditure = first_of(tables, "expenditure")
    fiscal = first_of(tables, "fiscal_grant_summary")
    general = first_of(tables, "general_public_expenditure")
    basic = first_of(tables, "general_public_basic_expenditure")
    fund = first_of(tables, "gov_fund")
    capital = first_of(tables, "state_capital")

    if summary is not None:
        s_in = main_measure(summary, "income")
        s_out = main_measure(summary, "expenditure")
        if income is not None and s_in is not None:
            _agree(
                tally,
                document_id,
                income.id,
                this_year(summary, "income", s_in),
                table_total(income),
                f"{summary.table.title} 本年收入 vs {income.table.title} 合计",
            )
            _income_items(tally, document_id, summary, s_in, income)
        if expenditure is not None and s_out is not None:
            _agree(
                tally,
                document_id,
                expenditure.id,
                this_year(summary, "expenditure", s_out),
                table_total(expenditure),
                f"{summary.table.title} 本年支出 vs {expenditure.table.title} 合计",
            )
            _class_items(tally, document_id, summary, "expenditure", s_out, expenditure)
        if fiscal is not None and s_in is not None:
            f_in = main_measure(fiscal, "income")
            granted = _fiscal_income(summary, s_in)
            if f_in is not None:
                _agree(
                    tally,
                    document_id,
                    fiscal.id,
                    granted,
                    this_year(fiscal, "income", f_in),
                    f"{summary.table.title} 财政拨款收入 vs {fiscal.table.title} 本年收入",
                )

    if fiscal is not None:
        out_measures = fiscal.side_measures("expenditure")
        public = next((m for m in out_measures if "一般公共预算" in m), None)
        if general is not None and public is not None:
            _agree(
                tally,
                document_id,
                general.id,
                this_year(fiscal, "expenditure", public),
                table_total(general),
                f"{fiscal.table.title} 一般公共预算 vs {general.table.title} 合计",
            )
            _class_items(tally, document_id, fiscal, "expenditure", public, general)
        for words, table in (("政府性基金", fund), ("国有资本经营", capital)):
            column = next((m for m in out_measures if words in m), None)
            if table is None or column is None:
                continue
            spent = measure_like(table, lambda m: "本年支出" in m and is_total_part(m.split("/")[-1]))
            _agree(
                tally,
                document_id,
                table.id,
                this_year(fiscal, "expenditure", column),
                table_total(table, spent),
                f"{fiscal.table.title} {words} vs {table.table.title} 合计",
            )

    if general is not None and basic is not None:
        column = measure_like(general, lambda m: m.split("/")[-1] == "基本支出")
        total_row_ = total_row(general)
        if column is not None and total_row_ is not None:
            _agree(
                tally,
                document_id,
                basic.id,
                total_row_.get(column),
                table_total(basic),
                f"{general.table.title} 基本支出 vs {basic.table.title} 合计",
            )

    if not tally.checked:
        return []
    if tally.findings:
        return tally.findings
    message = f"all {tally.checked} figures that tables repeat agree"
    return [result(document_id, RULE, document_id, None, None, "pass", message)]


def _income_items(tally: Tally, document_id: str, summary: Table, measure: str, income: Table) -> None:
    """Summary income items (事业收入 …) vs the income table's columns of the same name."""
    row = total_row(income)
    if row is None:
        return
    columns = {key(m.split("/")[-1]): m for m in income.measures}
    for item in side_totals(summary.side("income")).items:
        column = columns.get(strip_ordinal(item.name))
        if column is None:
            continue
        _agree(
            tally,
            document_id,
            f"{income.id}/{column}",
            item.get(measure),
            row.get(column),
            f"{summary.table.title} {item.name} vs {income.table.title} 合计 [{column}]",
        )


def _class_items(
    tally: Tally, document_id: str, summary: Table, side: str, measure: str, detail: Table
) -> None:
    """Summary expenditure items (一、一般公共服务支出 …) vs the detail table's 类 rows."""
    classes = _class_rows(detail)
    column = main_measure(detail)
    if column is None:
        return
    for item in side_totals(summary.side(side)).items:
        row = classes.get(strip_ordinal(item.name))
        if row is None:
            continue
        _agree(
            tally,
            document_id,
            f"{detail.id}/{row.code}",
            item.get(measure),
            row.get(column),
            f"{summary.table.title} {item.name} vs {detail.table.title} {row.label}",
        )


def _fiscal_income(summary: Table, measure: str) -> Figure | None:
    """What the summary says came in as 财政拨款 (one item, or one per fund)."""
    tree = side_totals(summary.side("income"))
    granted = [r.get(measure) for r in tree.items if "财政拨款" in key(r.name)]
    present = [f for f in granted if f is not None]
    return total(present) if present else None
