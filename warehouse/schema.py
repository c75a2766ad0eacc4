"""The contract's tables as SQLAlchemy Core metadata: one definition for every backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.ddl import ExecutableDDLElement

metadata = MetaData()

MONEY = Numeric(20, 2, asdecimal=True)
TARGET = Numeric(20, 4, asdecimal=True)

documents = Table(
    "documents",
    metadata,
    Column("document_id", Text, primary_key=True),
    Column("source_uri", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("page_count", Integer),
    Column("text_source", Text),
    Column("status", Text, nullable=False),
    Column("error", Text),
    Column("pipeline_version", Text, nullable=False),
    Column("ingested_at", DateTime, nullable=False),
)

allocation_plans = Table(
    "allocation_plans",
    metadata,
    Column("plan_id", Text, primary_key=True),
    Column("document_id", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("attachment_label", Text),
    Column("fiscal_year", Integer),
    Column("unit", Text, nullable=False),
    Column("declared_total_yuan", MONEY),
    Column("page_start", Integer),
    Column("page_end", Integer),
    Column("engine", Text),  # extension (v1.1): engine that produced the table
)

allocation_items = Table(
    "allocation_items",
    metadata,
    Column("plan_id", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("seq", Integer),
    Column("recipient", Text, nullable=False),
    Column("project", Text, nullable=False),
    Column("amount_yuan", MONEY, nullable=False),
    Column("amount_text", Text, nullable=False),
    Column("note", Text),
    Column("page", Integer),
    Column("bbox", Text),
    PrimaryKeyConstraint("plan_id", "line_no"),
)

allocation_subtotals = Table(
    "allocation_subtotals",
    metadata,
    Column("plan_id", Text, nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("declared_yuan", MONEY, nullable=False),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
)

performance_forms = Table(
    "performance_forms",
    metadata,
    Column("form_id", Text, primary_key=True),
    Column("document_id", Text, nullable=False, index=True),
    Column("project_name", Text, nullable=False),
    Column("project_type", Text),
    Column("project_level", Text),
    Column("department", Text),
    Column("start_year", Integer),
    Column("end_year", Integer),
    Column("total_amount_yuan", MONEY),
    Column("annual_amount_yuan", MONEY),
    Column("basis", Text),
    Column("overview", Text),
    Column("overall_goal", Text),
    Column("page_start", Integer),
    Column("page_end", Integer),
    Column("engine", Text),  # extension (v1.1)
    # v2: columns of the other form templates
    Column("form_title", Text),
    Column("project_nature", Text),
    Column("project_category", Text),
    Column("implementing_unit", Text),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("fiscal_funds_yuan", MONEY),
    Column("other_funds_yuan", MONEY),
    Column("current_grant_yuan", MONEY),
    Column("carryover_yuan", MONEY),
    Column("annual_goal", Text),
    Column("annual_other_funds_yuan", MONEY),  # extension: 其他资金 on the annual side (form_funds_add_up)
)

performance_indicators = Table(
    "performance_indicators",
    metadata,
    Column("form_id", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("level1", Text, nullable=False),
    Column("level2", Text),
    Column("level3", Text),
    Column("unit", Text),
    Column("comparator", Text),
    Column("target_value", TARGET),
    Column("target_text", Text),
    Column("page", Integer),  # extension (v1.1): page the row is on
    PrimaryKeyConstraint("form_id", "line_no"),
)

budget_tables = Table(
    "budget_tables",
    metadata,
    Column("table_id", Text, primary_key=True),
    Column("document_id", Text, nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("fiscal_year", Integer),
    Column("entity", Text),
    Column("unit", Text, nullable=False),
    Column("page_start", Integer),
    Column("page_end", Integer),
    Column("engine", Text),
)

budget_lines = Table(
    "budget_lines",
    metadata,
    Column("table_id", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("code", Text),
    Column("name", Text, nullable=False),
    Column("level", Integer),
    Column("side", Text),
    Column("measure", Text, nullable=False),
    Column("amount_yuan", MONEY),
    Column("amount_text", Text, nullable=False),
    Column("page", Integer),
    Column("bbox", Text),
    Index("ix_budget_lines_table", "table_id", "line_no"),
)

budget_statements = Table(  # extension: figures a budget disclosure's text states, notes under its tables
    "budget_statements",
    metadata,
    Column("document_id", Text, nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("of_subject", Text),
    Column("value", TARGET),
    Column("unit", Text),
    Column("amount_yuan", MONEY),
    Column("base_yuan", MONEY),
    Column("value_text", Text),
    Column("quote", Text, nullable=False),
    Column("page", Integer),
    PrimaryKeyConstraint("document_id", "ordinal"),
)

parse_reports = Table(  # extension: what each reader saw and kept, per table or form
    "parse_reports",
    metadata,
    Column("document_id", Text, nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text),
    Column("page_start", Integer),
    Column("page_end", Integer),
    Column("engine", Text),
    Column("rows_seen", Integer, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_skipped", Integer, nullable=False),
    Column("detail", Text),
    PrimaryKeyConstraint("document_id", "ordinal"),
)

check_results = Table(
    "check_results",
    metadata,
    Column("document_id", Text, nullable=False, index=True),
    Column("rule", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("expected", MONEY),
    Column("actual", MONEY),
    Column("message", Text, nullable=False),
)

# Children before parents: the order rows of a document are deleted in.
CHILD_TABLES = {
    "allocation_items": (allocation_items, "plan_id", allocation_plans),
    "allocation_subtotals": (allocation_subtotals, "plan_id", allocation_plans),
    "performance_indicators": (performance_indicators, "form_id", performance_forms),
    "budget_lines": (budget_lines, "table_id", budget_tables),
}
DOCUMENT_TABLES = (
    allocation_plans,
    performance_forms,
    budget_tables,
    budget_statements,
    parse_reports,
    check_results,
    documents,
)


class AddColumn(ExecutableDDLElement):
    """``ALTER TABLE … ADD COLUMN …`` for a column the contract has gained (SQLAlchemy Core has
    no such construct; ``sqlalchemy.ext.compiler`` is its documented way to add one)."""

    inherit_cache = False

    def __init__(self, table: Table, column: Column[Any]) -> None:
        self.table = table
        self.column = column


@compiles(AddColumn)
def _compile_add_column(element: AddColumn, compiler: Any, **kw: Any) -> str:
    table = compiler.preparer.format_table(element.table)
    return f"ALTER TABLE {table} ADD COLUMN {compiler.get_column_specification(element.column)}"
