"""Scanned pages: blank pages are no scans, scans go through OCR into the same records."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fiscaldoc.extractors import pdf
from fiscaldoc.model.settings import ReadingLimits
from fiscaldoc.pipeline.process import process

from helpers.truth import differences

ROOT = Path(__file__).resolve().parent.parent
SEED_RULED = ROOT / "fixtures" / "seed" / "seed-ruled.pdf"
SCANNED = ROOT / "fixtures" / "scanned"


def _with_pages_appended(source: Path, extra: Path, target: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for path in (source, extra):
        for page in PdfReader(path).pages:
            writer.add_page(page)
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def _blank_and_ruled_pages(target: Path) -> Path:
    """A blank page, then a page holding only a drawn grid (no text, no image)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(target), pagesize=A4)
    c.showPage()
    for n in range(6):
        c.line(60, 700 - 30 * n, 540, 700 - 30 * n)
    for x in (60, 200, 400, 540):
        c.line(x, 700, x, 550)
    c.rect(60, 100, 480, 40)
    c.showPage()
    c.save()
    return target


def _tables(result: Any) -> dict[str, Any]:
    return {
        name: [r.model_dump(mode="json") for r in rows]
        for name, rows in result.tables().items()
        if name != "documents"
    }


def test_blank_pages_and_ruling_only_pages_are_not_scans(tmp_path: Path) -> None:
    extra = _blank_and_ruled_pages(tmp_path / "extra.pdf")
    both = _with_pages_appended(SEED_RULED, extra, tmp_path / "with-blank.pdf")
    plain, padded = process(SEED_RULED, document_id="x"), process(both, document_id="x")
    assert padded.document.status == "loaded", padded.document.error
    assert padded.document.text_source == "native"
    assert padded.document.page_count == plain.document.page_count + 2
    assert _tables(padded) == _tables(plain)


def test_a_text_pdf_never_loads_the_ocr_engine() -> None:
    code = (
        "import sys; from pathlib import Path; from fiscaldoc.pipeline.process import process; "
        f"r = process(Path({str(SEED_RULED)!r})); assert r.document.status == 'loaded'; "
        "print(sorted(m for m in ('cv2', 'rapidocr_onnxruntime', 'onnxruntime') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: any connection attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from fiscaldoc.extractors import ocr_engine

    ocr_engine.engine.cache_clear()  # the models are loaded here, with the network gone


def test_a_scanned_page_between_native_ones_reads_into_the_same_records(offline: None) -> None:
    """Page 1 (the allocation plan) scanned at 150 dpi, skewed 1.2°, with grain and specks;
    pages 2-4 born-digital. Every record of the seed's truth comes back."""
    scan = SCANNED / "seed-plan-scanned.pdf"
    result = process(scan)
    assert result.document.status == "loaded", result.document.error
    assert result.document.text_source == "mixed"
    truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert differences(result.records, truth) == []
    (plan,) = result.records.allocation_plans
    assert plan.engine == "ocr" and plan.page_start == 1
    assert all(i.bbox and i.page == 1 for i in result.records.allocation_items)
    assert {c.status for c in result.check_results if c.rule.endswith("matches_items")} == {"pass"}


def test_cells_read_by_ocr_carry_confidence_and_engine() -> None:
    raw = pdf.extract(SCANNED / "seed-plan-scanned.pdf")
    rows = [r for r in raw.rows() if r.page == 1]
    assert rows and {r.engine for r in rows} == {"ocr"}
    filled = [c for r in rows for c in r.cells if not c.is_blank]
    assert all(c.confidence is not None and 0.5 <= c.confidence <= 1 for c in filled)
    assert all(c.confidence is None for r in raw.rows() if r.page != 1 for c in r.cells)
    # boxes are on the page, in points
    assert all(c.bbox and 0 <= c.bbox[0] < c.bbox[2] <= 596 for c in filled)


def test_past_the_ocr_budget_the_document_is_partial_with_what_was_read() -> None:
    result = process(SCANNED / "seed-plan-scanned.pdf", limits=ReadingLimits(ocr_budget_s=1e-9))
    assert result.document.status == "partial"
    assert result.document.error and "page 1: not read: OCR time budget" in result.document.error
    assert "FISCALDOC_OCR_BUDGET_S" in result.document.error
    assert result.records.performance_forms and not result.records.allocation_plans
    assert result.document.text_source == "native"


@pytest.mark.slow
def test_a_misread_figure_is_re_read_until_the_arithmetic_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR reads 2500 as 2600 with low confidence: the total fails, the re-read of that piece
    (alone, enlarged) restores 2500, the reading that adds up is kept and the change is reported."""
    from dataclasses import replace

    from fiscaldoc.extractors import ocr_page

    read_image = ocr_page.read_image

    def misread(grey: Any, dpi: int) -> Any:
        page = read_image(grey, dpi)
        assert page is not None
        (n,) = [k for k, p in enumerate(page.pieces) if p.text == "2500"]
        marks = tuple(("6" if k == 1 else ch, at, 0.6) for k, (ch, at, _) in enumerate(page.pieces[n].marks))
        page.pieces[n] = replace(page.pieces[n], text="2600", confidence=0.6, marks=marks)
        return page

    monkeypatch.setattr(ocr_page, "read_image", misread)
    result = process(SCANNED / "seed-plan-scanned.pdf")
    assert [i.amount_text for i in result.records.allocation_items][4] == "2500"
    assert {c.status for c in result.check_results if c.rule.endswith("matches_items")} == {"pass"}
    (report,) = [r for r in result.records.parse_reports if r.kind == "ocr-reread"]
    assert report.detail and "'2600' (0.60) re-read as '2500'" in report.detail


@pytest.mark.slow
def test_a_borderless_scanned_page_reads_into_the_same_records() -> None:
    """The seed's borderless plan page scanned at 200 dpi, skewed -1.6°: the whitespace reader
    finds its columns in OCR's characters, placed where the recogniser read them."""
    scan = SCANNED / "seed-borderless-scanned.pdf"
    result = process(scan)
    assert result.document.status == "loaded", result.document.error
    truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert differences(result.records, truth) == []
    assert result.records.allocation_plans[0].engine == "ocr-words"


@pytest.mark.slow
def test_a_real_budget_with_a_blank_page_is_read_as_without_it(tmp_path: Path) -> None:
    """The issue's case: a real department budget with one blank page was `failed` as a whole."""
    from pypdf import PdfReader, PdfWriter

    real = ROOT / "fixtures" / "realdocs" / "putuo_qu_bangongshi_2025_unit_budget.pdf"
    reader = PdfReader(real)
    writer = PdfWriter()
    for n, page in enumerate(reader.pages):
        writer.add_page(page)
        if n == 2:
            writer.add_blank_page()
    padded = tmp_path / "with-blank.pdf"
    with padded.open("wb") as fh:
        writer.write(fh)
    plain, blank = process(real), process(padded)
    assert blank.document.status == plain.document.status, blank.document.error
    assert blank.document.text_source == "native"
    assert len(blank.records.budget_tables) == len(plain.records.budget_tables)
    assert [line.amount_yuan for line in blank.records.budget_lines] == [
        line.amount_yuan for line in plain.records.budget_lines
    ]


def test_a_page_is_begun_only_if_it_can_end_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from fiscaldoc.extractors import ocr_engine, ocr_page
    from fiscaldoc.extractors.ocr_scans import BudgetSpent, Scans

    def slow(page: Any) -> None:
        time.sleep(0.3)

    monkeypatch.setattr(ocr_page, "read_pdf_page", slow)
    monkeypatch.setattr(ocr_engine, "engine", lambda: None)
    scans = Scans(SEED_RULED, budget_s=0.5)
    assert scans.page(0) is None and scans.page(0) is None  # read once, then remembered
    with pytest.raises(BudgetSpent):
        scans.page(1)  # 0.3 s spent + 0.3 s for a page like the others > 0.5 s
    scans.close()


def test_straight_quotes_in_chinese_text_become_the_printed_curly_ones() -> None:
    from fiscaldoc.extractors.ocr_page import curl

    assert curl('“粤式新潮"文旅') == "“粤式新潮”文旅"
    assert curl('国土空间规划"一张图"实施') == "国土空间规划“一张图”实施"
    assert curl('size "A"') == 'size "A"'  # no Chinese: left alone


def test_a_number_is_never_split_by_the_recognisers_jitter() -> None:
    from fiscaldoc.extractors.ocr_page import piece_chars
    from fiscaldoc.extractors.textlines import words

    # centres as a recogniser places them: the comma a little late, then a column gap
    centres = (3, 9, 20, 23, 29, 35, 41, 47, 53, 70, 76)  # points; 6 pt a digit, the comma late
    marks = tuple((ch, at / 80, 0.99) for ch, at in zip("82,096.4235", centres, strict=True))
    chars = piece_chars("82,096.42 35", 0.99, (0.0, 0.0, 80.0, 14.0), marks)
    assert [w["text"] for w in words(chars)] == ["82,096.42", "35"]


@pytest.mark.slow
def test_a_scan_is_read_in_an_isolated_worker_under_the_default_limits() -> None:
    """What an ingest does: the worker's time and resident-memory ceilings leave room for OCR."""
    from fiscaldoc.flows.isolation import process_isolated
    from fiscaldoc.model.settings import Settings
    from fiscaldoc.pipeline.process import file_sha256

    # two scanned pages of a dense ruled plan (adversarial seed 1, pdf-rects, 150 dpi): its
    # worker peaks near 750 MB resident, over the 512 MB once the default
    scan = SCANNED / "adv-rects-scan150.pdf"
    result = process_isolated(scan, file_sha256(scan), Settings.resolve({"FISCALDOC_TIMEOUT_S": "0"}))
    assert result.document.status == "loaded", result.document.error
    assert result.document.text_source == "ocr"
    assert len(result.tables()["allocation_items"]) == 34
