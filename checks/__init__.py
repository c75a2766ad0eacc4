"""Checks: plain functions from a document's records to findings.

:data:`RULES` is the one registry of rule ids (the contract's list); every
rule runs on every document and returns zero or more ``CheckResult`` rows.
"""

from __future__ import annotations

from collections.abc import Callable

from fiscaldoc.checks import budget_agree, budget_complete, budget_sums, budget_text, rules
from fiscaldoc.model.records import CheckResult, Records

__all__ = ["RULES", "run_checks"]

Rule = Callable[[Records, str], list[CheckResult]]

RULES: dict[str, Rule] = {
    "subtotal_matches_items": rules.subtotal_matches_items,
    "total_matches_items": rules.total_matches_items,
    "form_amount_matches_plan": rules.form_amount_matches_plan,
    "overview_amounts_match": rules.overview_amounts_match,
    "sequence_complete": rules.sequence_complete,
    "indicator_value_plausible": rules.indicator_value_plausible,
    "budget_totals_balance": budget_sums.budget_totals_balance,
    "budget_hierarchy_adds_up": budget_sums.budget_hierarchy_adds_up,
    "budget_columns_add_up": budget_sums.budget_columns_add_up,
    "budget_tables_agree": budget_agree.budget_tables_agree,
    "budget_text_matches_tables": budget_text.budget_text_matches_tables,
    "budget_tables_complete": budget_complete.budget_tables_complete,
    "form_funds_add_up": rules.form_funds_add_up,
}


def run_checks(records: Records, document_id: str) -> list[CheckResult]:
    out: list[CheckResult] = []
    for rule in RULES.values():
        out.extend(rule(records, document_id))
    return out
