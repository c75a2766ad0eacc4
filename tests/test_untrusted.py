"""Untrusted content (file names, cell text, reasons) never reaches SQL, markup or file paths
unescaped."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from sqlalchemy import create_engine, select

from fiscaldoc.extractors.archive import file_name_of
from fiscaldoc.lexicon.escaping import markdown_cell, printable, storable
from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import Warehouse, engine_url

from helpers.cli import package_sources
from helpers.truth import SEED

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "x'); DROP TABLE documents; -- \"; <script>alert(1)</script> | `rm -rf` [red]$(id)\n"


def test_hostile_strings_load_as_data(tmp_path: Path, warehouse_url: str) -> None:
    path = tmp_path / "附件 x'); DROP TABLE documents; --.txt"
    path.write_bytes((SEED / "000_4ea89972e077d80e.txt").read_bytes())
    result = process(path)
    assert result.document.status == "loaded"
    item = result.records.allocation_items[0].model_copy(update={"project": HOSTILE, "note": HOSTILE})
    records = result.records.model_copy(update={"allocation_items": [item]})
    result = result.model_copy(
        update={"document": result.document.model_copy(update={"error": HOSTILE}), "records": records}
    )
    warehouse = Warehouse(warehouse_url)
    try:
        warehouse.load([result])
    finally:
        warehouse.dispose()
    engine = create_engine(engine_url(warehouse_url))
    try:
        with engine.connect() as conn:
            doc = conn.execute(select(schema.documents.c.file_name, schema.documents.c.error)).one()
            stored = conn.execute(
                select(schema.allocation_items.c.project, schema.allocation_items.c.note)
            ).one()
    finally:
        engine.dispose()
    assert tuple(doc) == (path.name, HOSTILE)
    assert tuple(stored) == (HOSTILE, HOSTILE)


def test_a_name_that_is_not_utf8_loads_with_its_bytes_escaped(tmp_path: Path, warehouse_url: str) -> None:
    """GBK bytes in a file name (surrogate escapes to Python, refused by every UTF-8 column): the
    row keeps them as ``\\xNN`` and its file name is the whole escaped name."""
    name = "附件2.txt".encode("gbk")
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + name))
    path.write_bytes((SEED / "000_4ea89972e077d80e.txt").read_bytes())
    result = process(path)
    escaped = name.decode("utf-8", "backslashreplace")
    assert result.document.source_uri == f"{tmp_path}/{escaped}"
    assert result.document.file_name == escaped and result.document.status == "loaded"
    warehouse = Warehouse(warehouse_url)
    try:
        warehouse.load([result])
        assert warehouse.known()[result.document.document_id].source_uri == result.document.source_uri
    finally:
        warehouse.dispose()


def test_storable_text() -> None:
    assert storable("附件 1.pdf") == "附件 1.pdf"
    assert storable(os.fsdecode(b"\xb8\xbd.pdf")) == "\\xb8\\xbd.pdf"
    assert storable("a\ud800b") == "a\\ud800b"  # a lone surrogate that is no escaped byte
    assert file_name_of("/in/\\xb8\\xbd.pdf") == "\\xb8\\xbd.pdf"  # a backslash in a path is the name's
    assert file_name_of("/in/a.zip!/dir\\b.pdf") == "b.pdf"  # in a zip entry, a separator


def test_no_sql_is_built_from_strings() -> None:
    """SQL is SQLAlchemy Core with bound parameters; the only ``text()`` is the views' own constants."""
    offenders = []
    for source in package_sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
                "text",
                "exec_driver_sql",
                "execute",
            }:
                dynamic = [a for a in node.args if isinstance(a, (ast.JoinedStr, ast.BinOp))]
                if dynamic and source.name != "views.py":
                    offenders.append(f"{source}:{node.lineno}")
    assert offenders == []


def test_printable_keeps_text_and_escapes_controls() -> None:
    assert printable("附件 8 'a' \"b\".pdf") == "附件 8 'a' \"b\".pdf"
    assert printable("new\nline\t.txt\x00") == "new\\nline\\t.txt\\x00"


def test_markdown_cell_has_no_live_markup() -> None:
    cell = markdown_cell(HOSTILE)
    assert "\n" not in cell and "<script>" not in cell
    assert "|" not in cell.replace("\\|", "")
    assert "&lt;script&gt;" in cell and "\\`rm -rf\\`" in cell
