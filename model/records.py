"""Typed records, one model per warehouse table of ../shared/CONTRACT.md.

Field names are the contract's column names; money is ``Decimal`` yuan. The
warehouse schema (:mod:`fiscaldoc.warehouse.schema`) is checked against these models by
a test, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

DocumentStatus = Literal["loaded", "partial", "failed"]
CheckStatus = Literal["pass", "fail", "warn"]
Comparator = Literal["=", ">=", "<=", ">", "<"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def row(self) -> dict[str, Any]:
        """The record as a warehouse row (Python values, Decimal kept)."""
        return self.model_dump()


class DocumentRecord(Record):
    document_id: str
    source_uri: str
    file_name: str
    media_type: str
    page_count: int | None = None
    text_source: str | None = None
    status: DocumentStatus
    error: str | None = None
    pipeline_version: str
    ingested_at: datetime


class AllocationPlan(Record):
    plan_id: str
    document_id: str
    title: str
    attachment_label: str | None = None
    fiscal_year: int | None = None
    unit: str
    declared_total_yuan: Decimal | None = None
    page_start: int | None = None
    page_end: int | None = None
    engine: str | None = None  # extension: which extractor/engine produced the table


class AllocationItem(Record):
    plan_id: str
    line_no: int
    seq: int | None = None
    recipient: str
    project: str
    amount_yuan: Decimal
    amount_text: str
    note: str | None = None
    page: int | None = None
    bbox: str | None = None


class AllocationSubtotal(Record):
    plan_id: str
    label: str
    declared_yuan: Decimal
    source: Literal["row", "note"]
    text: str


class PerformanceForm(Record):
    form_id: str
    document_id: str
    project_name: str
    project_type: str | None = None
    project_level: str | None = None
    department: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    total_amount_yuan: Decimal | None = None
    annual_amount_yuan: Decimal | None = None
    basis: str | None = None
    overview: str | None = None
    overall_goal: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    engine: str | None = None  # extension, as for plans
    # v2: what other templates print (财政项目支出绩效目标填报表, 项目支出绩效目标表, …)
    form_title: str | None = None
    project_nature: str | None = None
    project_category: str | None = None
    implementing_unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    fiscal_funds_yuan: Decimal | None = None
    other_funds_yuan: Decimal | None = None
    current_grant_yuan: Decimal | None = None
    carryover_yuan: Decimal | None = None
    annual_goal: str | None = None
    annual_other_funds_yuan: Decimal | None = None  # extension: 其他资金 of the annual amount


class PerformanceIndicator(Record):
    form_id: str
    line_no: int
    level1: str
    level2: str | None = None
    level3: str | None = None
    unit: str | None = None
    comparator: Comparator | None = None
    target_value: Decimal | None = None
    target_text: str | None = None
    page: int | None = None  # extension: provenance of the row


BudgetTableKind = Literal[
    "income_expenditure_summary",
    "income",
    "expenditure",
    "fiscal_grant_summary",
    "general_public_expenditure",
    "general_public_basic_expenditure",
    "three_public",
    "gov_fund",
    "state_capital",
    "other",
]


class BudgetTable(Record):
    """One standard table of a department/unit budget or final accounts (v2)."""

    table_id: str
    document_id: str
    kind: BudgetTableKind
    title: str
    stage: Literal["budget", "final"]
    fiscal_year: int | None = None
    entity: str | None = None
    unit: str
    page_start: int | None = None
    page_end: int | None = None
    engine: str | None = None


class BudgetLine(Record):
    """One amount cell of a budget table, in long form (v2)."""

    table_id: str
    line_no: int
    code: str | None = None
    name: str
    level: int | None = None
    side: Literal["income", "expenditure"] | None = None
    measure: str
    amount_yuan: Decimal | None = None
    amount_text: str
    page: int | None = None
    bbox: str | None = None


class BudgetStatement(Record):
    """Extension: a figure a budget disclosure's text states (说明), or a note printed under one
    of its tables, kept so the checks can compare it with the tables and a reader can see it.

    ``kind``: ``amount`` (``subject`` is ``value`` ``unit``), ``share`` (``subject`` is
    ``value`` % of ``of_subject``), ``change`` (``subject`` changed by ``value`` % from
    ``base_yuan``, the earlier year's figure the sentence gives), ``completion`` (``subject``
    is ``value`` % of ``base_yuan``, the budget the sentence gives), ``note`` (``subject`` is
    the ``table_id`` the note is printed under). ``subject`` names what the figure is of in
    the words of :mod:`fiscaldoc.lexicon.vocabulary` (``income_total``, ``item:类/款/项``…)."""

    document_id: str
    ordinal: int
    kind: Literal["amount", "share", "change", "completion", "note"]
    subject: str
    of_subject: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    amount_yuan: Decimal | None = None
    base_yuan: Decimal | None = None
    value_text: str | None = None
    quote: str
    page: int | None = None


class ParseReport(Record):
    """Extension: what a reader saw and kept of one table or form (camelot's parsing report).

    ``subject`` is the record it became (``plan_id``, ``form_id``, ``table_id``), NULL when
    nothing did; ``detail`` lists skipped rows and unknown labels, one per line."""

    document_id: str
    ordinal: int
    kind: str
    subject: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    engine: str | None = None
    rows_seen: int
    rows_read: int
    rows_skipped: int
    detail: str | None = None


class CheckResult(Record):
    document_id: str
    rule: str
    subject: str
    status: CheckStatus
    expected: Decimal | None = None
    actual: Decimal | None = None
    message: str

    @field_validator("message")
    @classmethod
    def _one_line(cls, message: str) -> str:
        # a message quotes document text (a wrapped indicator name); it is read as one line
        # in the terminal, logs and the report
        return _LINE_BREAKS.sub(" ", message)


_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+\s*")


class Records(BaseModel):
    """Everything one document yields, keyed by contract table."""

    model_config = ConfigDict(extra="forbid")

    allocation_plans: list[AllocationPlan] = []
    allocation_items: list[AllocationItem] = []
    allocation_subtotals: list[AllocationSubtotal] = []
    performance_forms: list[PerformanceForm] = []
    performance_indicators: list[PerformanceIndicator] = []
    budget_tables: list[BudgetTable] = []
    budget_lines: list[BudgetLine] = []
    budget_statements: list[BudgetStatement] = []
    parse_reports: list[ParseReport] = []

    def extend(self, other: Records) -> None:
        for name in type(self).model_fields:
            getattr(self, name).extend(getattr(other, name))


class DocumentResult(BaseModel):
    """One document through extract → normalise → check: the unit the loader writes."""

    model_config = ConfigDict(extra="forbid")

    document: DocumentRecord
    records: Records = Records()
    check_results: list[CheckResult] = []

    def tables(self) -> dict[str, list[Record]]:
        """Rows per contract table, in load order (parents first)."""
        out: dict[str, list[Record]] = {"documents": [self.document]}
        for name in Records.model_fields:
            out[name] = list(getattr(self.records, name))
        out["check_results"] = list(self.check_results)
        return out
