"""Scoring budget tables read from a disclosure against its hand-checked truth (``*.truth.json``).

Per document: standard tables found with the right kind, grand totals exact to the cent,
coded rows exact (every amount cell of the row, and its name), all lines exact, and the
discrepancies the truth lists that the checks report as ``fail``. Texts compare after the
contract's key (NFKC, whitespace removed).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fiscaldoc.lexicon.text import key
from fiscaldoc.model.records import BudgetLine, BudgetTable, CheckResult, Records


@dataclass
class Score:
    tables: int = 0
    tables_found: int = 0
    totals: int = 0
    totals_exact: int = 0
    coded_rows: int = 0
    coded_rows_exact: int = 0
    lines: int = 0
    lines_exact: int = 0
    discrepancies: int = 0
    discrepancies_failed: int = 0
    misses: list[str] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        def ratio(a: int, b: int) -> str:
            return f"{a}/{b}"

        return {
            "tables (kind)": ratio(self.tables_found, self.tables),
            "grand totals": ratio(self.totals_exact, self.totals),
            "coded rows": ratio(self.coded_rows_exact, self.coded_rows),
            "lines": ratio(self.lines_exact, self.lines),
            "discrepancies as fail": ratio(self.discrepancies_failed, self.discrepancies),
        }


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _match_table(
    truth: dict[str, Any], tables: list[BudgetTable], index: int, by_order: bool = False
) -> BudgetTable | None:
    """Ours that starts on the truth table's first page; the one in the same place where the
    format has no pages (a workbook's sheets) or its pages differ."""
    if by_order or (tables and all(t.page_start is None for t in tables)):
        return tables[index] if index < len(tables) else None
    same = [t for t in tables if t.page_start == truth["page_start"]]
    if same:
        kinds = [t for t in same if t.kind == truth["kind"]]
        return (kinds or same)[0]
    return None


def _cell_key(line: dict[str, Any] | BudgetLine) -> tuple[str | None, str, str]:
    if isinstance(line, BudgetLine):
        return line.side, key(line.name), key(line.measure)
    return line["side"], key(line["name"]), key(line["measure"])


def score(
    truth: dict[str, Any], records: Records, checks: list[CheckResult] | None = None, by_order: bool = False
) -> Score:
    """``by_order`` matches tables by their place, for a rendering whose pages differ."""
    out = Score()
    by_table: dict[str, list[BudgetLine]] = defaultdict(list)
    for line in records.budget_lines:
        by_table[line.table_id].append(line)
    for index, t in enumerate(truth["tables"]):
        out.tables += 1
        ours = _match_table(t, records.budget_tables, index, by_order)
        if ours is not None and ours.kind == t["kind"]:
            out.tables_found += 1
        else:
            found = "missing" if ours is None else ours.kind
            out.misses.append(f"table {t['kind']} p{t['page_start']}: {found}")
        lines = by_table.get(ours.table_id, []) if ours is not None else []
        _score_totals(t, lines, out)
        _score_rows(t, lines, out)
    for d in truth.get("discrepancies", []):
        if d.get("confidence") != "certain":
            continue
        out.discrepancies += 1
        if checks is not None and _reported(d, checks):
            out.discrepancies_failed += 1
        else:
            out.misses.append(f"discrepancy not failed: {d['rule']}: {d['what'][:80]}")
    return out


def _score_totals(t: dict[str, Any], lines: list[BudgetLine], out: Score) -> None:
    ours = {(*_cell_key(ln), ln.amount_yuan) for ln in lines}
    unnamed = {(key(ln.measure), ln.amount_yuan) for ln in lines if not key(ln.name)}
    for g in t["grand_totals"]:
        out.totals += 1
        # The 三公 table's total is a column of its one unlabelled row (truth names it 合计).
        if (*_cell_key(g), _amount(g["amount_yuan"])) in ours or (
            (key(g["measure"]), _amount(g["amount_yuan"])) in unnamed
        ):
            out.totals_exact += 1
        else:
            out.misses.append(f"total {t['kind']} {g['name']} {g['measure']} {g['amount_yuan']}")


def _rows(lines: list[dict[str, Any]] | list[BudgetLine]) -> dict[tuple[Any, ...], dict[str, Any]]:
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for ln in lines:
        if isinstance(ln, BudgetLine):
            code, side, name, measure, amount = ln.code, ln.side, ln.name, ln.measure, ln.amount_yuan
            number = ln.line_no
        else:
            code, side, name, measure, amount = ln["code"], ln["side"], ln["name"], ln["measure"], None
            amount = _amount(ln["amount_yuan"])
            number = ln["row"]
        row = rows.setdefault((number, side), {"code": code, "name": key(name), "cells": {}})
        row["cells"][key(measure)] = amount
    return rows


def _score_rows(t: dict[str, Any], lines: list[BudgetLine], out: Score) -> None:
    truth_rows = _rows(t["lines"])
    ours = list(_rows(lines).values())
    for row in truth_rows.values():
        match = [r for r in ours if r["code"] == row["code"] and r["name"] == row["name"]]
        exact = any(r["cells"] == row["cells"] for r in match)
        out.lines += len(row["cells"])
        if match:
            best = max(match, key=lambda r: sum(r["cells"].get(m) == a for m, a in row["cells"].items()))
            cells = best["cells"]
            out.lines_exact += sum(1 for m, a in row["cells"].items() if m in cells and cells[m] == a)
        if row["code"] is not None:
            out.coded_rows += 1
            if exact:
                out.coded_rows_exact += 1
            elif len(out.misses) < 60:
                out.misses.append(f"row {t['kind']} {row['code']} {row['name']}")


def _reported(d: dict[str, Any], checks: list[CheckResult]) -> bool:
    """The truth's discrepancy is among our ``fail`` findings of its rule (same figures where
    it names them)."""
    fails = [c for c in checks if c.rule == d["rule"] and c.status == "fail"]
    if d.get("match"):
        return any(key(d["match"]) in key(c.message) for c in fails)
    expected, actual = d.get("expected"), d.get("actual")
    try:
        figures = {Decimal(str(expected)), Decimal(str(actual))}
    except Exception:
        return bool(fails)
    return any({c.expected, c.actual} & figures for c in fails)
