"""What the report shows, read back from the warehouse (the contract's tables plus the
``parse_reports`` extension) as the typed records the pipeline wrote.

Documents are read a chunk at a time, so a report of a large warehouse never holds more
than one chunk's records. A table the warehouse lacks (an older one without
``parse_reports``) reads as empty; columns the records do not know are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, inspect, select
from sqlalchemy.engine import make_url

from fiscaldoc.model.records import (
    AllocationItem,
    AllocationPlan,
    AllocationSubtotal,
    BudgetLine,
    BudgetTable,
    CheckResult,
    DocumentRecord,
    ParseReport,
    PerformanceForm,
    PerformanceIndicator,
    Record,
)
from fiscaldoc.warehouse import schema

R = TypeVar("R", bound=Record)

CHUNK = 200
"""Documents read per query: keeps ``IN (…)`` lists short and memory flat."""


class ReportError(Exception):
    """Why no report can be written (no warehouse there, say); ``str(e)`` is one line."""


@dataclass
class DocumentData:
    """One document and everything read from it."""

    document: DocumentRecord
    plans: list[AllocationPlan] = field(default_factory=list)
    items: list[AllocationItem] = field(default_factory=list)
    subtotals: list[AllocationSubtotal] = field(default_factory=list)
    forms: list[PerformanceForm] = field(default_factory=list)
    indicators: list[PerformanceIndicator] = field(default_factory=list)
    tables: list[BudgetTable] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    parse_reports: list[ParseReport] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def problems(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status != "pass"]

    @property
    def warnings(self) -> list[ParseReport]:
        """Parse reports that say something was left out or not understood."""
        return [p for p in self.parse_reports if p.rows_skipped or p.detail]


def check_exists(url: str) -> None:
    """A DuckDB URL naming a file that does not exist would create an empty one: refuse."""
    parsed = make_url(url)
    database = parsed.database
    on_disk = parsed.drivername.startswith("duckdb") and database not in (None, "", ":memory:")
    if on_disk and not Path(str(database)).exists():
        raise ReportError(f"no warehouse at {url}: {database} does not exist")


def document_ids(
    conn: Connection, wanted: Sequence[str] | None = None, archives: Sequence[str] = ()
) -> list[str]:
    """The documents to report, ordered by where they came from. ``wanted`` (ids) limits
    them, and then ``archives`` (source URIs) adds the attachments inside those archives."""
    if not inspect(conn).has_table("documents"):
        raise ReportError("no fiscaldoc warehouse there: it has no documents table")
    t = schema.documents
    rows = [(str(r[0]), str(r[1])) for r in conn.execute(select(t.c.document_id, t.c.source_uri))]
    if wanted is not None:
        keep = set(wanted)
        inside = tuple(f"{a}!/" for a in archives)
        rows = [r for r in rows if r[0] in keep or (inside and r[1].startswith(inside))]
    return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[0]))]


def read_documents(engine: Engine, ids: Sequence[str]) -> Iterator[DocumentData]:
    """Every document of ``ids`` with its records, in the order of ``ids``."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        with engine.connect() as conn:
            yield from _read_chunk(conn, chunk)


def _read_chunk(conn: Connection, ids: list[str]) -> list[DocumentData]:
    present = set(inspect(conn).get_table_names())
    docs = {
        d.document_id: DocumentData(d)
        for d in _rows(conn, present, schema.documents, DocumentRecord, schema.documents.c.document_id, ids)
    }

    def by_document(table: Table, model: type[R]) -> Iterator[tuple[DocumentData, R]]:
        for record in _rows(conn, present, table, model, table.c.document_id, ids):
            yield docs[getattr(record, "document_id")], record  # noqa: B009 (every R has one)

    parents: dict[str, DocumentData] = {}
    for doc, plan in by_document(schema.allocation_plans, AllocationPlan):
        doc.plans.append(plan)
        parents[plan.plan_id] = doc
    for doc, form in by_document(schema.performance_forms, PerformanceForm):
        doc.forms.append(form)
        parents[form.form_id] = doc
    for doc, budget_table in by_document(schema.budget_tables, BudgetTable):
        doc.tables.append(budget_table)
        parents[budget_table.table_id] = doc
    for doc, report in by_document(schema.parse_reports, ParseReport):
        doc.parse_reports.append(report)
    for doc, check in by_document(schema.check_results, CheckResult):
        doc.checks.append(check)

    children: list[tuple[Table, type[Record], str, Table, str]] = [
        (schema.allocation_items, AllocationItem, "plan_id", schema.allocation_plans, "items"),
        (schema.allocation_subtotals, AllocationSubtotal, "plan_id", schema.allocation_plans, "subtotals"),
        (
            schema.performance_indicators,
            PerformanceIndicator,
            "form_id",
            schema.performance_forms,
            "indicators",
        ),
        (schema.budget_lines, BudgetLine, "table_id", schema.budget_tables, "lines"),
    ]
    for table, model, parent_key, parent, attribute in children:
        if table.name not in present or parent.name not in present:
            continue
        query = (
            select(*_columns(table, model))
            .join(parent, parent.c[parent_key] == table.c[parent_key])
            .where(parent.c.document_id.in_(ids))
        )
        for row in conn.execute(query):
            record = model.model_validate(dict(row._mapping))
            owner = parents.get(getattr(record, parent_key))
            if owner is not None:
                getattr(owner, attribute).append(record)

    for doc in docs.values():
        _order(doc)
    return [docs[i] for i in ids if i in docs]


def _columns(table: Table, model: type[Record]) -> list[Any]:
    return [table.c[name] for name in model.model_fields if name in table.c]


def _rows(
    conn: Connection, present: set[str], table: Table, model: type[R], column: Any, ids: list[str]
) -> Iterator[R]:
    if table.name not in present:
        return
    for row in conn.execute(select(*_columns(table, model)).where(column.in_(ids))):
        yield model.model_validate(dict(row._mapping))


def ordinal(record_id: str) -> tuple[int, str]:
    """Sort key of ``{document_id}:{ordinal}`` / ``…:b{ordinal}`` ids: by number, not text."""
    tail = record_id.rsplit(":", 1)[-1]
    digits = tail.lstrip("b")
    return (int(digits), tail) if digits.isdigit() else (1 << 30, tail)


def _order(doc: DocumentData) -> None:
    doc.plans.sort(key=lambda p: ordinal(p.plan_id))
    doc.forms.sort(key=lambda f: ordinal(f.form_id))
    doc.tables.sort(key=lambda t: ordinal(t.table_id))
    doc.parse_reports.sort(key=lambda p: p.ordinal)
    doc.items.sort(key=lambda i: (ordinal(i.plan_id), i.line_no))
    doc.indicators.sort(key=lambda i: (ordinal(i.form_id), i.line_no))
    doc.lines.sort(key=lambda b: (ordinal(b.table_id), b.line_no))
    # check_results has no order column: failures first, then by rule and subject
    rank = {"fail": 0, "warn": 1, "pass": 2}
    doc.checks.sort(key=lambda c: (rank.get(c.status, 3), c.rule, c.subject))
