"""Bad input: a one-line reason and a failed document, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscaldoc.pipeline.process import process


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "empty file"),
        ("junk.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, ""),
        ("png.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not pdf"),
        ("notes.txt", "会议纪要：无表格。\n".encode(), "not a budget attachment"),
        ("gbk.txt", "这是一段没有表格的文字".encode("gb18030"), "not a budget attachment"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 64, "not docx"),
        ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not an .xls workbook"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not supported"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 64, "not xlsx"),
        ("picture.png", b"\x89PNG\r\n\x1a\n", "unsupported file type"),
    ],
)
def test_bad_file_fails_cleanly(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = process(path)
    assert result.document.status == "failed"
    assert result.document.error and "\n" not in result.document.error
    assert reason in result.document.error
    assert result.document.document_id and result.records.allocation_items == []
