"""DOCX tables: merged cells read from the XML, paragraphs joined, document order kept."""

from __future__ import annotations

from pathlib import Path

import docx

from fiscaldoc.extractors import detect
from fiscaldoc.extractors.docx import extract
from fiscaldoc.model.document import Line, Row


def _merged_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("附件 1")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "横跨两列"
    table.cell(0, 2).text = "右"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "竖跨两行"
    cell = table.cell(1, 1)
    cell.text = "第一段"
    cell.add_paragraph("第二段")
    table.cell(2, 1).text = "下"
    document.add_paragraph("表后文字")
    document.save(str(path))
    return path


def test_merges_and_paragraphs(tmp_path: Path) -> None:
    doc = extract(_merged_docx(tmp_path / "m.docx"))
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Line", "Row", "Row", "Row", "Line"]
    grid = [[(c.text, c.covered) for c in b.cells] for b in doc.blocks if isinstance(b, Row)]
    assert grid[0] == [("横跨两列", False), ("", True), ("右", False)]
    assert grid[1][:2] == [("竖跨两行", False), ("第一段\n第二段", False)]
    assert grid[2][:2] == [("", True), ("下", False)]
    assert isinstance(doc.blocks[-1], Line) and doc.blocks[-1].text == "表后文字"


def test_detected_by_content_not_suffix(tmp_path: Path) -> None:
    renamed = _merged_docx(tmp_path / "m.docx").rename(tmp_path / "attachment.bin")
    assert detect(renamed).media_type == "docx"


def test_tracked_changes_and_grid_before(tmp_path: Path) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("保留")
    paragraph._p.append(
        parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del>'
        )
    )
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "甲", "乙", "丙"
    row = table.rows[1]._tr
    row.remove(row.tc_lst[0])
    row.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    row.tc_lst[0].append(parse_xml(f"<w:p {nsdecls('w')}><w:r><w:t>丁</w:t></w:r></w:p>"))
    path = tmp_path / "t.docx"
    document.save(str(path))
    doc = extract(path)
    assert isinstance(doc.blocks[0], Line) and doc.blocks[0].text == "保留插入"
    rows = [b for b in doc.blocks if isinstance(b, Row)]
    assert [c.text for c in rows[1].cells] == ["", "丁", ""]


def test_title_typed_into_the_table(tmp_path: Path) -> None:
    from fiscaldoc.pipeline.process import process

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    title = table.cell(0, 0).merge(table.cell(0, 2))
    title.text = "附件 2"
    title.add_paragraph("2023 年某专项资金分配方案")
    for c, text in enumerate(["用款单位", "项目", "金额（元）"]):
        table.cell(1, c).text = text
    for c, text in enumerate(["某市", "某项目", "1,000.00"]):
        table.cell(2, c).text = text
    for c, text in enumerate(["合计", "", "1,000.00"]):
        table.cell(3, c).text = text
    path = tmp_path / "t.docx"
    document.save(str(path))
    result = process(path)
    plan = result.records.allocation_plans[0]
    assert (plan.title, plan.attachment_label) == ("2023 年某专项资金分配方案", "附件 2")
    assert plan.declared_total_yuan == 1000 and len(result.records.allocation_items) == 1
