"""The budget views on DuckDB and PostgreSQL, and the example queries docs/analytics.md gives
for them (the section after ``## Budget disclosures``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fiscaldoc.checks import run_checks
from fiscaldoc.model.records import DocumentRecord, DocumentResult
from fiscaldoc.normalizers import normalize
from fiscaldoc.warehouse.load import Warehouse

from helpers.blocks import read_blocks

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT / "fixtures" / "realdocs"
ANALYTICS = ROOT / "docs" / "analytics.md"

# Two small documents of one department and year, a budget and its final accounts.
SAME_DEPARTMENT = {
    "example_budget": """\
p1 L 上海市普陀区示例局2024年部门预算
p2 L 2024年部门一般公共预算支出功能分类预算表
p2 L 编制部门：上海市普陀区示例局 单位：元
p2 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p2 R 201 | 一般公共服务支出 | 1,000 | 600 | 400
p2 R 20106 | 财政事务 | 1,000 | 600 | 400
p2 R 2010601 | 行政运行 | 600 | 600 |
p2 R 2010602 | 一般行政管理事务 | 400 |  | 400
p2 R 合计 |  | 1,000 | 600 | 400
""",
    "example_final": """\
p1 L 上海市普陀区示例局2024年度部门决算
p2 L 一般公共预算财政拨款支出决算表
p2 L 单位：万元
p2 R 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出
p2 R 201 | 一般公共服务支出 | 0.09 | 0.06 | 0.03
p2 R 20106 | 财政事务 | 0.09 | 0.06 | 0.03
p2 R 2010601 | 行政运行 | 0.06 | 0.06 |
p2 R 2010602 | 一般行政管理事务 | 0.03 |  | 0.03
p2 R 合计 |  | 0.09 | 0.06 | 0.03
""",
}


def _result(path: Path, document_id: str) -> DocumentResult:
    records = normalize(read_blocks(path), document_id)
    document = DocumentRecord(
        document_id=document_id,
        source_uri=str(path),
        file_name=path.name,
        media_type="pdf",
        status="loaded",
        pipeline_version="test",
        ingested_at=datetime(2025, 1, 1),
    )
    return DocumentResult(document=document, records=records, check_results=run_checks(records, document_id))


@pytest.fixture
def budgets(warehouse_url: str, tmp_path: Path) -> Any:
    results = [
        _result(REALDOCS / "putuo_qu_bangongshi_2025_dept_budget.blocks.txt", "qu_bangongshi"),
        _result(REALDOCS / "putuo_caizhengju_2024_final_accounts.blocks.txt", "caizhengju"),
    ]
    for name, text in SAME_DEPARTMENT.items():
        path = tmp_path / f"{name}.blocks.txt"
        path.write_text(text, encoding="utf-8")
        results.append(_result(path, name))
    wh = Warehouse(warehouse_url)
    wh.load(results)
    with wh.engine.connect() as conn:
        yield conn
    wh.dispose()


def _rows(conn: sa.Connection, query: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(sa.text(query))]


def test_budget_vs_final_pairs_the_same_department_and_year(budgets: sa.Connection) -> None:
    rows = _rows(
        budgets,
        "SELECT code, budget_yuan, final_yuan, final_minus_budget_yuan FROM v_budget_vs_final "
        "WHERE entity = '上海市普陀区示例局' ORDER BY code",
    )
    assert rows == [
        ("201", Decimal("1000.00"), Decimal("900.00"), Decimal("-100.00")),
        ("20106", Decimal("1000.00"), Decimal("900.00"), Decimal("-100.00")),
        ("2010601", Decimal("600.00"), Decimal("600.00"), Decimal("0.00")),
        ("2010602", Decimal("400.00"), Decimal("300.00"), Decimal("-100.00")),
    ]
    unpaired = _rows(budgets, "SELECT COUNT(*) FROM v_budget_vs_final WHERE budget_yuan IS NULL")
    assert unpaired[0][0] > 0  # the 财政局 2024 final accounts have no budget loaded


def test_budget_lines_carry_their_table(budgets: sa.Connection) -> None:
    rows = _rows(
        budgets,
        "SELECT stage, unit, COUNT(*) FROM v_budget_lines "
        "WHERE entity = '上海市普陀区财政局' GROUP BY stage, unit",
    )
    assert rows == [("final", "万元", 577)]


def _documented_queries() -> list[str]:
    text = ANALYTICS.read_text(encoding="utf-8").split("## Budget disclosures", 1)[1]
    blocks = [b.split("```", 1)[0] for b in text.split("```sql")[1:]]
    return [q.strip() for block in blocks for q in block.split(";") if q.strip()]


def test_documented_budget_queries_run(budgets: sa.Connection) -> None:
    answers = [_rows(budgets, q) for q in _documented_queries()]
    assert [len(a) for a in answers] == [4, 10, 2, 8]
    totals, classes, paired, one_code = answers
    assert {(r[0], r[2]) for r in totals} == {
        ("上海市普陀区人民政府办公室", "budget"),
        ("上海市普陀区财政局", "final"),
    }
    assert classes[0] == (
        "上海市普陀区人民政府办公室",
        2025,
        "budget",
        "201",
        "一般公共服务支出",
        Decimal("82096797.42"),
    )
    assert [r[2] for r in paired] == ["2010601", "2010602"]
    assert {r[0] for r in one_code} == {"income", "expenditure", "general_public_expenditure"}
