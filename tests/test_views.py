"""Every analytics view is queryable on DuckDB and PostgreSQL with the seed's numbers,
and every example query in docs/analytics.md runs on both."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse.load import Warehouse
from fiscaldoc.warehouse.views import VIEWS

from helpers.truth import SEED
from helpers.warehouse_state import SEED_PDF, SEED_TEXT

ANALYTICS = Path(__file__).resolve().parent.parent / "docs" / "analytics.md"
MILLION = Decimal("1000000.00")


@pytest.fixture
def seeded(warehouse_url: str) -> Any:
    wh = Warehouse(warehouse_url)
    wh.load([process(SEED / SEED_TEXT), process(SEED / SEED_PDF)])
    with wh.engine.connect() as conn:
        yield conn
    wh.dispose()


def _rows(conn: sa.Connection, query: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(sa.text(query))]


def test_views_hold_the_seed_numbers(seeded: sa.Connection) -> None:
    conn = seeded
    assert _rows(
        conn, "SELECT fiscal_year, recipient, items, amount_yuan FROM v_allocations_by_recipient ORDER BY 4"
    ) == [
        (2021, "省自然资源厅", 8, 18 * MILLION),
        (2021, "省土地调查规划院", 4, 60 * MILLION),
    ]
    plan_vs_form = _rows(
        conn,
        "SELECT declared_total_yuan, items_total_yuan, form_total_yuan, form_minus_plan_yuan "
        "FROM v_plan_vs_form",
    )
    assert plan_vs_form == [(39 * MILLION, 39 * MILLION, 39 * MILLION, Decimal("0.00"))] * 2
    by_level1 = _rows(conn, "SELECT level1, COUNT(*), COUNT(target_value) FROM v_indicators GROUP BY level1")
    assert {r[0]: r[1:] for r in by_level1} == {
        "产出指标": (14, 14),
        "效益指标": (8, 0),
        "成本指标": (2, 2),
        "满意度指标": (2, 2),
    }
    levels = {(r[0], r[1]): r[2:] for r in _rows(conn, "SELECT * FROM v_indicator_levels")}
    assert levels[("产出指标", "数量指标")] == (6, 6, 2)
    assert levels[("成本指标", None)] == (2, 2, 2)
    assert levels[("效益指标", "社会效益指标")] == (0, 0, 2)
    assert sum(v[0] for v in levels.values()) == 22  # 26 lines less 4 empty headings
    failures = _rows(
        conn, "SELECT file_name, rule, status, expected, actual FROM v_open_check_failures ORDER BY 1"
    )
    assert failures == [
        (SEED_TEXT, "overview_amounts_match", "warn", 25 * MILLION, 30 * MILLION),
        (SEED_PDF, "overview_amounts_match", "warn", 25 * MILLION, 30 * MILLION),
    ]


def _documented_queries() -> list[str]:
    text = ANALYTICS.read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```sql")[1:]]
    return [q.strip() for block in blocks for q in block.split(";") if q.strip()]


def test_docs_document_and_run_every_view(seeded: sa.Connection) -> None:
    queries = _documented_queries()
    text = ANALYTICS.read_text(encoding="utf-8")
    for view in VIEWS:
        assert f"`{view}`" in text, view
        assert any(view in q for q in queries), f"no example query for {view}"
    answers = [_rows(seeded, q) for q in queries]
    assert [len(a) for a in answers[:6]] == [2, 0, 2, 2, 2, 0]  # the budget views' answers: test_budget_views
    assert answers[0][0] == ("省土地调查规划院", 60 * MILLION)
    assert {a[:2] for a in answers[3]} == {("效益指标", "环境效益指标"), ("效益指标", "社会效益指标")}
