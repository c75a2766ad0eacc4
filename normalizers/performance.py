"""Performance-target forms (绩效目标申报表, 财政项目支出绩效目标填报表, 项目支出绩效目标表, …).

Every template is the same kind of thing: a block of labels pointing at values,
a money block, long text fields, and an indicator grid that is a table of its
own inside the form. One reader serves them all, by meaning rather than by
template: :mod:`.form_region` finds the form in the block stream, :mod:`.form_fields`
reads its labels, :mod:`.form_money` its amounts, :mod:`.form_grid` and :mod:`.form_levels`
its indicators, and :mod:`.form_records` makes the contract's records. What it
cannot place goes to the form's parse report; it never ends the form.
"""

from __future__ import annotations

from collections.abc import Sequence

from fiscaldoc.model.document import Block
from fiscaldoc.model.records import ParseReport, PerformanceIndicator, Records
from fiscaldoc.normalizers.form_fields import read_fields
from fiscaldoc.normalizers.form_grid import Columns, header_of, join_fragments, read_grid, repair_header
from fiscaldoc.normalizers.form_levels import assign_levels
from fiscaldoc.normalizers.form_money import read_funds
from fiscaldoc.normalizers.form_records import build_form, indicator
from fiscaldoc.normalizers.form_region import find, starts_at
from fiscaldoc.normalizers.form_slots import FormRow
from fiscaldoc.normalizers.form_taxonomy import LEVEL1_NAMES
from fiscaldoc.normalizers.parse_log import PROBLEM

__all__ = ["consume", "starts_at"]

KIND = "performance_form"


def _split(rows: list[FormRow]) -> tuple[list[FormRow], list[FormRow], Columns | None]:
    """The field rows, the grid rows after its header, and the header's columns.

    A grid whose header was lost starts at the first row that names a level-1 indicator.
    """
    for n, row in enumerate(rows):
        if header_of(row) is not None:
            repair_header(rows, n)
            return rows[:n], rows[n + 1 :], header_of(row)
    for n, row in enumerate(rows):
        if any(s.key in LEVEL1_NAMES for s in row.slots):
            return rows[:n], rows[n:], None
    return rows, [], None


def consume(blocks: Sequence[Block], start: int, document_id: str, ordinal: int) -> tuple[Records, int]:
    form_id = f"{document_id}:{ordinal}"
    region = find(blocks, start)
    rows = [FormRow.of(r) for r in region.rows]
    field_rows, grid_rows, columns = _split(rows)
    fields = read_fields(field_rows)
    funds = read_funds(fields.entries)
    grid = read_grid(grid_rows, columns)
    readings = join_fragments(grid.readings)
    levels = assign_levels(readings)
    indicators: list[PerformanceIndicator] = []
    skipped = list(grid.skipped)
    for reading, (level1, level2) in zip(readings, levels, strict=True):
        if level1 is None:
            skipped.append("indicator without a level-1 name: " + " | ".join(reading.texts.values())[:80])
            continue
        if not ({"level3", "target"} & reading.texts.keys()) and "level2" not in reading.texts:
            continue  # a level-1 name alone: context only (an empty 二级 heading prints its own name)
        indicators.append(indicator(reading, form_id, len(indicators) + 1, level1, level2))
    pages = sorted({r.page for r in region.rows if r.page is not None})
    engines = [r.engine for r in region.rows if r.engine]
    form = build_form(
        form_id, document_id, region.title, fields, funds, pages, engines[0] if engines else None
    )
    detail = [*fields.unknown, *skipped, *(f"text in the form: {line.text[:60]}" for line in region.lines)]
    if not indicators:
        # not the document's fault: the form is read in part, and the document is partial
        seen = f"{len(grid_rows)} grid rows, no indicator read" if grid_rows else "no indicator grid found"
        where = f"page {form.page_start}: " if form.page_start else ""
        detail.insert(0, f"{PROBLEM}{where}performance form: {seen}, its 绩效指标 were not read")
    if not form.project_name:
        detail.insert(0, "no 项目名称 read")
    report = ParseReport(
        document_id=document_id,
        ordinal=ordinal,
        kind=KIND,
        subject=form_id,
        page_start=form.page_start,
        page_end=form.page_end,
        engine=form.engine,
        rows_seen=len(rows),
        rows_read=max(0, len(rows) - len(fields.unknown) - len(skipped)),
        rows_skipped=len(fields.unknown) + len(skipped),
        detail="\n".join(detail) or None,
    )
    records = Records(performance_forms=[form], performance_indicators=indicators, parse_reports=[report])
    return records, region.end
