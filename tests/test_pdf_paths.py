"""The pdfium fast path and pdfplumber's reference reading agree; the choice by arithmetic
falls back to the reference reading when the fast one does not add up."""

from __future__ import annotations

from typing import Any

import pytest

from fiscaldoc.extractors import pdf as pdf_extractor
from fiscaldoc.extractors.pdf import PageOutcome
from fiscaldoc.extractors.pdf_borderless import Carry
from fiscaldoc.extractors.pdfium_pages import PageView
from fiscaldoc.model.document import Row
from fiscaldoc.model.records import Records
from fiscaldoc.normalizers import normalize
from fiscaldoc.pipeline.process import process

from helpers.truth import SEED, differences

RULED = SEED / "seed-ruled.pdf"
BORDERLESS = SEED / "seed-borderless.pdf"


def test_fast_and_careful_readings_give_the_same_records() -> None:
    fast = normalize(pdf_extractor.extract(RULED), "x")
    careful = normalize(pdf_extractor.extract_careful(RULED), "x")
    assert fast == careful
    assert not differences(fast)


def test_a_reading_that_does_not_add_up_is_read_again_carefully(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pdf_extractor.read_fast_page

    def lossy(view: PageView, page_no: int, carry: Carry, words_only: bool) -> PageOutcome | None:
        outcome = real(view, page_no, carry, words_only)
        assert outcome is not None
        blocks, carry, ruled = outcome
        kept = [b for b in blocks if not (isinstance(b, Row) and b.cells[0].text == "3")]
        return kept, carry, ruled

    monkeypatch.setattr(pdf_extractor, "read_fast_page", lossy)  # only the fast path calls it
    fast_only, _, _ = pdf_extractor.read(RULED)
    assert differences(normalize(fast_only, "x")), "the lossy fast reading loses item 3"
    result = process(RULED)
    assert not differences(result.records)
    assert all(c.status == "pass" for c in result.check_results if c.rule == "total_matches_items")


def test_a_page_reader_needing_more_of_pdfplumbers_api_gets_pdfplumber_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = pdf_extractor.read_page
    seen: list[str] = []

    def wants_images(page: Any, page_no: int, carry: Carry, words_only: bool = False) -> PageOutcome:
        seen.append(type(page).__name__)
        assert page.images is not None  # pdfplumber's Page has it, the pdfium view does not
        return real(page, page_no, carry, words_only)

    monkeypatch.setattr(pdf_extractor, "read_page", wants_images)
    assert not differences(normalize(pdf_extractor.read(RULED)[0], "x"))
    assert seen[:2] == ["PageView", "Page"]


def test_borderless_pages_take_the_fast_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whitespace grids read from pdfium's view equal pdfplumber's reading, and no page of the
    file needs pdfplumber at all. Only the boxes may differ: these fonts' descriptors give no
    descent, where pdfminer takes 0 and pdfium the font's own, so rows sit about a point lower."""
    opened: list[object] = []
    real_open = pdf_extractor._open
    monkeypatch.setattr(pdf_extractor, "_open", lambda stream: opened.append(stream) or real_open(stream))
    fast = pdf_extractor.read(BORDERLESS)[0]
    assert opened == [], "every page came through pdfium"
    careful = pdf_extractor.extract_careful(BORDERLESS)
    assert opened, "the careful reading opens pdfplumber"
    assert _without_boxes(normalize(fast, "x")) == _without_boxes(normalize(careful, "x"))
    assert not differences(normalize(fast, "x"))


def _without_boxes(records: Records) -> dict[str, list[dict[str, Any]]]:
    tables = records.model_dump(mode="json")
    return {
        name: [{k: v for k, v in r.items() if k != "bbox"} for r in rows] for name, rows in tables.items()
    }
