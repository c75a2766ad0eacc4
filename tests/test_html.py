"""HTML exports: rowspan/colspan on a grid, paragraphs in cells, the seed's truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscaldoc.extractors import detect
from fiscaldoc.extractors.html import extract
from fiscaldoc.model.document import Line, Row
from fiscaldoc.pipeline.process import process

from helpers.renderings import seed_html
from helpers.truth import differences


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "utf-8"), ("gb2312", "gb18030")])
def test_seed_html(tmp_path: Path, charset: str, encoding: str) -> None:
    path = tmp_path / "seed.html"
    path.write_bytes(seed_html(charset).encode(encoding))
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    assert result.document.media_type == "html"
    assert differences(result.records) == []


def test_html_named_xls_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"  # old systems save HTML tables under an Excel name
    path.write_text(seed_html(), encoding="utf-8")
    assert detect(path).media_type == "html"


def test_spans_on_a_grid(tmp_path: Path) -> None:
    path = tmp_path / "spans.html"
    path.write_text(
        "<html><body><h2>标题</h2><table>"
        "<tr><th rowspan='2'>甲</th><th colspan='2'>乙</th></tr>"
        "<tr><td>丙</td><td rowspan='2'>丁<br>第二段</td></tr>"
        "<tr><td>戊</td><td><table><tr><td>内表</td></tr></table></td></tr>"
        "</table><p>表后 <b>文字</b></p><script>x()</script></body></html>",
        encoding="utf-8",
    )
    doc = extract(path)
    assert isinstance(doc.blocks[0], Line) and doc.blocks[0].text == "标题"
    grid = [[(c.text, c.covered) for c in b.cells] for b in doc.blocks if isinstance(b, Row)]
    assert grid == [
        [("甲", False), ("乙", False), ("", True)],
        [("", True), ("丙", False), ("丁\n第二段", False)],
        [("戊", False), ("内表", False), ("", True)],
    ]
    assert isinstance(doc.blocks[-1], Line) and doc.blocks[-1].text == "表后 文字"


def test_layout_table_around_the_content(tmp_path: Path) -> None:
    path = tmp_path / "layout.html"
    path.write_bytes(
        (
            "<html><body><table><tr><td>"
            + seed_html().split("<body>", 1)[1].split("</body>", 1)[0]
            + "</td></tr></table></body></html>"
        ).encode("utf-8")
    )
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    assert differences(result.records) == []


def test_xhtml_with_xml_declaration(tmp_path: Path) -> None:
    path = tmp_path / "x.htm"
    page = seed_html().replace("<!DOCTYPE html>", '<?xml version="1.0" encoding="GBK"?>', 1)
    path.write_bytes(page.replace("charset='utf-8'", "charset='gbk'").encode("gbk"))
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    assert differences(result.records) == []
