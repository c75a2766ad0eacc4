"""Sums inside one budget table: the 科目 hierarchy, the columns of a row, a summary's sides.

- ``budget_hierarchy_adds_up``: each 类 is the sum of its 款, each 款 of its 项, and a
  合计 row the sum of the top-level rows it closes (per measure). A table printed in column
  blocks (an economic table's 人员经费 | 公用经费 halves) has one total per block.
- ``budget_columns_add_up``: within a row, a total column (``合计``, ``小计``,
  ``本年收入合计``) is the sum of its sibling columns (a sibling with sub-columns counts by
  its own 小计, else by its parts), and a fund table's carry-over identity holds
  (年初结转和结余 + 本年收入 = 本年支出 + 年末结转和结余).
- ``budget_totals_balance``: a two-sided summary's 收入总计 equals its 支出总计, and each
  side's totals equal their parts (items 一、二、… and their 1. 2. sub-items; 本年收入合计;
  结转 and 结余 rows).

One ``pass`` row per table and rule says how many sums held; every sum that does not hold
is its own ``warn`` (rounding) or ``fail`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fiscaldoc.checks.budget_model import (
    Figure,
    Table,
    TableRow,
    compared,
    result,
    status,
    tables_of,
    total,
)
from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import ordinal_level
from fiscaldoc.model.records import CheckResult, Records

_TOTAL_PARTS = ("合计", "小计", "总计")


def is_total_part(part: str) -> bool:
    """A header level that totals its siblings: 合计, 小计, 本年收入合计 …"""
    return part in _TOTAL_PARTS or (len(part) <= 8 and part.endswith("合计"))


@dataclass
class Tally:
    """The sums one rule checked in one table."""

    checked: int = 0
    findings: list[CheckResult] = field(default_factory=list)

    def add(self, finding: CheckResult) -> None:
        self.checked += 1
        if finding.status != "pass":
            self.findings.append(finding)


def _closing(
    document_id: str, rule: str, table: Table, tally: Tally, what: str, misread: dict[str, str] | None = None
) -> list[CheckResult]:
    if not tally.checked:
        return []
    if misread and table.id in misread:
        return [result(document_id, rule, table.id, None, None, "warn", misread[table.id])]
    if tally.findings:
        return tally.findings
    title = table.table.title
    message = f"{title}: all {tally.checked} {what} hold"
    return [result(document_id, rule, table.id, None, None, "pass", message)]


def _sum(rows: list[TableRow], measure: str) -> Figure | None:
    figures = [r.get(measure) for r in rows]
    present = [f for f in figures if f is not None]
    return total(present) if present else None


def _compare(
    tally: Tally,
    document_id: str,
    rule: str,
    subject: str,
    declared: Figure | None,
    parts: Figure | None,
    what: str,
) -> None:
    if declared is None or parts is None or (declared.blank and parts.blank):
        return
    state = status(declared, parts)
    tally.add(result(document_id, rule, subject, declared, parts, state, compared(declared, parts, what)))


# --- hierarchy -----------------------------------------------------------------------------


def _segments(rows: list[TableRow]) -> list[tuple[TableRow | None, list[TableRow]]]:
    """Coded rows grouped under the total row that closes them (after them, or before them when
    the table prints its 合计 first)."""
    out: list[tuple[TableRow | None, list[TableRow]]] = []
    current: list[TableRow] = []
    pending: TableRow | None = None
    for row in rows:
        if row.is_total:
            if current:
                if pending is not None:
                    out.append((pending, current))  # printed both above and below its rows
                out.append((row, current))
                current, pending = [], None
            else:
                pending = row
        elif row.code:
            current.append(row)
    if current or pending is not None:
        out.append((pending, current))
    return out


def hierarchy_tally(table: Table, document_id: str) -> Tally:
    """Each 类 against its 款, each 款 against its 项, each 合计 against the rows it closes."""
    rule = "budget_hierarchy_adds_up"
    tally = Tally()
    for side in dict.fromkeys(r.side for r in table.rows):
        rows = table.side(side)
        measures = table.side_measures(side)
        coded = [r for r in rows if r.code and r.level is not None]
        for parent in coded:
            assert parent.code is not None
            children = [
                r
                for r in coded
                if r.code is not None
                and len(r.code) == len(parent.code) + 2
                and r.code.startswith(parent.code)
            ]
            if not children:
                continue
            word = {1: "款", 2: "项"}.get(parent.level or 0, "children")
            for m in measures:
                subject = f"{table.id}/{parent.code}"
                what = f"{table.table.title} {parent.label} [{m}] vs the sum of its {len(children)} {word}"
                _compare(tally, document_id, rule, subject, parent.get(m), _sum(children, m), what)
        for closing, members in _segments(rows):
            if closing is None or not members:
                continue
            top = min(r.level or 9 for r in members)
            heads = [r for r in members if (r.level or 9) == top]
            for m in measures:
                subject = f"{table.id}/{closing.name}"
                what = f"{table.table.title} {closing.name} [{m}] vs the sum of its {len(heads)} top rows"
                _compare(tally, document_id, rule, subject, closing.get(m), _sum(heads, m), what)
    return tally


def budget_hierarchy_adds_up(records: Records, document_id: str) -> list[CheckResult]:
    out: list[CheckResult] = []
    misread = misread_tables(records, document_id)
    for table in tables_of(records):
        tally = hierarchy_tally(table, document_id)
        out.extend(_closing(document_id, "budget_hierarchy_adds_up", table, tally, "科目 sums", misread))
    return out


# --- columns -------------------------------------------------------------------------------

Path = tuple[str, ...]


def _terms(prefix: Path, suffix: Path, paths: list[Path]) -> list[Path] | None:
    """The measures that together make the column ``prefix`` (+ ``suffix``): itself, its own
    小计/合计, else its sub-columns."""
    if prefix + suffix in paths:
        return [prefix + suffix]
    n = len(prefix)
    children = list(dict.fromkeys(p[n] for p in paths if p[:n] == prefix and len(p) > n))
    for child in children:
        if is_total_part(child) and (*prefix, child, *suffix) in paths:
            return [(*prefix, child, *suffix)]
    out: list[Path] = []
    for child in children:
        if is_total_part(child):
            continue
        sub = _terms((*prefix, child), suffix, paths)
        if sub is None:
            return None
        out.extend(sub)
    return out or None


def column_relations(measures: list[str]) -> list[tuple[list[str], list[str]]]:
    """(declared, parts) measure lists that must add up in every row."""
    paths: list[Path] = [tuple(m.split("/")) for m in measures]
    out: list[tuple[list[str], list[str]]] = []
    for path in paths:
        for k, part in enumerate(path):
            if not is_total_part(part):
                continue
            parent, suffix = path[:k], path[k + 1 :]
            siblings = list(
                dict.fromkeys(p[k] for p in paths if p[:k] == parent and len(p) > k and p[k] != part)
            )
            terms: list[Path] = []
            for sibling in siblings:
                if is_total_part(sibling):
                    continue
                found = _terms((*parent, sibling), suffix, paths)
                if found is None:
                    terms = []
                    break
                terms.extend(found)
            if terms:
                out.append((["/".join(path)], ["/".join(t) for t in terms]))
            break
    out.extend(_carry_over(measures))
    return out


def _carry_over(measures: list[str]) -> list[tuple[list[str], list[str]]]:
    """A fund table's 年初结转和结余 + 本年收入 = 本年支出 + 年末结转和结余."""

    def find(*words: str) -> str | None:
        hits = [m for m in measures if all(w in m for w in words)]
        totals = [m for m in hits if is_total_part(m.split("/")[-1])]
        found = totals or hits
        return found[0] if found else None

    opening, income = find("年初结转和结余"), find("本年收入")
    spent, closing = find("本年支出"), find("年末结转和结余")
    if opening and income and spent and closing and len({opening, income, spent, closing}) == 4:
        return [([spent, closing], [opening, income])]
    return []


def columns_tally(table: Table, document_id: str) -> Tally:
    """Each row's total columns against their parts."""
    rule = "budget_columns_add_up"
    tally = Tally()
    for side in dict.fromkeys(r.side for r in table.rows):
        relations = column_relations(table.side_measures(side))
        for row in table.side(side):
            for declared, parts in relations:
                left = [row.get(m) for m in declared]
                right = [row.get(m) for m in parts]
                if any(f is None for f in left + right):
                    continue
                a = total(f for f in left if f is not None)
                b = total(f for f in right if f is not None)
                subject = f"{table.id}/{row.code or row.name}"
                what = f"{table.table.title} {row.label}: {' + '.join(declared)} vs {' + '.join(parts)}"
                _compare(tally, document_id, rule, subject, a, b, what)
    return tally


def budget_columns_add_up(records: Records, document_id: str) -> list[CheckResult]:
    out: list[CheckResult] = []
    misread = misread_tables(records, document_id)
    for table in tables_of(records):
        tally = columns_tally(table, document_id)
        out.extend(
            _closing(document_id, "budget_columns_add_up", table, tally, "row sums across columns", misread)
        )
    return out


MISREAD_SHARE = Decimal("0.3")
MISREAD_FAILS = 4
"""A table where this many sums, and this share of them, fail was misread, not misprinted: a
printed table with an error has one or two wrong figures, each failing a sum or two."""


def misread_tables(records: Records, document_id: str) -> dict[str, str]:
    """Tables whose sums fail too widely for the document to be wrong: why, per table_id."""
    out: dict[str, str] = {}
    for table in tables_of(records):
        tallies = (hierarchy_tally(table, document_id), columns_tally(table, document_id))
        checked = sum(t.checked for t in tallies)
        fails = sum(1 for t in tallies for f in t.findings if f.status == "fail")
        if fails >= MISREAD_FAILS and fails >= MISREAD_SHARE * checked:
            pages = f"p{table.table.page_start}" if table.table.page_start else "its sheet"
            out[table.id] = (
                f"{table.table.title} ({pages}) looks misread: {fails} of {checked} sums fail; "
                "its figures are not trusted (check the reading, not the document)"
            )
    return out


# --- two-sided summaries ---------------------------------------------------------------------


@dataclass
class SideTotals:
    """One side of a summary read as a tree: items, their sub-items, subtotals, other rows."""

    grand: TableRow | None = None
    subtotals: list[tuple[TableRow, list[TableRow]]] = field(default_factory=list)
    """本年收入合计-like rows and the items they total."""
    parents: list[tuple[TableRow, list[TableRow]]] = field(default_factory=list)
    """Rows with numbered parts under them (一、财政拨款收入 → 1. 2. 3.; 年初结转和结余 → 一、二、)."""
    top: list[TableRow] = field(default_factory=list)
    """What the grand total adds: subtotals and other rows, or the items where there are none."""
    items: list[TableRow] = field(default_factory=list)


def _kind_of(row: TableRow) -> str:
    k = key(row.name)
    if "总计" in k:
        return "grand"
    if row.is_total:
        return "subtotal"
    level = ordinal_level(row.name)
    if level == 1:
        return "item"
    if level == 2:
        return "subitem"
    return "other" if k else "blank"


def side_totals(rows: list[TableRow]) -> SideTotals:
    out = SideTotals()
    items: list[TableRow] = []
    open_parent: tuple[TableRow, list[TableRow]] | None = None
    last_item: tuple[TableRow, list[TableRow]] | None = None
    seen_top = False
    for row in rows:
        kind = _kind_of(row)
        if kind == "subitem" and last_item is not None:
            last_item[1].append(row)
        elif kind == "item":
            last_item = (row, [])
            out.parents.append(last_item)
            if open_parent is not None:
                open_parent[1].append(row)
            else:
                items.append(row)
                out.items.append(row)
        elif kind == "subtotal":
            out.subtotals.append((row, items))
            out.top.append(row)
            items, open_parent, last_item, seen_top = [], None, None, True
        elif kind == "other":
            open_parent = (row, [])
            out.parents.append(open_parent)
            out.top.append(row)
            last_item, seen_top = None, True
        elif kind == "grand":
            out.grand = row
            break
    if not seen_top:
        out.top = list(out.items)
    else:
        out.top.extend(items)  # items after the last subtotal that no row totals
    out.parents = [(p, kids) for p, kids in out.parents if kids]
    return out


def total_measure(measures: list[str]) -> str | None:
    """The column that holds a side's whole amount: its 合计, else its first."""
    for m in measures:
        if is_total_part(m.split("/")[-1]):
            return m
    return measures[0] if measures else None


def budget_totals_balance(records: Records, document_id: str) -> list[CheckResult]:
    rule = "budget_totals_balance"
    out: list[CheckResult] = []
    for table in tables_of(records):
        sides = [s for s in dict.fromkeys(r.side for r in table.rows) if s is not None]
        if not sides:
            continue
        tally = Tally()
        grands: dict[str, tuple[TableRow, str]] = {}
        for side in sides:
            rows = table.side(side)
            measures = table.side_measures(side)
            tree = side_totals(rows)
            for m in measures:
                for parent, kids in tree.parents:
                    what = f"{table.table.title} {parent.name} [{m}] vs its {len(kids)} parts"
                    _compare(
                        tally,
                        document_id,
                        rule,
                        f"{table.id}/{parent.name}",
                        parent.get(m),
                        _sum(kids, m),
                        what,
                    )
                for sub, members in tree.subtotals:
                    if members:
                        what = f"{table.table.title} {sub.name} [{m}] vs its {len(members)} items"
                        _compare(
                            tally,
                            document_id,
                            rule,
                            f"{table.id}/{sub.name}",
                            sub.get(m),
                            _sum(members, m),
                            what,
                        )
                if tree.grand is not None and tree.top:
                    what = f"{table.table.title} {tree.grand.name} [{m}] vs the {len(tree.top)} rows it adds"
                    _compare(
                        tally,
                        document_id,
                        rule,
                        f"{table.id}/{tree.grand.name}",
                        tree.grand.get(m),
                        _sum(tree.top, m),
                        what,
                    )
            main = total_measure(measures)
            if tree.grand is not None and main is not None:
                grands[side] = (tree.grand, main)
        if "income" in grands and "expenditure" in grands:
            (inc, mi), (exp, me) = grands["income"], grands["expenditure"]
            a, b = inc.get(mi), exp.get(me)
            what = f"{table.table.title} {inc.name} vs {exp.name}"
            _compare(tally, document_id, rule, table.id, a, b, what)
        out.extend(_closing(document_id, rule, table, tally, "side totals"))
    return out
