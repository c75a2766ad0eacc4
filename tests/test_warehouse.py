"""Loading into real DuckDB and real PostgreSQL through the one code path."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from fiscaldoc.model.records import Records
from fiscaldoc.pipeline.process import process
from fiscaldoc.warehouse import schema
from fiscaldoc.warehouse.load import Warehouse, engine_url, make_engine

from helpers.cli import ROOT
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
    """Every money column of the contract (and ``target_value``) is an exact decimal in the database."""
    wanted = {
        (table.name, column.name): (column.type.precision, column.type.scale)  # type: ignore[attr-defined]
        for table in schema.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.Numeric)
    }
    assert ("budget_lines", "amount_yuan") in wanted and ("performance_forms", "carryover_yuan") in wanted
    wh = Warehouse(warehouse_url)
    query = sa.text(
        "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
        "FROM information_schema.columns"
    )
    with wh.engine.connect() as conn:
        rows = {(r[0], r[1]): r[2:] for r in conn.execute(query).fetchall() if (r[0], r[1]) in wanted}
    wh.dispose()
    assert set(rows) == set(wanted)
    for (table, column), (data_type, precision, scale) in rows.items():
        assert data_type.upper().startswith(("DECIMAL", "NUMERIC")), (table, column, data_type)
        decimals = (
            4
            if (table, column) in (("performance_indicators", "target_value"), ("budget_statements", "value"))
            else 2
        )
        assert (precision, scale) == wanted[(table, column)] == (20, decimals)


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


V2_FORM_COLUMNS = {
    *("form_title", "project_nature", "project_category", "implementing_unit", "start_date", "end_date"),
    *("fiscal_funds_yuan", "other_funds_yuan", "current_grant_yuan", "carryover_yuan", "annual_goal"),
}


def test_an_older_warehouse_gains_the_new_columns(warehouse_url: str) -> None:
    """A warehouse made before the contract grew keeps its rows and takes the new columns."""
    v1 = sa.MetaData()
    old = sa.Table(
        "performance_forms",
        v1,
        *(c._copy() for c in schema.performance_forms.columns if c.name not in V2_FORM_COLUMNS),
    )
    engine = sa.create_engine(engine_url(warehouse_url))
    with engine.begin() as conn:
        v1.create_all(conn)
        conn.execute(old.insert().values(form_id="d:1", document_id="d", project_name="项目"))
    engine.dispose()
    wh = Warehouse(warehouse_url)
    with wh.engine.connect() as conn:
        row = conn.execute(sa.select(schema.performance_forms)).one()._asdict()
    wh.dispose()
    assert row["form_id"] == "d:1" and row["carryover_yuan"] is None and row["annual_goal"] is None


def test_every_contract_column_is_in_the_schema() -> None:
    """docs/CONTRACT.md's tables, column by column, are the warehouse's (extensions come after)."""
    contract = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    tables: dict[str, list[str]] = {}
    current = None
    listing = False  # inside a "| column | type | meaning |" table
    for line in contract.splitlines():
        if line.startswith("| column "):
            listing = True
            continue
        if not line.startswith("|"):
            listing = False
        heading = re.match(r"^### (\w+) —", line)
        if heading:
            current = heading.group(1)
            tables.setdefault(current, [])
        elif line.startswith("## v2: other performance-form templates"):
            current = "performance_forms"
        elif line.startswith("## "):
            current = None
        elif current and listing and not line.startswith("|---"):
            cell = line.split("|")[1].strip()
            tables[current] += [c.strip() for c in cell.split(",")]
    assert len(tables) == 9, sorted(tables)
    for name, columns in tables.items():
        have = [c.name for c in schema.metadata.tables[name].columns]
        missing = [c for c in columns if c not in have]
        assert missing == [], f"{name} lacks {missing}"
