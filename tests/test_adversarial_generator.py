"""The generator: deterministic, truthful (its own oracle agrees), every format renders."""

from __future__ import annotations

import json
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from adversarial.compose import compose
from adversarial.draw_document import draw_document
from adversarial.formats import FORMATS, TEMPLATES
from adversarial.generate import generate
from adversarial.oracle import findings
from adversarial.truth import document_truth

COMPARATORS = {"=", ">=", "<=", ">", "<", None}


def _truth(seed: int, i: int, template: str = "guangdong") -> dict[str, Any]:
    document = draw_document(random.Random(f"{seed}:{i}"), f"d{i}", template, {"plan", "form"})  # type: ignore[arg-type]
    compose(document, random.Random(f"{seed}:{i}:layout"))
    return document_truth(document, f"d{i}.pdf", "pdf-lines", {})


@pytest.mark.parametrize("template", TEMPLATES)
def test_same_seed_same_document(template: str) -> None:
    assert json.dumps(_truth(7, 3, template)) == json.dumps(_truth(7, 3, template))


@pytest.mark.parametrize("template", TEMPLATES)
def test_oracle_fails_exactly_what_was_planted(template: str) -> None:
    planted_docs = 0
    for i in range(150):
        truth = _truth(11, i, template)
        expected = {(p["rule"], p["subject"]) for p in truth["planted"]}
        assert findings(truth) == expected, (i, truth["planted"])
        planted_docs += bool(expected)
    assert 30 <= planted_docs <= 80  # about a third of the documents carry one planted error


def test_indicator_conventions() -> None:
    for i in range(120):
        truth = _truth(5, i, TEMPLATES[i % 3])
        for form in truth["performance_forms"]:
            for ind in form["indicators"]:
                assert ind["comparator"] in COMPARATORS
                if ind["level3"] is None:  # an empty level-2 heading
                    assert ind["target_text"] is None and ind["unit"] is None
                elif ind["target_value"] is None:  # a text target
                    assert ind["comparator"] is None and ind["target_text"]
                else:
                    assert ind["comparator"] is not None
                    Decimal(ind["target_value"])


def test_money_prints_exactly() -> None:
    for i in range(120):
        truth = _truth(9, i, TEMPLATES[i % 3])
        for plan in truth["allocation_plans"]:
            for item in plan["items"]:
                assert Decimal(item["amount_yuan"]) > 0
                assert item["amount_text"].strip()


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if not f.via_office])
def test_direct_formats_render(name: str, tmp_path: Path) -> None:
    files = generate(tmp_path, seed=3, count=3, formats=[name])
    assert len(files) == 3
    for file in files:
        assert file.stat().st_size > 0
        truth = json.loads(file.with_name(file.stem + ".truth.json").read_text("utf-8"))
        assert truth["file"] == file.name and truth["format"] == name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_office_formats_render(tmp_path: Path) -> None:
    files = generate(tmp_path, seed=4, count=2, formats=["pdf-word", "pdf-sheet"])
    assert [f.suffix for f in files] == [".pdf", ".pdf"]
    for file in files:
        assert file.read_bytes().startswith(b"%PDF")
        truth = json.loads(file.with_name(file.stem + ".truth.json").read_text("utf-8"))
        assert truth["page_count"] >= 1


def test_every_format_renders_one_model(tmp_path: Path) -> None:
    formats = ["text", "docx", "pdf-rects"]
    files = generate(tmp_path, seed=2, count=1, formats=formats, every_format=True)
    truths = [json.loads(f.with_name(f.stem + ".truth.json").read_text("utf-8")) for f in files]
    bodies = [{k: v for k, v in t.items() if k in ("allocation_plans", "performance_forms", "planted")}
              for t in truths]  # fmt: skip
    assert bodies[0] == bodies[1] == bodies[2]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_direct_pdfs_print_every_amount(tmp_path: Path) -> None:
    """Nothing the truth holds is lost in drawing (a font without digits once dropped them all)."""
    import re
    import subprocess

    formats = ["pdf-lines", "pdf-segments", "pdf-rects", "pdf-borderless"]
    for file in generate(tmp_path, seed=8, count=12, formats=formats):
        truth = json.loads(file.with_name(file.stem + ".truth.json").read_text("utf-8"))
        text = subprocess.run(["pdftotext", "-raw", str(file), "-"], capture_output=True, text=True).stdout
        flat = re.sub(r"\s+", "", text)
        for plan in truth["allocation_plans"]:
            for item in plan["items"]:
                assert re.sub(r"\s+", "", item["amount_text"]) in flat, (file.name, item)
