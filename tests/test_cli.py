"""The CLI end to end: a real ``fiscaldoc ingest`` (Prefect flow included) into DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from helpers.cli import ROOT, fiscaldoc
from helpers.truth import SEED


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in (
                "documents",
                "allocation_plans",
                "allocation_items",
                "allocation_subtotals",
                "performance_forms",
                "performance_indicators",
                "check_results",
            )
        }


@pytest.mark.slow
def test_ingest_twice_then_force(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("000_4ea89972e077d80e.txt", "seed-ruled.pdf"):
        shutil.copy(SEED / name, inbox / name)
    (inbox / "notes.txt").write_text("会议纪要\n无表格内容\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    url = f"duckdb:///{db}"

    first = fiscaldoc("ingest", str(inbox), "--warehouse", url)
    assert first.returncode == 1, first.stderr  # notes.txt is not an attachment
    assert "Traceback" not in first.stderr + first.stdout
    assert "notes.txt" in first.stdout and "not a budget attachment" in first.stdout
    after_first = counts(db)
    assert after_first["documents"] == 3
    assert after_first["allocation_items"] == 12 and after_first["performance_indicators"] == 26

    with duckdb.connect(str(db), read_only=True) as conn:
        statuses = dict(conn.execute("SELECT file_name, status FROM documents").fetchall())
        warns = conn.execute(
            "SELECT COUNT(*) FROM check_results WHERE rule='overview_amounts_match' AND status='warn'"
        ).fetchone()
        fails = conn.execute("SELECT COUNT(*) FROM check_results WHERE status='fail'").fetchone()
    assert statuses == {
        "000_4ea89972e077d80e.txt": "loaded",
        "seed-ruled.pdf": "loaded",
        "notes.txt": "failed",
    }
    assert warns == (2,) and fails == (0,)

    (inbox / "notes.txt").unlink()
    second = fiscaldoc("ingest", str(inbox), "--warehouse", url)
    assert second.returncode == 0, second.stderr
    assert "2 already in the warehouse" in second.stdout
    assert counts(db) == after_first

    forced = fiscaldoc("ingest", str(inbox), "--warehouse", url, "--force")
    assert forced.returncode == 0
    assert counts(db) == after_first


@pytest.mark.slow
def test_renamed_copy_is_the_same_document(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    url = f"duckdb:///{db}"
    a = tmp_path / "a" / "附件8.txt"
    a.parent.mkdir()
    shutil.copy(SEED / "000_4ea89972e077d80e.txt", a)
    assert fiscaldoc("ingest", str(a), "--warehouse", url).returncode == 0
    b = tmp_path / "b 副本.txt"
    shutil.copy(a, b)
    assert fiscaldoc("ingest", str(b), "--warehouse", url).returncode == 0
    assert counts(db)["documents"] == 1
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT source_uri FROM documents").fetchone() == (str(b),)


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert fiscaldoc("ingest", str(tmp_path / "missing")).returncode == 2
    assert fiscaldoc("frobnicate").returncode == 2


def test_extract_prints_contract_tables() -> None:
    out = fiscaldoc("extract", str(SEED / "000_4ea89972e077d80e.txt"))
    assert out.returncode == 0, out.stderr
    tables = json.loads(out.stdout)
    assert set(tables) == {
        "documents",
        "allocation_plans",
        "allocation_items",
        "allocation_subtotals",
        "performance_forms",
        "performance_indicators",
        "budget_tables",
        "budget_lines",
        "budget_statements",
        "parse_reports",
        "check_results",
    }
    assert tables["allocation_plans"][0]["declared_total_yuan"] == "39000000.00"
    assert len(tables["performance_indicators"]) == 13
    # the parse report, for a person, on stderr: every table and form with its rows
    assert "parse report of 000_4ea89972e077d80e.txt (loaded)" in out.stderr
    assert "#1 allocation_plan [text]: 8 rows seen, 8 read, 0 skipped" in out.stderr
    assert "#2 performance_form" in out.stderr


def test_readme_documents_every_command() -> None:
    from fiscaldoc.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"fiscaldoc {name}" in readme, name
