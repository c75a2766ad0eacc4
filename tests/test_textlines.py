"""The fast paths must read exactly what pdfplumber reads, on real pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pytest
from pdfplumber.utils.text import chars_to_textmap

from fiscaldoc.extractors import pdf as pdf_extractor
from fiscaldoc.extractors.pdfium_pages import page_view
from fiscaldoc.extractors.textlines import text_lines, words

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed"
PDFS = sorted(SEED.glob("*.pdf"))


def _reference(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not chars:
        return []
    lines: list[dict[str, Any]] = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False)
    return lines


def _char_sets(path: Path) -> list[list[dict[str, Any]]]:
    """Every page's characters, and every ruled cell's, as pdfplumber sees them."""
    sets = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            sets.append(page.chars)
            for table in page.find_tables(dict(pdf_extractor.SETTINGS.table_settings)):
                sets.extend(pdf_extractor.cell_chars(page.chars, table.cells))
            page.close()
    return sets


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_text_lines_equal_pdfplumbers(path: Path) -> None:
    sets = _char_sets(path)
    assert sum(len(s) for s in sets) > 500
    for chars in sets:
        assert text_lines(chars) == _reference(chars)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_words_equal_pdfplumbers(path: Path) -> None:
    from pdfplumber.utils.text import extract_words

    fields = ("text", "x0", "x1", "top", "bottom")
    for chars in _char_sets(path):
        want = [{k: w[k] for k in fields} for w in extract_words(chars)]
        assert words(chars) == want


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_pdfium_view_finds_pdfplumbers_tables_and_text(path: Path) -> None:
    settings = dict(pdf_extractor.SETTINGS.table_settings)
    fast_pdf = pypdfium2.PdfDocument(path)
    with pdfplumber.open(path) as pdf:
        for page, fast_page in zip(pdf.pages, fast_pdf, strict=True):
            view = page_view(fast_page)
            assert view is not None
            printable = "".join(c["text"] for c in page.chars if not c["text"].isspace())
            assert "".join(c["text"] for c in view.chars if not c["text"].isspace()) == printable
            want = [[[round(v, 2) for v in cell] for cell in t.cells] for t in page.find_tables(settings)]
            got = [[[round(v, 2) for v in cell] for cell in t.cells] for t in view.find_tables(settings)]
            assert got == want
            # Text without blanks: where a font descriptor gives no descent pdfium takes the
            # font's own, so a box may sit a point or two lower than pdfminer's (no record uses
            # it); and pdfium drops a real space that ends a text object (see page_chars).
            fast = [ln["text"].replace(" ", "") for ln in view.extract_text_lines(return_chars=False)]
            slow = [ln["text"].replace(" ", "") for ln in page.extract_text_lines(return_chars=False)]
            assert fast == slow
            fast_page.close()
    fast_pdf.close()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_indexed_cell_search_equals_pdfplumbers(path: Path) -> None:
    from pdfplumber.table import TableFinder, intersections_to_cells

    from fiscaldoc.extractors.grid import intersections_to_cells as indexed

    found = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            finder = TableFinder(page, dict(pdf_extractor.SETTINGS.table_settings))
            found += len(finder.cells)
            assert indexed(finder.intersections) == intersections_to_cells(finder.intersections)
            page.close()
    assert found or "borderless" in path.name
