"""Department/unit budgets and final accounts (部门预算, 单位预算, 部门决算) → budget tables.

Each standard table is found by its title (:mod:`.budget_find`), its grid interpreted by
meaning (:mod:`.budget_grid`: header paths, label and amount columns, the two sides of a
收支总表) and its rows read into one line per amount cell (:mod:`.budget_rows`). The kind
comes from the title, the header's signature deciding where the title says nothing
specific. Entity, year and stage come from the table's own lines, else the cover.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fiscaldoc.lexicon.text import collapse, key
from fiscaldoc.lexicon.vocabulary import budget_kind, budget_stage, budget_title_key
from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.model.records import BudgetStatement, BudgetTable, ParseReport, Records
from fiscaldoc.normalizers import budget_find, budget_text
from fiscaldoc.normalizers.budget_grid import Layout, layout_of, split_header
from fiscaldoc.normalizers.budget_rows import read_rows

TWO_SIDED = ("income_expenditure_summary", "fiscal_grant_summary")
_UNIT = re.compile(r"单位\s*[:：]\s*(亿元|万元|千元|元)")
_UNIT_IN_HEADER = re.compile(r"[(（](亿元|万元|千元|元)[)）]")
_ENTITY = re.compile(
    r"(?:编制部门|编制单位|预算主管部门|预算单位|部门名称|单位名称)\s*[:：]\s*(\S+?)"
    r"(?=\s*(?:单位\s*[:：]|金额单位|$))"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_COVER_ENTITY = re.compile(r"^(.+?)(?:(?:19|20)\d{2}年度?)?(?:区级|市级)?(?:部门|单位)(?:预算|决算)")
COVER_PAGES = 2


def starts_at(blocks: Sequence[Block], i: int) -> bool:
    return budget_find.starts_at(blocks, i)


def consume(blocks: Sequence[Block], i: int, document_id: str, ordinal: int) -> tuple[Records, int]:
    found = budget_find.extent(blocks, i)
    rows = [*(_band_row(band, found.rows) for band in found.bands), *found.rows]
    header, start = split_header(rows)
    data = rows[start:]
    title = _repaired_title(found.title, found.lines)
    kind = budget_kind(budget_title_key(title) or "")
    layout = layout_of(header, data, kind in TWO_SIDED)
    if kind == "other":
        kind = _kind_by_header(layout)
    table_id = f"{document_id}:b{ordinal}"
    unit, unit_found = _unit(found.lines, layout)
    reading = read_rows(layout, data, unit, table_id)
    cover = _cover(blocks)
    context = " ".join([title, *(ln.text for ln in found.lines)])
    pages = [b.page for b in (blocks[i], *found.rows) if b.page is not None]
    engine = next((r.engine for r in found.rows if r.engine), None)
    table = BudgetTable(
        table_id=table_id,
        document_id=document_id,
        kind=kind,
        title=collapse(title),
        stage=budget_stage(key(title)) or cover.stage or "budget",
        fiscal_year=_year(title) or _year(context) or cover.year,
        entity=_entity(found.lines) or cover.entity,
        unit=unit,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        engine=engine,
    )
    detail = list(reading.skipped)
    if not unit_found:
        detail.insert(0, f"no unit printed near the table; read as {unit}")
    if not header:
        detail.insert(0, "no header rows found: measures unnamed")
    notes = [collapse(n.text) for n in found.notes]
    detail.extend(f"note: {n}" for n in notes)
    report = ParseReport(
        document_id=document_id,
        ordinal=ordinal,
        kind=f"budget_table:{kind}",
        subject=table_id,
        page_start=table.page_start,
        page_end=table.page_end,
        engine=engine,
        rows_seen=reading.rows_seen + len(header),
        rows_read=reading.rows_read,
        rows_skipped=len(reading.skipped),
        detail="\n".join(detail) or None,
    )
    statements = [
        BudgetStatement(
            document_id=document_id,
            ordinal=n,
            kind="note",
            subject=table_id,
            quote=collapse(note.text),
            page=note.page,
        )
        for n, note in enumerate(found.notes, start=1)
    ]
    records = Records(
        budget_tables=[table],
        budget_lines=reading.lines,
        budget_statements=statements,
        parse_reports=[report],
    )
    return records, found.end


def finish(doc: RawDocument, document_id: str, records: Records) -> None:
    """Once a disclosure's tables are read: the figures its text states, and every statement
    (notes under tables first) numbered through the document."""
    if not records.budget_tables:
        return
    blocks = doc.blocks
    skip: set[int] = set()
    i = 0
    while i < len(blocks):
        if budget_find.starts_at(blocks, i):
            end = budget_find.extent(blocks, i).end
            skip.update(range(i, end))
            i = end
        elif budget_find.on_contents_page(blocks, i):
            skip.add(i)
            i += 1
        else:
            i += 1
    found = [
        *records.budget_statements,
        *budget_text.statements(budget_text.text_lines(blocks, skip), document_id),
    ]
    records.budget_statements = [s.model_copy(update={"ordinal": n}) for n, s in enumerate(found, start=1)]


def _band_row(band: Line, rows: list[Row]) -> Row:
    """A header band the reader gave as a line, back as a grid row spanning the table."""
    width = max((len(r.cells) for r in rows[:5]), default=1)
    covered = [Cell("", page=band.page, covered=True) for _ in range(width - 1)]
    cells = (Cell(band.text, page=band.page, span=(1, width)), *covered)
    return Row(cells, page=band.page, engine=rows[0].engine if rows else "")


def _repaired_title(title: str, lines: list[Line]) -> str:
    """A title whose quote marks were printed on a line of their own (``财政拨款 三公 经费…``
    and ``“ ”`` below): the quotes go back into the gaps they left."""
    for line in lines[:2]:
        quotes = [ch for ch in line.text if ch in "“”‘’\"'"]
        gaps = re.findall(r"\s+", title.strip())
        if quotes and not key(line.text).strip("“”‘’\"'") and len(gaps) == len(quotes):
            parts = re.split(r"\s+", title.strip())
            return "".join(p + (quotes[n] if n < len(quotes) else "") for n, p in enumerate(parts))
    return title


def _kind_by_header(layout: Layout) -> str:
    """The kind a header's signature gives when the title names none."""
    words = "".join("".join(p) for p in layout.paths)
    sides = {g.side for g in layout.groups}
    if {"income", "expenditure"} <= sides:
        fiscal_only = "财政拨款" in words and "事业收入" not in words
        return "fiscal_grant_summary" if fiscal_only else "income_expenditure_summary"
    if "因公出国" in words or "公务接待" in words:
        return "three_public"
    return "other"


def _unit(lines: list[Line], layout: Layout) -> tuple[str, bool]:
    for line in lines:
        match = _UNIT.search(key(line.text))
        if match:
            return match.group(1), True
    for path in layout.paths:
        for part in path:
            match = _UNIT_IN_HEADER.search(part) or _UNIT.search(part)
            if match:
                return match.group(1), True
    return "元", False


def _entity(lines: list[Line]) -> str | None:
    for line in lines:
        match = _ENTITY.search(collapse(line.text))
        if match:
            return match.group(1).strip()
    return None


def _year(text: str) -> int | None:
    match = _YEAR.search(key(text))
    return int(match.group(1)) if match else None


class _Cover:
    def __init__(self, entity: str | None, year: int | None, stage: str | None) -> None:
        self.entity, self.year, self.stage = entity, year, stage


def _cover(blocks: Sequence[Block]) -> _Cover:
    """Entity, year and stage from the first pages' text (the cover and the 目录)."""
    lines = [b for b in blocks[:200] if isinstance(b, Line) and (b.page or 1) <= COVER_PAGES]
    first_page = [ln for ln in lines if (ln.page or 1) == (lines[0].page or 1)] if lines else []
    text = key("".join(ln.text for ln in first_page))
    entity = _entity(lines)
    if entity is None:
        match = _COVER_ENTITY.match(text)
        if match:
            entity = match.group(1)
    year = _year(text) or _year(key("".join(ln.text for ln in lines)))
    stage = budget_stage(text)
    return _Cover(entity, year, stage)
