"""Checks: plain functions from a document's records to findings.

:data:`RULES` is the one registry of rule ids (the contract's list); every
rule runs on every document and returns zero or more ``CheckResult`` rows.
"""

from __future__ import annotations

from collections.abc import Callable

from fiscaldoc.checks import rules
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
}


def run_checks(records: Records, document_id: str) -> list[CheckResult]:
    out: list[CheckResult] = []
    for rule in RULES.values():
        out.extend(rule(records, document_id))
    return out
