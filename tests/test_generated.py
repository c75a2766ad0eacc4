"""The committed generated fixtures (fixtures/generate.py --committed) each yield their truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fiscaldoc.pipeline.process import process

from helpers.truth import differences

GENERATED = Path(__file__).resolve().parent.parent / "fixtures" / "generated"
KNOWN: dict[str, str] = {}  # fixture name → why it is expected to fail


def _cases() -> list[object]:
    out: list[object] = []
    for pdf in sorted(GENERATED.glob("*.pdf")):
        marks = [pytest.mark.xfail(reason=KNOWN[pdf.name], strict=True)] if pdf.name in KNOWN else []
        out.append(pytest.param(pdf, marks=marks, id=pdf.name))
    return out


@pytest.mark.parametrize("pdf", _cases())
def test_generated_fixture_matches_truth(pdf: Path) -> None:
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    result = process(pdf)
    assert result.document.status == "loaded", result.document.error
    assert differences(result.records, truth) == []


def test_multipage_plans_are_stitched_with_their_pages() -> None:
    result = process(GENERATED / "multipage-ruled-norepeat.pdf")
    (plan,) = result.records.allocation_plans
    items = result.records.allocation_items
    assert len(items) == 60 and plan.page_start == 1 and plan.page_end and plan.page_end > 1
    assert {i.page for i in items} == set(range(plan.page_start, plan.page_end + 1))
    assert all(i.bbox for i in items)
    statuses = {c.rule: c.status for c in result.check_results if c.rule != "overview_amounts_match"}
    assert set(statuses.values()) == {"pass"}
