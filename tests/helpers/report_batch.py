"""Batches for the review report's tests, loaded into a real warehouse.

- the seed's renderings (ruled PDF, Word, text dump) as the pipeline reads them;
- the ruled PDF with one item lost (its total, subtotal and 序号 checks fail);
- a real budget disclosure whose ``budget_tables``/``budget_lines`` come from its
  hand-checked truth (no reader fills them yet): one table's lines with their boxes found
  by pdfplumber, the others without boxes (the report finds them by text), a failed
  ``budget_hierarchy_adds_up`` on a row, a document-wide warning, a parse report with
  skipped rows;
- a text dump whose file name and cells carry markup (``<script>``…);
- clones of a document under new ids, for a batch of hundreds without ingesting it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fiscaldoc.checks import run_checks
from fiscaldoc.model.records import (
    BudgetLine,
    BudgetTable,
    CheckResult,
    DocumentResult,
    ParseReport,
    Records,
)
from fiscaldoc.pipeline.process import file_sha256, process
from fiscaldoc.warehouse.load import Warehouse

from helpers.truth import SEED

REALDOCS = SEED.parent / "realdocs"
BUDGET_PDF = REALDOCS / "putuo_qu_bangongshi_2025_dept_budget.pdf"
BUDGET_TRUTH = REALDOCS / "putuo_qu_bangongshi_2025_dept_budget.truth.json"
BOXED_KIND = "general_public_expenditure"
"""The budget table whose lines get exact boxes (pdfplumber); the others are found by text."""
HOSTILE = "<script>alert('cell')</script>"
HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"


@dataclass
class Batch:
    url: str
    folder: Path
    seed_pdf: str
    lost_row: str
    docx: str
    text: str
    budget: str
    hostile: str


def read(path: Path) -> DocumentResult:
    return process(path, file_sha256(path), source_uri=str(path))


def lose_item(result: DocumentResult, line_no: int) -> DocumentResult:
    """The same document with one item missing, checked again: the arithmetic now fails."""
    records = result.records.model_copy(
        update={"allocation_items": [i for i in result.records.allocation_items if i.line_no != line_no]}
    )
    checks = run_checks(records, result.document.document_id)
    return DocumentResult(document=result.document, records=records, check_results=checks)


def clone(result: DocumentResult, salt: str, new: str | None = None, **document: object) -> DocumentResult:
    """``result`` under a new document id (every record id and subject follows)."""
    old = result.document.document_id
    new = new or hashlib.sha256(f"{old}:{salt}".encode()).hexdigest()
    copy = DocumentResult.model_validate_json(result.model_dump_json().replace(old, new))
    return copy.model_copy(update={"document": copy.document.model_copy(update=document)})


def budget(pdf: Path = BUDGET_PDF, truth_path: Path = BUDGET_TRUTH) -> DocumentResult:
    """A budget disclosure as the budget reader will load it, from its hand-checked truth."""
    import pdfplumber

    base = read(pdf)  # its documents row (the plans/forms reader finds nothing in it)
    doc_id = base.document.document_id
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    tables, lines = [], []
    with pdfplumber.open(pdf) as document:
        for n, table in enumerate(truth["tables"], 1):
            table_id = f"{doc_id}:b{n}"
            tables.append(
                BudgetTable(
                    table_id=table_id,
                    document_id=doc_id,
                    kind=table["kind"],
                    title=table["title"],
                    stage=truth["stage"],
                    fiscal_year=truth["fiscal_year"],
                    entity=truth["entity"],
                    unit=table["unit"],
                    page_start=table["page_start"],
                    page_end=table["page_end"],
                    engine="truth",
                )
            )
            boxes = _amount_boxes(document, table) if table["kind"] == BOXED_KIND else {}
            for k, line in enumerate(table["lines"]):
                lines.append(
                    BudgetLine(
                        table_id=table_id,
                        line_no=line["row"],
                        code=line["code"],
                        name=line["name"],
                        level=line["level"],
                        side=line["side"],
                        measure=line["measure"],
                        amount_yuan=Decimal(line["amount_yuan"]) if line["amount_yuan"] is not None else None,
                        amount_text=line["amount_text"],
                        page=line["page"],
                        bbox=boxes.get(k),
                    )
                )
    boxed = next(
        t.table_id for t, raw in zip(tables, truth["tables"], strict=True) if raw["kind"] == BOXED_KIND
    )
    checks = [
        CheckResult(
            document_id=doc_id,
            rule="budget_hierarchy_adds_up",
            subject=f"{boxed}/201",
            status="fail",
            expected=Decimal("82096797.42"),
            actual=Decimal("82086797.42"),
            message="201 一般公共服务支出: its 款 sum to 82,086,797.42, the row says 82,096,797.42",
        ),
        CheckResult(
            document_id=doc_id,
            rule="budget_tables_complete",
            subject=doc_id,
            status="warn",
            message="every standard table is present; 政府性基金 says 本表无数据",
        ),
    ]
    reports = [
        ParseReport(
            document_id=doc_id,
            ordinal=1,
            kind="budget_table",
            subject=boxed,
            page_start=14,
            page_end=15,
            engine="truth",
            rows_seen=30,
            rows_read=28,
            rows_skipped=2,
            detail="row 29: no amount\nrow 30: unknown label 注：",
        )
    ]
    document = base.document.model_copy(update={"status": "loaded", "error": None})
    records = Records(budget_tables=tables, budget_lines=lines, parse_reports=reports)
    return DocumentResult(document=document, records=records, check_results=checks)


def _amount_boxes(document: object, table: dict[str, object]) -> dict[int, str]:
    """Each line's amount cell on its page, found by its printed text in reading order."""
    out: dict[int, str] = {}
    used: set[tuple[int, float, float]] = set()
    lines = table["lines"]
    assert isinstance(lines, list)
    for k, line in enumerate(lines):
        page = document.pages[line["page"] - 1]  # type: ignore[attr-defined]
        for hit in page.search(line["amount_text"], regex=False):
            spot = (line["page"], round(hit["top"], 1), round(hit["x0"], 1))
            if spot not in used:
                used.add(spot)
                out[k] = f"{hit['x0']:.1f},{hit['top']:.1f},{hit['x1']:.1f},{hit['bottom']:.1f}"
                break
    return out


def hostile(folder: Path) -> Path:
    """The seed's text dump under a name that is markup, with markup in cells."""
    text = (SEED / "000_4ea89972e077d80e.txt").read_text(encoding="utf-8")
    text = text.replace("国土空间规划体系研究", f"国土空间规划体系研究{HOSTILE}", 1)
    path = folder / HOSTILE_NAME
    path.write_text(text, encoding="utf-8")
    return path


def make_batch(folder: Path) -> Batch:
    """The small batch above, its files copied under ``folder/files``, its warehouse there."""
    files = folder / "files"
    files.mkdir(parents=True)
    for name in ("seed-ruled.pdf", "seed.docx", "000_4ea89972e077d80e.txt"):
        shutil.copy(SEED / name, files / name)
    shutil.copy(BUDGET_PDF, files / BUDGET_PDF.name)
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    seed_pdf = read(files / "seed-ruled.pdf")
    copy = files / "seed-ruled-lost-row.pdf"  # other bytes (a comment after %%EOF), same pages
    copy.write_bytes((files / "seed-ruled.pdf").read_bytes() + b"\n% a copy\n")
    lost = lose_item(read(copy), 3)
    docx, text = read(files / "seed.docx"), read(files / "000_4ea89972e077d80e.txt")
    budget_result = budget(files / BUDGET_PDF.name, BUDGET_TRUTH)
    hostile_result = read(hostile(files))
    warehouse = Warehouse(url)
    try:
        warehouse.load([seed_pdf, lost, docx, text, budget_result, hostile_result])
    finally:
        warehouse.dispose()
    return Batch(
        url=url,
        folder=folder,
        seed_pdf=seed_pdf.document.document_id,
        lost_row=lost.document.document_id,
        docx=docx.document.document_id,
        text=text.document.document_id,
        budget=budget_result.document.document_id,
        hostile=hostile_result.document.document_id,
    )


def many(url: str, base: DocumentResult, count: int, files: Path | None = None) -> list[str]:
    """``count`` clones of ``base`` with varied statuses and findings, loaded into ``url``;
    with ``files``, each has a file of its own there (``base``'s bytes and a comment line
    after them: other bytes, same pages), so the report draws real pages for every one."""
    results = []
    source = Path(base.document.source_uri).read_bytes() if files else b""
    for n in range(count):
        status = ("loaded", "loaded", "partial", "failed")[n % 4]
        error = None if status == "loaded" else f"document {n}: a table did not add up"
        name = f"batch-{n:04d}{Path(base.document.file_name).suffix}"
        extra: dict[str, object] = {}
        new = None
        if files is not None:
            path = files / name
            path.write_bytes(source + f"\n% copy {n}\n".encode())
            new, extra = file_sha256(path), {"source_uri": str(path)}
        result = clone(base, f"many-{n}", new, file_name=name, status=status, error=error, **extra)
        if n % 3 == 0:
            result = lose_item(result, 1 + n % 6)
        results.append(result)
    warehouse = Warehouse(url)
    try:
        warehouse.load(results)
    finally:
        warehouse.dispose()
    return [r.document.document_id for r in results]
