"""The scorer: a perfect extraction scores 1.00, a missing one 0, planted errors are counted."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from adversarial.draw_document import draw_document
from adversarial.score.__main__ import main as score_main
from adversarial.score.__main__ import score_set
from adversarial.score.report import group_by
from adversarial.truth import document_truth

FORM_COLUMNS = (
    "form_title",
    "project_name",
    "project_type",
    "project_level",
    "department",
    "implementing_unit",
    "project_nature",
    "project_category",
    "start_year",
    "end_year",
    "start_date",
    "end_date",
    "total_amount_yuan",
    "annual_amount_yuan",
    "fiscal_funds_yuan",
    "other_funds_yuan",
    "current_grant_yuan",
    "carryover_yuan",
    "basis",
    "overview",
    "overall_goal",
    "annual_goal",
)


def as_result(truth: dict[str, Any], doc_id: str = "abc") -> dict[str, Any]:
    """What a perfect ``fiscaldoc extract`` would print for this truth."""
    out: dict[str, Any] = {
        "documents": [{"document_id": doc_id, "status": "loaded"}],
        "allocation_plans": [],
        "allocation_items": [],
        "allocation_subtotals": [],
        "performance_forms": [],
        "performance_indicators": [],
        "check_results": [],
    }
    for n, plan in enumerate(truth["allocation_plans"], start=1):
        plan_id = f"{doc_id}:{n}"
        out["allocation_plans"].append(
            {"plan_id": plan_id, **{k: v for k, v in plan.items() if k not in ("items", "subtotals")}}
        )
        out["allocation_items"] += [{"plan_id": plan_id, **i} for i in plan["items"]]
        out["allocation_subtotals"] += [{"plan_id": plan_id, **s} for s in plan["subtotals"]]
    for n, form in enumerate(truth["performance_forms"], start=1):
        form_id = f"{doc_id}:{n}"
        out["performance_forms"].append({"form_id": form_id, **{k: form[k] for k in FORM_COLUMNS}})
        out["performance_indicators"] += [{"form_id": form_id, **i} for i in form["indicators"]]
    for p in truth["planted"]:
        ordinal = p["subject"].split()[1]
        out["check_results"].append({"rule": p["rule"], "subject": f"{doc_id}:{ordinal}", "status": "fail"})
    return out


def _set(tmp_path: Path, count: int) -> tuple[Path, Path]:
    set_dir, results = tmp_path / "set", tmp_path / "results"
    set_dir.mkdir()
    results.mkdir()
    for i in range(count):
        document = draw_document(
            random.Random(f"21:{i}"),
            f"d{i}",
            ["guangdong", "shanghai", "mof"][i % 3],
            {"plan", "form"},
            plant=i % 2 == 0,
        )
        truth = document_truth(document, f"d{i}.txt", "text", {})
        (set_dir / f"d{i}.truth.json").write_text(json.dumps(truth, ensure_ascii=False), "utf-8")
        (results / f"d{i}.txt.json").write_text(json.dumps(as_result(truth), ensure_ascii=False), "utf-8")
    return set_dir, results


def test_perfect_results_score_one(tmp_path: Path) -> None:
    set_dir, results = _set(tmp_path, 12)
    total = group_by(score_set(set_dir, results), "format")["ALL"]
    assert total.items.f1 == 1.0 and total.indicators.f1 == 1.0 and total.subtotals.f1 == 1.0
    assert (
        total.long_text.accuracy == 1.0
        and total.scalars.accuracy == 1.0
        and total.plan_fields.accuracy == 1.0
    )
    assert total.caught == total.planted > 0
    assert total.false_alarm_rows == 0 and total.loaded_empty == 0


def test_missing_results_score_zero(tmp_path: Path) -> None:
    set_dir, results = _set(tmp_path, 6)
    for path in results.iterdir():
        path.unlink()
    total = group_by(score_set(set_dir, results), "format")["ALL"]
    assert total.no_result == 6 and total.items.recall == 0.0 and total.caught == 0


def test_unplanted_failure_is_a_false_alarm(tmp_path: Path) -> None:
    set_dir, results = _set(tmp_path, 3)
    path = results / "d1.txt.json"  # d1 is clean (odd index)
    data = json.loads(path.read_text("utf-8"))
    data["check_results"].append({"rule": "total_matches_items", "subject": "abc:1", "status": "fail"})
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    total = group_by(score_set(set_dir, results), "format")["ALL"]
    assert total.false_alarm_rows == 1 and total.false_alarm_docs == 1


def test_cli_prints_a_table(tmp_path: Path, capsys: Any) -> None:
    set_dir, results = _set(tmp_path, 3)
    assert score_main([str(set_dir), str(results), "--json", str(tmp_path / "s.json")]) == 0
    assert "items P/R/F1" in capsys.readouterr().out
    assert json.loads((tmp_path / "s.json").read_text("utf-8"))["by_format"]["ALL"]["items"]["f1"] == 1.0
