"""``budget_tables_complete``: every standard table is there, and an empty one says why.

A disclosure prints nine standard tables; one that has nothing to show (no 政府性基金
grant, no “三公” spending) is still printed, with a note under it saying so (``本表为空表``,
``本表无数据``). Each kind missing from a disclosure that prints most of them is a
``fail``, as is an empty table without such a note and a note calling a table empty while
it holds figures. Only a document that prints at least :data:`DISCLOSURE_KINDS` standard
kinds is taken for a whole disclosure (an attachment holding one table is not).
"""

from __future__ import annotations

import re
from typing import get_args

from fiscaldoc.checks.budget_model import Table, result, tables_of
from fiscaldoc.model.records import BudgetTableKind, CheckResult, Records

RULE = "budget_tables_complete"
STANDARD_KINDS: tuple[str, ...] = tuple(k for k in get_args(BudgetTableKind) if k != "other")
NAMES = {
    "income_expenditure_summary": "收支总表",
    "income": "收入表",
    "expenditure": "支出表",
    "fiscal_grant_summary": "财政拨款收支总表",
    "general_public_expenditure": "一般公共预算支出表",
    "general_public_basic_expenditure": "一般公共预算基本支出表",
    "three_public": "“三公”经费表",
    "gov_fund": "政府性基金预算表",
    "state_capital": "国有资本经营预算表",
}
DISCLOSURE_KINDS = 5
_EMPTY_NOTE = re.compile(r"空表|无数据|本表为空|(?:无|没有)[^。；]*(?:故|因此|所以)本表")


def _holds_figures(table: Table) -> bool:
    """A printed figure other than 0 anywhere in the table."""
    return any(not f.blank and f.yuan != 0 for r in table.rows for f in r.cells.values())


def _unread(table: Table) -> bool:
    """Rows with 科目 but no figure at all: more likely our reading lost the amounts."""
    return any(r.code for r in table.rows) and not any(
        not f.blank for r in table.rows for f in r.cells.values()
    )


def budget_tables_complete(records: Records, document_id: str) -> list[CheckResult]:
    tables = tables_of(records)
    if not tables:
        return []
    notes: dict[str, list[str]] = {}
    for s in records.budget_statements:
        if s.kind == "note":
            notes.setdefault(s.subject, []).append(s.quote)
    out: list[CheckResult] = []
    kinds = {t.kind for t in tables}
    if len(kinds & set(STANDARD_KINDS)) >= DISCLOSURE_KINDS:
        for kind in STANDARD_KINDS:
            if kind not in kinds:
                message = (
                    f"no {NAMES[kind]} ({kind}) found: a disclosure prints every standard table, "
                    "an empty one with a note"
                )
                out.append(result(document_id, RULE, f"{document_id}/{kind}", None, None, "fail", message))
    for table in tables:
        if table.kind not in STANDARD_KINDS:
            continue
        empty_notes = [n for n in notes.get(table.id, []) if _EMPTY_NOTE.search(n)]
        title = table.table.title
        if _holds_figures(table) and empty_notes:
            figure = next(f for r in table.rows for f in r.cells.values() if not f.blank and f.yuan != 0)
            message = (
                f"{title} holds figures (e.g. {figure.yuan:,.2f}元) but its note says it is empty: "
                f"“{empty_notes[0]}”"
            )
            out.append(result(document_id, RULE, table.id, None, figure.yuan, "fail", message))
        elif not _holds_figures(table) and not empty_notes and not _unread(table):
            message = f"{title} prints no figures and no note saying why (本表无数据 / 空表)"
            out.append(result(document_id, RULE, table.id, None, None, "fail", message))
    if out:
        return out
    present = len(kinds & set(STANDARD_KINDS))
    message = f"{present} standard tables, every empty one with a note saying why"
    return [result(document_id, RULE, document_id, None, None, "pass", message)]
