"""Compare records with a ``*.truth.json`` the contract's way (NFKC, whitespace removed)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fiscaldoc.lexicon.text import key
from fiscaldoc.model.records import Records

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
TRUTH = json.loads((SEED / "seed.truth.json").read_text(encoding="utf-8"))


def _norm(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, str):
        try:
            return Decimal(value).normalize()
        except ArithmeticError:
            return key(value)
    return value


def project(record: Any, fields: list[str]) -> dict[str, Any]:
    data = record if isinstance(record, dict) else record.model_dump()
    return {f: _norm(data.get(f)) for f in fields}


def differences(records: Records, truth: dict[str, Any] = TRUTH) -> list[str]:
    """Human-readable differences between extracted records and the truth; empty if equal."""
    out: list[str] = []
    plans, forms = truth["allocation_plans"], truth["performance_forms"]
    if len(records.allocation_plans) != len(plans):
        out.append(f"plans: {len(records.allocation_plans)} != {len(plans)}")
    for plan, want in zip(records.allocation_plans, plans, strict=False):
        fields = [k for k in want if k not in ("items", "subtotals")]
        if (got := project(plan, fields)) != (exp := project(want, fields)):
            out.append(f"plan {plan.plan_id}: {got} != {exp}")
        items = [i for i in records.allocation_items if i.plan_id == plan.plan_id]
        for n, (item, w) in enumerate(zip(items, want["items"], strict=False), 1):
            if (got := project(item, list(w))) != (exp := project(w, list(w))):
                out.append(f"item {n}: {got} != {exp}")
        if len(items) != len(want["items"]):
            out.append(f"items: {len(items)} != {len(want['items'])}")
        subs = [s for s in records.allocation_subtotals if s.plan_id == plan.plan_id]
        got_subs = (
            sorted(str(project(s, list(want["subtotals"][0]))) for s in subs) if want["subtotals"] else []
        )
        exp_subs = sorted(str(project(s, list(s))) for s in want["subtotals"])
        if got_subs != exp_subs:
            out.append(f"subtotals: {got_subs} != {exp_subs}")
    if len(records.performance_forms) != len(forms):
        out.append(f"forms: {len(records.performance_forms)} != {len(forms)}")
    for form, want in zip(records.performance_forms, forms, strict=False):
        fields = [k for k in want if k != "indicators"]
        if (got := project(form, fields)) != (exp := project(want, fields)):
            diff = {k: (got[k], exp[k]) for k in fields if got[k] != exp[k]}
            out.append(f"form {form.form_id}: {str(diff)[:400]}")
        inds = [i for i in records.performance_indicators if i.form_id == form.form_id]
        for n, (ind, w) in enumerate(zip(inds, want["indicators"], strict=False), 1):
            if (got := project(ind, list(w))) != (exp := project(w, list(w))):
                out.append(f"indicator {n}: {got} != {exp}")
        if len(inds) != len(want["indicators"]):
            out.append(f"indicators: {len(inds)} != {len(want['indicators'])}")
    return out
