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
    "v_budget_lines": """
        SELECT d.file_name, t.document_id, t.entity, t.fiscal_year, t.stage, t.kind, t.title, t.unit,
               l.table_id, l.line_no, l.code, l.name, l.level, l.side, l.measure, l.amount_yuan,
               l.amount_text, l.page
        FROM budget_lines l
        JOIN budget_tables t ON t.table_id = l.table_id
        JOIN documents d ON d.document_id = t.document_id""",
    "v_budget_totals": """
        SELECT t.document_id, t.table_id, t.entity, t.fiscal_year, t.stage, t.kind, t.title,
               l.side, l.name, l.measure, l.amount_yuan
        FROM budget_lines l JOIN budget_tables t ON t.table_id = l.table_id
        WHERE l.code IS NULL AND (l.name LIKE '%合计' OR l.name LIKE '%总计')""",
    "v_budget_by_subject": """
        SELECT t.entity, t.fiscal_year, t.stage, t.kind, l.code, l.name, l.level,
               l.amount_yuan, t.document_id, t.table_id
        FROM budget_lines l JOIN budget_tables t ON t.table_id = l.table_id
        WHERE t.kind IN ('expenditure', 'general_public_expenditure')
          AND l.code IS NOT NULL AND l.measure LIKE '%合计'""",
    "v_budget_vs_final": """
        SELECT COALESCE(b.entity, f.entity) AS entity,
               COALESCE(b.fiscal_year, f.fiscal_year) AS fiscal_year,
               COALESCE(b.kind, f.kind) AS kind,
               COALESCE(b.code, f.code) AS code,
               COALESCE(f.name, b.name) AS name,
               COALESCE(b.level, f.level) AS level,
               b.amount_yuan AS budget_yuan, f.amount_yuan AS final_yuan,
               f.amount_yuan - b.amount_yuan AS final_minus_budget_yuan
        FROM (SELECT * FROM v_budget_by_subject WHERE stage = 'budget') b
        FULL OUTER JOIN (SELECT * FROM v_budget_by_subject WHERE stage = 'final') f
          ON f.entity = b.entity AND f.fiscal_year = b.fiscal_year AND f.kind = b.kind
             AND f.code = b.code""",
    "v_form_funds": """
        SELECT f.document_id, f.form_id, f.form_title, f.project_name, f.department,
               f.total_amount_yuan, f.fiscal_funds_yuan, f.other_funds_yuan,
               f.annual_amount_yuan, f.current_grant_yuan, f.carryover_yuan, f.annual_other_funds_yuan,
               c.status AS funds_check, c.message AS funds_message
        FROM performance_forms f
        LEFT JOIN check_results c ON c.subject = f.form_id AND c.rule = 'form_funds_add_up'""",
    "v_open_check_failures": """
        SELECT d.file_name, d.source_uri, c.*
        FROM check_results c JOIN documents d ON d.document_id = c.document_id
        WHERE c.status <> 'pass'""",
}


def create_views(conn: Connection) -> None:
    """(Re)create every view inside the caller's transaction."""
    for name, body in VIEWS.items():
        conn.execute(text(f"CREATE OR REPLACE VIEW {name} AS {body}"))
