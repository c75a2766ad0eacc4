"""Performance forms of every template, in every format, read back to their truth.

``fixtures/forms/generated``: one model per template (绩效目标申报表, 财政项目支出绩效目标填报表,
项目支出绩效目标表) rendered by the adversarial generator as ruled PDFs (long lines and thin
rectangles), DOCX, XLSX and a text dump, plus two borderless PDFs: merged level cells,
letter-spaced and wrapped labels, fields split over rows and forms over page breaks.
``fixtures/forms/shanghai-district-forms.pdf``: five Shanghai-style forms drawn as WPS prints
them, alone and after a real 33-page district budget (hand-checked truth).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from adversarial.score.evaluate import score_document

from fiscaldoc.model.records import DocumentResult
from fiscaldoc.pipeline.process import process

from helpers.truth import project

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
GENERATED = sorted(
    p for p in (FORMS / "generated").iterdir() if p.suffix in (".pdf", ".docx", ".xlsx", ".txt")
)


def _truth(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))
    return data


def _tables(result: DocumentResult) -> dict[str, Any]:
    return {name: [r.model_dump(mode="json") for r in rows] for name, rows in result.tables().items()}


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_generated_form_reads_back(path: Path) -> None:
    truth = _truth(path)
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    score = score_document(truth, _tables(result))
    assert score.forms_got == score.forms_want
    for template, match in score.indicators.items():
        assert (match.hit, match.got) == (match.want, match.want), f"{template} indicators"
    assert score.long_text.right == score.long_text.asked, "long text fields"
    assert score.scalars.right == score.scalars.asked, "form fields"
    assert score.caught == score.planted and score.false_alarms == 0


FIELDS = [
    "form_title",
    "project_name",
    "project_nature",
    "project_category",
    "department",
    "implementing_unit",
    "start_year",
    "end_year",
    "total_amount_yuan",
    "annual_amount_yuan",
    "fiscal_funds_yuan",
    "other_funds_yuan",
    "current_grant_yuan",
    "carryover_yuan",
    "annual_other_funds_yuan",
    "overall_goal",
    "annual_goal",
    "page_start",
    "page_end",
]


def _check_district(path: Path) -> None:
    truth = _truth(path)
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    forms = result.records.performance_forms
    assert len(forms) == len(truth["performance_forms"]) == 5
    for form, want in zip(forms, truth["performance_forms"], strict=True):
        assert project(form, FIELDS) == project(want, FIELDS), form.project_name
        dates = form.model_dump(mode="json")
        assert (dates["start_date"], dates["end_date"]) == (want["start_date"], want["end_date"])
        got = [i for i in result.records.performance_indicators if i.form_id == form.form_id]
        keys = list(want["indicators"][0])
        assert [project(i, keys) for i in got] == [project(i, keys) for i in want["indicators"]], (
            form.project_name
        )
    assert sum(len(f["indicators"]) for f in truth["performance_forms"]) == 65
    funds = [c for c in result.check_results if c.rule == "form_funds_add_up"]
    assert [c.status for c in funds] == truth["checks"]["form_funds_add_up"]
    failed = next(c for c in funds if c.status == "fail")
    assert failed.subject == forms[3].form_id
    assert (failed.expected, failed.actual) == (forms[3].annual_amount_yuan, forms[3].current_grant_yuan)
    assert "200,000.00" in failed.message or "20万元" in failed.message


def test_shanghai_district_forms() -> None:
    _check_district(FORMS / "shanghai-district-forms.pdf")


@pytest.mark.slow
def test_shanghai_forms_after_a_district_budget() -> None:
    """The forms after 33 pages of a real district budget disclosure are found and read."""
    _check_district(FORMS / "putuo-wanli-2024-with-forms.pdf")
