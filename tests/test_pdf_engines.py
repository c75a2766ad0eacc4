"""Garbled text layers are flagged for OCR, never loaded; parses are chosen by their arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from fiscaldoc.extractors import pdf_camelot
from fiscaldoc.extractors.ocr_scans import Scans
from fiscaldoc.extractors.pdf import read
from fiscaldoc.model.document import Alternative, Cell, RawDocument, Row
from fiscaldoc.model.settings import ReadingLimits
from fiscaldoc.pipeline import choice
from fiscaldoc.pipeline.process import process

from helpers.truth import SEED


def _without_to_unicode(source: Path, out: Path, garble: set[int]) -> Path:
    """A copy of ``source`` whose pages in ``garble`` lose their fonts' ToUnicode maps:
    pdfminer then reads ``(cid:N)`` there, as from a badly exported PDF."""
    plain, broken = PdfReader(source), PdfReader(source)
    writer = PdfWriter()
    for n in range(len(plain.pages)):
        writer.add_page((broken if n + 1 in garble else plain).pages[n])
    for n in garble:
        fonts = writer.pages[n - 1]["/Resources"]["/Font"]
        for name in fonts:
            font = fonts[name].get_object()
            if "/ToUnicode" in font:
                del font[NameObject("/ToUnicode")]
    writer.write(out)
    return out


@pytest.fixture
def ocr_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """OCR stubbed out (every scan reads as blank); the pages it was asked for, from 0."""
    calls: list[int] = []

    def blank(self: Scans, index: int) -> None:
        calls.append(index)

    monkeypatch.setattr(Scans, "page", blank)
    return calls


def test_garbled_pages_go_to_ocr_not_the_warehouse(tmp_path: Path, ocr_calls: list[int]) -> None:
    pdf = _without_to_unicode(SEED / "seed-ruled.pdf", tmp_path / "garbled.pdf", {2, 3, 4})
    result = process(pdf)
    assert sorted(set(ocr_calls)) == [1, 2, 3]
    assert len(result.records.allocation_items) == 6  # page 1 is sound
    assert result.records.performance_forms == []
    loaded = [i.project for i in result.records.allocation_items]
    assert not any("(cid:" in text for text in loaded)


def test_a_wholly_garbled_pdf_loads_nothing_of_its_text_layer(tmp_path: Path, ocr_calls: list[int]) -> None:
    pdf = _without_to_unicode(SEED / "seed-ruled.pdf", tmp_path / "garbled.pdf", {1, 2, 3, 4})
    doc, good, _ = read(pdf, ReadingLimits())
    assert good == [] and doc.blocks == [] and sorted(ocr_calls) == [0, 1, 2, 3]
    assert process(pdf).document.status == "failed"


@pytest.mark.slow
def test_garbled_pages_are_read_by_ocr(tmp_path: Path) -> None:
    pdf = _without_to_unicode(SEED / "seed-ruled.pdf", tmp_path / "garbled.pdf", {2, 3, 4})
    result = process(pdf)
    assert result.document.text_source == "mixed"
    assert len(result.records.allocation_items) == 6
    assert len(result.records.performance_forms) == 1


def _plan(amounts: list[str], engine: str) -> RawDocument:
    header = Row(
        tuple(Cell(t) for t in ("序号", "用款单位", "项目内容", "金额（万元）")), page=1, engine=engine
    )
    rows = [
        Row((Cell(str(n)), Cell("省自然资源厅"), Cell(f"项目{n}"), Cell(a)), page=1, engine=engine)
        for n, a in enumerate(amounts, 1)
    ]
    total = Row((Cell(""), Cell("总计"), Cell(""), Cell("600")), page=1, engine=engine)
    return RawDocument(media_type="pdf", engine=engine, blocks=[header, *rows, total])


def test_the_parse_that_adds_up_wins() -> None:
    split = _plan(["100", "2", "300"], "pdfplumber-lines")  # 200 read as 2: a number split
    whole = _plan(["100", "200", "300"], "camelot-lattice")
    assert not choice.read(split, "d").verdict.reconciles and choice.read(whole, "d").verdict.reconciles
    split.alternatives = (Alternative("camelot-lattice", lambda: whole),)
    chosen = choice.choose(split, "d")
    assert chosen.raw.engine == "camelot-lattice" and chosen.verdict.reconciles


def test_no_second_opinion_when_the_first_reconciles(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pdf_camelot, "extract", lambda *a, **k: calls.append("camelot"))
    result = process(SEED / "seed-ruled.pdf")
    assert calls == []
    assert result.records.allocation_plans[0].engine == "pdfplumber-lines"
    assert process(SEED / "seed-borderless.pdf").records.allocation_plans[0].engine == "pdfplumber-words"
