"""Analytics views over the contract tables (added, never replacing a table).

One SQL text per view, valid on DuckDB and PostgreSQL alike. Columns are only
ever appended (PostgreSQL's ``CREATE OR REPLACE VIEW`` refuses anything else).
README.md § Analytics views has example queries; tests/test_views.py runs them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

VIEWS: dict[str, str] = {
    "v_allocations_by_recipient": """
        SELECT p.fiscal_year, i.recipient, COUNT(*) AS items, SUM(i.amount_yuan) AS amount_yuan
        FROM allocation_items i JOIN allocation_plans p ON p.plan_id = i.plan_id
        GROUP BY p.fiscal_year, i.recipient""",
    "v_plan_vs_form": """
        SELECT p.document_id, p.plan_id, p.title, p.declared_total_yuan,
               (SELECT SUM(i.amount_yuan) FROM allocation_items i WHERE i.plan_id = p.plan_id)
                   AS items_total_yuan,
               f.form_id, f.project_name, f.total_amount_yuan AS form_total_yuan,
               f.total_amount_yuan - p.declared_total_yuan AS form_minus_plan_yuan
        FROM allocation_plans p LEFT JOIN performance_forms f ON f.document_id = p.document_id""",
    "v_indicators": """
        SELECT f.document_id, f.project_name, i.*
        FROM performance_indicators i JOIN performance_forms f ON f.form_id = i.form_id""",
    "v_indicator_levels": """
        SELECT i.level1, i.level2, COUNT(i.level3) AS indicators,
               COUNT(i.target_value) AS numeric_targets, COUNT(DISTINCT i.form_id) AS forms
        FROM performance_indicators i
        GROUP BY i.level1, i.level2""",
    "v_open_check_failures": """
        SELECT d.file_name, d.source_uri, c.*
        FROM check_results c JOIN documents d ON d.document_id = c.document_id
        WHERE c.status <> 'pass'""",
}


def create_views(conn: Connection) -> None:
    """(Re)create every view inside the caller's transaction."""
    for name, body in VIEWS.items():
        conn.execute(text(f"CREATE OR REPLACE VIEW {name} AS {body}"))
