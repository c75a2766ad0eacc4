"""The pdfium fast path and pdfplumber's reference reading agree; the choice by arithmetic
falls back to the reference reading when the fast one does not add up."""

from __future__ import annotations

import pytest

from extractors import pdf as pdf_extractor
from fiscaldoc.document import Block, Row
from fiscaldoc.pipeline import process
from normalizers import normalize

from .truth import SEED, differences

RULED = SEED / "seed-ruled.pdf"


def test_fast_and_careful_readings_give_the_same_records() -> None:
    fast = normalize(pdf_extractor.extract(RULED), "x")
    careful = normalize(pdf_extractor.extract_careful(RULED), "x")
    assert fast == careful
    assert not differences(fast)


def test_a_reading_that_does_not_add_up_is_read_again_carefully(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pdf_extractor._ruled_blocks

    def lossy(page: object, page_no: int) -> list[Block] | None:
        blocks = real(page, page_no)
        return [b for b in blocks or [] if not (isinstance(b, Row) and b.cells[0].text == "3")] or None

    monkeypatch.setattr(pdf_extractor, "_ruled_blocks", lossy)  # only the fast path calls it
    fast_only, _, _ = pdf_extractor.read(RULED)
    assert differences(normalize(fast_only, "x")), "the lossy fast reading loses item 3"
    result = process(RULED)
    assert not differences(result.records)
    assert all(c.status == "pass" for c in result.check_results if c.rule == "total_matches_items")


def test_a_page_reader_needing_more_of_pdfplumbers_api_gets_pdfplumber_pages() -> None:
    from extractors.pdfium_pages import open_fast

    def wants_words(page: object, page_no: int) -> list[object]:
        return list(page.extract_words())  # type: ignore[attr-defined]

    fast = open_fast(RULED)
    assert fast is not None
    try:
        assert fast.blocks(0, 1, pdf_extractor.page_blocks)
        assert fast.blocks(0, 1, wants_words) is None
    finally:
        fast.close()
