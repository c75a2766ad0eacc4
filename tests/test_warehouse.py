"""Loading into real DuckDB and real PostgreSQL through the one code path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from fiscaldoc.model.records import Records
from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import Warehouse, engine_url, make_engine

from helpers.truth import SEED

TABLES = list(schema.metadata.tables)


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(engine_url(url))
    with engine.connect() as conn:
        out = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}
    engine.dispose()
    return out


def test_schema_matches_records() -> None:
    from fiscaldoc.model.records import CheckResult, DocumentRecord

    models = {"documents": DocumentRecord, "check_results": CheckResult}
    models.update({name: Records.model_fields[name].annotation.__args__[0] for name in Records.model_fields})  # type: ignore[union-attr]
    for name, model in models.items():
        assert list(model.model_fields) == [c.name for c in schema.metadata.tables[name].columns], name


def test_load_is_idempotent_and_exact(warehouse_url: str) -> None:
    result = process(SEED / "000_4ea89972e077d80e.txt")
    wh = Warehouse(warehouse_url)
    wh.load([result])
    first = _counts(warehouse_url)
    wh.load([result])  # replacing a document adds nothing
    assert _counts(warehouse_url) == first
    assert first["allocation_items"] == 6 and first["performance_indicators"] == 13
    assert first["documents"] == 1 and first["allocation_subtotals"] == 2
    with wh.engine.connect() as conn:
        total = conn.execute(sa.select(schema.allocation_plans.c.declared_total_yuan)).scalar_one()
        amounts = conn.execute(sa.select(sa.func.sum(schema.allocation_items.c.amount_yuan))).scalar_one()
    assert total == Decimal("39000000.00") and isinstance(total, Decimal)
    assert amounts == Decimal("39000000.00")
    wh.dispose()


def test_money_columns_are_decimal(warehouse_url: str) -> None:
    wh = Warehouse(warehouse_url)
    query = sa.text(
        "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
        "FROM information_schema.columns WHERE column_name IN "
        "('amount_yuan', 'declared_total_yuan', 'declared_yuan', 'total_amount_yuan', "
        "'annual_amount_yuan', 'expected', 'actual', 'target_value')"
    )
    with wh.engine.connect() as conn:
        rows = [r for r in conn.execute(query).fetchall() if r[0] in schema.metadata.tables]
    assert len(rows) == 8
    for table, column, data_type, precision, scale in rows:
        assert data_type.upper().startswith(("DECIMAL", "NUMERIC")), (table, column, data_type)
        assert (precision, scale) == (20, 4 if column == "target_value" else 2), (table, column)
    wh.dispose()


def test_replacing_a_document_is_atomic(warehouse_url: str) -> None:
    """A load that fails half-way leaves the previous rows of that document intact."""
    good = process(SEED / "000_4ea89972e077d80e.txt")
    wh = Warehouse(warehouse_url)
    wh.load([good])
    before = _counts(warehouse_url)
    items = list(good.records.allocation_items)
    items.append(items[0])  # duplicate (plan_id, line_no): the insert fails mid-transaction
    broken = good.model_copy(update={"records": good.records.model_copy(update={"allocation_items": items})})
    try:
        wh.load([broken])
    except sa.exc.DBAPIError:
        pass
    else:  # pragma: no cover - the duplicate key must be refused
        raise AssertionError("duplicate key was accepted")
    assert _counts(warehouse_url) == before
    wh.dispose()


def test_money_keeps_every_digit(warehouse_url: str) -> None:
    """Eighteen integer digits and two decimals go in and come out exactly (duckdb-engine
    alone would round them through a float)."""
    result = process(SEED / "000_4ea89972e077d80e.txt")
    big = Decimal("999999999999999999.99")
    items = result.records.allocation_items
    items[0] = items[0].model_copy(update={"amount_yuan": big})
    wh = Warehouse(warehouse_url)
    wh.load([result])
    with wh.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.max(schema.allocation_items.c.amount_yuan))).scalar_one()
        as_text = conn.execute(
            sa.select(sa.cast(sa.func.max(schema.allocation_items.c.amount_yuan), sa.String))
        ).scalar_one()
    wh.dispose()
    assert stored == big and as_text == "999999999999999999.99"


def test_bulk_insert_through_a_frame_equals_row_by_row(tmp_path: Path) -> None:
    """DuckDB's frame path stores the same whether rows come one by one or all at once:
    extreme and exponent-form decimals exactly, NULLs, CJK text with quotes."""
    from fiscaldoc.warehouse.bulk import insert_rows

    amounts = [Decimal("999999999999999999.99"), Decimal("1E+2"), Decimal("-0.01"), Decimal("0.10")]
    rows = [
        {
            "plan_id": "p:1",
            "line_no": n,
            "seq": None if n % 3 == 0 else n,
            "recipient": "“省”自然资源厅〔2024〕'",
            "project": f"项目{n}",
            "amount_yuan": amounts[n % len(amounts)],
            "amount_text": "2,186",
            "note": None if n % 2 else "合计 6764 万元",
            "page": None if n % 5 == 0 else 1,
            "bbox": "59.7,172.3,527.2,201.3",
        }
        for n in range(70)
    ]
    table = schema.allocation_items
    stored = []
    for name, batch in (("frame", rows), ("rows", [[r] for r in rows])):
        engine = make_engine(f"duckdb:///{tmp_path / name}.duckdb")
        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            for chunk in batch if name == "rows" else [batch]:
                insert_rows(conn, table, chunk)  # type: ignore[arg-type]
        with engine.connect() as conn:
            stored.append(conn.execute(sa.select(table).order_by(table.c.line_no)).all())
        engine.dispose()
    assert stored[0] == stored[1]
    assert [r.amount_yuan for r in stored[0][:4]] == [a.quantize(Decimal("0.01")) for a in amounts]
    assert stored[0][0].seq is None and stored[0][1].seq == 1 and stored[0][0].page is None
