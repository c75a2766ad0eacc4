"""pdfium's view of a page equals pdfminer's, on pages drawn the ways real exporters draw them.

Each test is named after the bug it caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from fiscaldoc.extractors import pdf as pdf_extractor
from fiscaldoc.extractors.pdf import read_page
from fiscaldoc.extractors.pdf_borderless import Carry
from fiscaldoc.extractors.pdfium_pages import FastPages
from fiscaldoc.model.document import Row

REALDOCS = Path(__file__).resolve().parent.parent / "fixtures" / "realdocs"


def _scaled_text_pdf(path: Path) -> None:
    """Text set at a nominal 360 pt and scaled down to 18 and 9 pt: once by the text matrix,
    once by the graphics state (both as some office exporters write it)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(842, 595))
    text = c.beginText()
    text.setTextTransform(0.05, 0, 0, 0.05, 300, 500)
    text.setFont("Helvetica", 360)
    text.textOut("Budget 2025")
    c.drawText(text)
    c.saveState()
    c.transform(0.025, 0, 0, 0.025, 100, 300)
    c.setFont("Helvetica", 360)
    c.drawString(0, 0, "Total 1,234.56")
    c.restoreState()
    c.setFont("Helvetica", 10)
    c.drawString(100, 200, "plain 10 pt")
    c.save()


def _view_and_reference(path: Path, index: int) -> tuple[object, object]:
    fast = FastPages(path)
    view = fast.view(index)
    fast.close()
    assert view is not None, "the fast path takes this page"
    return view, pdfplumber.open(path).pages[index]


def _glyphs(chars: list[dict[str, Any]]) -> list[tuple[str, float, float, float]]:
    return [(c["text"], c["top"], c["bottom"], c["size"]) for c in chars if c["text"] != " "]


def test_text_scaled_by_a_matrix_sits_where_pdfminer_puts_it(tmp_path: Path) -> None:
    path = tmp_path / "scaled.pdf"
    _scaled_text_pdf(path)
    view, page = _view_and_reference(path, 0)
    got = _glyphs(view.chars)  # type: ignore[attr-defined]
    want = _glyphs(page.chars)  # type: ignore[attr-defined]
    assert len(got) == len(want)
    for (gt, gtop, gbottom, gsize), (wt, wtop, wbottom, wsize) in zip(got, want, strict=True):
        assert gt == wt
        assert gsize == pytest.approx(wsize, abs=0.01)
        # pdfium's descent for a base-14 font differs from the AFM's by a fraction of a point
        assert gtop == pytest.approx(wtop, abs=0.5)
        assert gbottom == pytest.approx(wbottom, abs=0.5)


def test_a_real_budget_table_with_scaled_text_reads_the_same_fast_and_careful() -> None:
    """区政府办公室's 财务收支预算总表 (page 8) sets its text at 360 pt scaled by 0.05: read as
    360-pt text, every line fell a row too low and the header rows were lost."""
    path = REALDOCS / "putuo_qu_bangongshi_2025_dept_budget.pdf"
    view, page = _view_and_reference(path, 7)

    def rows(p: object) -> list[list[str]]:
        blocks, _, ruled = read_page(p, 8, Carry())
        assert ruled
        return [[c.text for c in b.cells] for b in blocks if isinstance(b, Row)]

    fast, careful = rows(view), rows(page)
    assert fast == careful
    assert ["一、财政拨款收入", "91,016,775.35", "一、一般公共服务支出", "82,096,797.42"] in fast


_ROWS = [
    ["序号", "用款单位", "项目名称", "金额（万元）"],
    ["1", "省博物馆", "文物保护", "100.00"],
    ["2", "省图书馆", "免费开放", "200.00"],
]


def _plan_pdf(path: Path, ruled: bool, stray: bool = False, rotate: int = 0) -> None:
    """A small plan drawn upright on an A4 page; ``stray``: text drawn left and right of the
    page, level with the rows; ``rotate``: the page's /Rotate, as a viewer sets it."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    xs, top, height = [60, 110, 230, 400, 500], 700, 24
    c.setFont("STSong-Light", 10)
    for r, row in enumerate(_ROWS):
        for x, text in zip(xs, row, strict=False):
            c.drawString(x + 4, top - r * height - 16, text)
        if stray:
            c.drawString(-300, top - r * height - 16, "页外文字 999.00")
            c.drawString(700, top - r * height - 16, "页外")
    if ruled:
        for r in range(len(_ROWS) + 1):
            c.line(xs[0], top - r * height, xs[-1], top - r * height)
        for x in xs:
            c.line(x, top, x, top - len(_ROWS) * height)
    c.save()
    if rotate:
        reader, writer = PdfReader(path), PdfWriter()
        writer.add_page(reader.pages[0].rotate(rotate))
        writer.write(path)


def _table_rows(path: Path, fast: bool = True) -> list[list[str]]:
    doc = pdf_extractor.read(path, fast=fast)[0]
    return [[c.text for c in b.cells] for b in doc.blocks if isinstance(b, Row)]


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "borderless"])
def test_text_drawn_off_the_page_joins_no_row(tmp_path: Path, ruled: bool) -> None:
    """Text an exporter leaves outside the page box (a hidden print title, a stray label) was
    read as if printed, beside the rows it is level with."""
    path = tmp_path / "stray.pdf"
    _plan_pdf(path, ruled, stray=True)
    for fast in (True, False):
        doc = pdf_extractor.read(path, fast=fast)[0]
        texts = [t for b in doc.blocks for t in (b.texts() if isinstance(b, Row) else [b.text])]
        assert not any("页外" in t for t in texts), ("fast" if fast else "careful", texts)
    assert _table_rows(path) == _ROWS


def test_a_page_rotated_in_a_viewer_is_read_in_its_texts_direction(tmp_path: Path) -> None:
    """A page turned by /Rotate after its text was drawn upright: pdfminer turns the text with
    the page and read the table transposed; pdfium's view reads it as drawn."""
    path = tmp_path / "rotated.pdf"
    _plan_pdf(path, ruled=True, rotate=90)
    assert _table_rows(path) == _ROWS
