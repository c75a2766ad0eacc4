"""The contract's rules. Each takes the records of one document and its id.

The rule id of every result is the function's name, which is also its key in
:data:`fiscaldoc.checks.RULES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

from fiscaldoc.lexicon.numbers import cited_amounts
from fiscaldoc.lexicon.text import key
from fiscaldoc.model.records import AllocationItem, AllocationPlan, CheckResult, CheckStatus, Records


def _yuan(value: Decimal) -> str:
    """An amount for a message: 万元 when whole, else yuan."""
    if value % 10_000 == 0:
        return f"{value / 10_000:,.0f}万元"
    return f"{value:,.2f}元"


def _result(
    document_id: str,
    rule: str,
    subject: str,
    expected: Decimal | None,
    actual: Decimal | None,
    ok: bool,
    message: str,
    failing: CheckStatus = "fail",
) -> CheckResult:
    return CheckResult(
        document_id=document_id,
        rule=rule,
        subject=subject,
        status="pass" if ok else failing,
        expected=expected,
        actual=actual,
        message=message,
    )


def _ordinal(record_id: str) -> str:
    return record_id.rsplit(":", 1)[-1]


def _items_of(records: Records, plan_id: str) -> list[AllocationItem]:
    return [i for i in records.allocation_items if i.plan_id == plan_id]


def _plan_amount(records: Records, plan: AllocationPlan) -> Decimal:
    if plan.declared_total_yuan is not None:
        return plan.declared_total_yuan
    return sum((i.amount_yuan for i in _items_of(records, plan.plan_id)), Decimal(0))


def _items_by_recipient(records: Records) -> dict[tuple[str, str], list[AllocationItem]]:
    """Items per (plan, recipient's comparison key), built once: a long plan has thousands of
    subtotals, and scanning every item for each of them was quadratic."""
    groups: dict[tuple[str, str], list[AllocationItem]] = {}
    for item in records.allocation_items:
        groups.setdefault((item.plan_id, key(item.recipient)), []).append(item)
    return groups


def subtotal_matches_items(records: Records, document_id: str) -> list[CheckResult]:
    out = []
    by_recipient = _items_by_recipient(records) if records.allocation_subtotals else {}
    for sub in records.allocation_subtotals:
        group = by_recipient.get((sub.plan_id, key(sub.label)), [])
        actual = sum((i.amount_yuan for i in group), Decimal(0))
        ok = actual == sub.declared_yuan
        out.append(
            _result(
                document_id,
                "subtotal_matches_items",
                f"{sub.plan_id}/{sub.label}",
                sub.declared_yuan,
                actual,
                ok,
                f"{sub.label}: {len(group)} items sum to {_yuan(actual)}"
                + ("" if ok else f" but {sub.source} {sub.text!r} declares {_yuan(sub.declared_yuan)}"),
            )
        )
    return out


def total_matches_items(records: Records, document_id: str) -> list[CheckResult]:
    out = []
    for plan in records.allocation_plans:
        if plan.declared_total_yuan is None:
            continue
        items = _items_of(records, plan.plan_id)
        actual = sum((i.amount_yuan for i in items), Decimal(0))
        ok = actual == plan.declared_total_yuan
        out.append(
            _result(
                document_id,
                "total_matches_items",
                plan.plan_id,
                plan.declared_total_yuan,
                actual,
                ok,
                f"{len(items)} items sum to {_yuan(actual)}"
                + (
                    ""
                    if ok
                    else f", declared total is {_yuan(plan.declared_total_yuan)}: a row lost or misread?"
                ),
            )
        )
    return out


def form_amount_matches_plan(records: Records, document_id: str) -> list[CheckResult]:
    out = []
    plans = records.allocation_plans
    for form in records.performance_forms:
        if form.total_amount_yuan is None or not plans:
            continue
        amounts = {p.plan_id: _plan_amount(records, p) for p in plans}
        same = [pid for pid, amount in amounts.items() if amount == form.total_amount_yuan]
        plan_id = same[0] if same else plans[min(len(plans), len(records.performance_forms)) - 1].plan_id
        expected = amounts[plan_id]
        ok = expected == form.total_amount_yuan
        out.append(
            _result(
                document_id,
                "form_amount_matches_plan",
                form.form_id,
                expected,
                form.total_amount_yuan,
                ok,
                f"form total {_yuan(form.total_amount_yuan)} vs plan #{_ordinal(plan_id)} {_yuan(expected)}",
            )
        )
    return out


_CLAUSE_SPLIT = re.compile(r"[；;。]")


def _overlap(a: str, b: str) -> float:
    """Share of ``b``'s characters found in ``a`` (bigram overlap, CJK friendly)."""
    grams_a = {a[i : i + 2] for i in range(len(a) - 1)}
    grams_b = {b[i : i + 2] for i in range(len(b) - 1)}
    return len(grams_a & grams_b) / len(grams_b) if grams_b else 0.0


def overview_amounts_match(records: Records, document_id: str) -> list[CheckResult]:
    """Each amount the 项目概述 cites is compared with the plan item its words describe."""
    out = []
    items = records.allocation_items
    for form in records.performance_forms:
        if not form.overview or not items:
            continue
        text = unicodedata.normalize("NFKC", form.overview)
        mismatches, matched = [], 0
        for clause in _CLAUSE_SPLIT.split(text):
            for cited, printed, _ in cited_amounts(clause):
                words = key(clause)
                best = max(items, key=lambda item: _overlap(words, key(item.project)))
                if _overlap(words, key(best.project)) < 0.5:
                    continue
                matched += 1
                if cited != best.amount_yuan:
                    mismatches.append((best, cited, printed))
        for item, cited, printed in mismatches:
            out.append(
                _result(
                    document_id,
                    "overview_amounts_match",
                    form.form_id,
                    item.amount_yuan,
                    cited,
                    False,
                    f"项目概述 cites {printed} for item {item.seq or item.line_no} "
                    f"({item.project[:20]}…) but the plan gives {_yuan(item.amount_yuan)}",
                    failing="warn",
                )
            )
        if matched and not mismatches:
            out.append(
                _result(
                    document_id,
                    "overview_amounts_match",
                    form.form_id,
                    None,
                    None,
                    True,
                    f"all {matched} amounts cited in 项目概述 agree with the plan",
                )
            )
    return out


def sequence_complete(records: Records, document_id: str) -> list[CheckResult]:
    out = []
    for plan in records.allocation_plans:
        seqs = [i.seq for i in _items_of(records, plan.plan_id) if i.seq is not None]
        if not seqs:
            continue
        expected = list(range(1, len(seqs) + 1))
        ok = seqs == expected
        problem = ""
        if not ok:
            counts: dict[int, int] = defaultdict(int)
            for s in seqs:
                counts[s] += 1
            gaps = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
            repeats = sorted(s for s, n in counts.items() if n > 1)
            problem = f": missing {gaps[:10]}" if gaps else ""
            problem += f" repeated {repeats[:10]}" if repeats else ""
            problem = problem or ": out of order"
        out.append(
            _result(
                document_id,
                "sequence_complete",
                plan.plan_id,
                Decimal(len(expected)),
                Decimal(len(set(seqs))),
                ok,
                f"序号 1..{len(seqs)}" + (" complete" if ok else problem),
            )
        )
    return out


def indicator_value_plausible(records: Records, document_id: str) -> list[CheckResult]:
    out = []
    for form in records.performance_forms:
        bad = []
        for ind in records.performance_indicators:
            if ind.form_id != form.form_id or ind.target_value is None:
                continue
            if ind.unit == "%" and not (0 <= ind.target_value <= 100):
                bad.append(f"line {ind.line_no} {ind.level3}: {ind.target_text} is not a 0..100 percentage")
            elif ind.target_value < 0:
                bad.append(f"line {ind.line_no} {ind.level3}: negative target {ind.target_text}")
        out.append(
            _result(
                document_id,
                "indicator_value_plausible",
                form.form_id,
                None,
                None,
                not bad,
                "; ".join(bad) if bad else "every numeric target is plausible",
            )
        )
    return out


def _clause(declared: Decimal, computed: Decimal, what: str, ok: bool) -> str:
    if ok:
        return f"{what} holds ({_yuan(computed)}, {_yuan(declared)})"
    difference = _yuan(abs(computed - declared))
    return f"{what} fails: {_yuan(computed)} against {_yuan(declared)}, a difference of {difference}"


def form_funds_add_up(records: Records, document_id: str) -> list[CheckResult]:
    """A form's money adds up: 财政资金 + 其他资金 = the total; 当年财政拨款 + 上年结转 (+ 其他资金
    on the annual side) = the annual amount; the annual amount never exceeds the total.

    Forms that print the parts are checked (and any form whose annual amount exceeds its
    total); the first clause that fails gives ``expected`` (the printed figure the clause
    is about) and ``actual`` (what the parts make, or the annual amount)."""
    out = []
    zero = Decimal(0)
    for form in records.performance_forms:
        total, annual = form.total_amount_yuan, form.annual_amount_yuan
        clauses: list[tuple[Decimal, Decimal, str, bool]] = []
        if total is not None and form.fiscal_funds_yuan is not None:
            parts = form.fiscal_funds_yuan + (form.other_funds_yuan or zero)
            clauses.append((total, parts, "财政资金 + 其他资金 = 项目资金总额", parts == total))
        if annual is not None and form.current_grant_yuan is not None:
            parts = (
                form.current_grant_yuan
                + (form.carryover_yuan or zero)
                + (form.annual_other_funds_yuan or zero)
            )
            clauses.append(
                (annual, parts, "当年财政拨款 + 上年结转 (+ 其他资金) = 年度资金申请总额", parts == annual)
            )
        within = total is None or annual is None or annual <= total
        if total is not None and annual is not None and (clauses or not within):
            clauses.append((total, annual, "年度资金 ≤ 项目资金总额", within))
        if not clauses:
            continue
        failing = [c for c in clauses if not c[3]]
        expected, actual, _, _ = failing[0] if failing else clauses[0]
        message = "; ".join(_clause(*c) for c in (failing or clauses))
        out.append(
            _result(document_id, "form_funds_add_up", form.form_id, expected, actual, not failing, message)
        )
    return out
