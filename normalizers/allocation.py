"""Fund-allocation tables (资金分配方案/分配表) → plans, items and subtotals.

Columns are recognised by meaning, not position; merged 用款单位 cells fill
down; a merged 备注 belongs to its first row; 小计 rows and 共计/合计 notes
become subtotals, 总计 the declared total.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from fiscaldoc.lexicon.numbers import UNIT_FACTORS, parse_number, parse_yuan, to_yuan, unit_in
from fiscaldoc.lexicon.text import collapse, join_wrapped, key
from fiscaldoc.lexicon.vocabulary import SUBTOTAL_WORDS, TOTAL_WORDS, allocation_header
from fiscaldoc.model.document import Block, Cell, Line, Row, format_bbox
from fiscaldoc.model.records import AllocationItem, AllocationPlan, AllocationSubtotal, Records
from fiscaldoc.normalizers.stream import lines_before, next_row_after_lines

_NOTE_SUBTOTAL = re.compile(
    r"(?:共计|合计|小计|总计|共)\s*[:：]?\s*([-+]?\d[\d,，]*(?:\.\d+)?)\s*(亿元|万元|千元|元)"
)
_TITLE_HINT = re.compile(r"分配|方案|明细|安排|计划|下达|资金")
_LABEL = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]+")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass
class Columns:
    seq: int | None = None
    recipient: int | None = None
    project: int | None = None
    amount: int | None = None
    note: int | None = None
    unit: str | None = None
    width: int = 0


def header_columns(row: Row) -> Columns | None:
    """The roles of a header row's cells (:func:`~fiscaldoc.lexicon.vocabulary.allocation_header`),
    or None if it is not an allocation header."""
    found = allocation_header(row.texts())
    if found is None:
        return None
    return Columns(
        seq=found.seq,
        recipient=found.recipient,
        project=found.project,
        amount=found.amount,
        note=found.note,
        unit=found.unit,
        width=len(row.cells),
    )


def starts_at(blocks: Sequence[Block], i: int) -> bool:
    block = blocks[i]
    return isinstance(block, Row) and header_columns(block) is not None


def _text(row: Row, index: int | None) -> str:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index].text.strip()


def _cell(row: Row, index: int | None) -> Cell | None:
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _row_label(row: Row, cols: Columns) -> str:
    """The words of a row outside its amount column (to spot 总计/小计)."""
    return "".join(key(c.text) for i, c in enumerate(row.cells) if i != cols.amount)


@dataclass
class _Plan:
    cols: Columns
    unit: str
    items: list[AllocationItem] = field(default_factory=list)
    subtotals: list[AllocationSubtotal] = field(default_factory=list)
    totals: list[tuple[Decimal, str]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    recipient: str = ""
    noted: int | None = None
    """Index of the last item that carries a note (a split note's tail joins it)."""


def _plan_unit(cols: Columns, lines: list[Line]) -> str:
    if cols.unit:
        return cols.unit
    for line in lines:
        if "单位" in line.text and (unit := unit_in(line.text)):
            return unit
    return "元"


def _title_and_label(lines: list[Line]) -> tuple[str, str | None, list[int]]:
    title, label = "", None
    pages = [ln.page for ln in lines if ln.page is not None]
    for line in lines:  # nearest first
        text = collapse(line.text)
        if label is None and _LABEL.match(text):
            label = text
        elif not title and _TITLE_HINT.search(text) and not text.startswith("单位"):
            title = text
    return title, label, pages


def _goes_on(cols: Columns) -> object:
    def accept(row: Row) -> bool:
        if len(row.cells) != cols.width:
            return False
        if header_columns(row) is not None:
            return True
        amount = _text(row, cols.amount)
        return parse_number(amount) is not None or any(w in _row_label(row, cols) for w in TOTAL_WORDS)

    return accept


def _note_subtotal(note: str, label: str) -> AllocationSubtotal | None:
    match = _NOTE_SUBTOTAL.search(unicodedata.normalize("NFKC", note))
    if not match:
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    return AllocationSubtotal(
        plan_id="",
        label=label,
        declared_yuan=to_yuan(value, match.group(2)),
        source="note",
        text=note,
    )


def _add_row(plan: _Plan, row: Row) -> None:
    cols = plan.cols
    amount_text = _text(row, cols.amount)
    amount = parse_yuan(amount_text, plan.unit) if amount_text else None
    label = _row_label(row, cols)
    if row.page is not None:
        plan.pages.append(row.page)
    seq_text = _text(row, cols.seq)
    seq = parse_number(seq_text) if seq_text else None
    if amount is not None and seq is None:
        if any(w in label for w in SUBTOTAL_WORDS):
            named = _text(row, cols.recipient)
            group = named if named and not any(w in key(named) for w in SUBTOTAL_WORDS) else plan.recipient
            plan.subtotals.append(
                AllocationSubtotal(
                    plan_id="",
                    label=group,
                    declared_yuan=amount,
                    source="row",
                    text=" ".join(c.text for c in row.filled()),
                )
            )
            return
        if any(w in label for w in TOTAL_WORDS):
            plan.totals.append((amount, " ".join(c.text for c in row.filled())))
            return
    if amount is None and plan.items and not seq_text:
        # The tail of a row a page break split (or of a wrapped cell in a text dump).
        _continue_row(plan, row)
        return
    if plan.items and row.page is not None and row.page != plan.items[-1].page:
        row = _join_split_cells(plan, row)
    recipient_cell = _cell(row, cols.recipient)
    if recipient_cell is not None and not recipient_cell.is_blank:
        plan.recipient = collapse(recipient_cell.text)
    project = _text(row, cols.project)
    if amount is None:
        return
    note_cell = _cell(row, cols.note)
    note = None if note_cell is None or note_cell.is_blank else note_cell.text.strip()
    amount_cell = _cell(row, cols.amount)
    plan.items.append(
        AllocationItem(
            plan_id="",
            line_no=len(plan.items) + 1,
            seq=int(seq) if seq is not None and seq == seq.to_integral_value() else None,
            recipient=plan.recipient,
            project=project,
            amount_yuan=amount,
            amount_text=amount_text,
            note=note,
            page=row.page,
            bbox=format_bbox(row.bbox if row.bbox else (amount_cell.bbox if amount_cell else None)),
        )
    )
    if note:
        plan.noted = len(plan.items) - 1
        if subtotal := _note_subtotal(note, plan.recipient):
            plan.subtotals.append(subtotal)


def _continue_row(plan: _Plan, row: Row) -> None:
    """Join a split row's tail to the row above: project to the last item; a 用款单位 or
    备注 tail (only on a new page: a row of its own there is a split merged cell) to
    the name or the note it continues."""
    cols = plan.cols
    last = plan.items[-1]
    project = _text(row, cols.project)
    if project:
        plan.items[-1] = last = last.model_copy(update={"project": join_wrapped([last.project, project])})
    if row.page is None or row.page == last.page:
        return
    tail = _text(row, cols.recipient)
    if tail and not any(w in key(tail) for w in (*SUBTOTAL_WORDS, *TOTAL_WORDS)):
        _extend_recipient(plan, tail)
    _extend_note(plan, _text(row, cols.note))


# How the name of a unit ends; a 用款单位 cut short by a page break does not.
ORG_ENDINGS = (
    *("厅", "局", "院", "中心", "队", "所", "站", "办", "会", "部", "委", "处", "室", "司", "校"),
    *("馆", "社", "团", "区", "县", "市", "镇", "乡", "村", "省", "场", "台", "行", "园", "大学"),
)


def _join_split_cells(plan: _Plan, row: Row) -> Row:
    """First row of a new page: a merged 用款单位 or 备注 cell the page break split prints
    the rest of its text there (ruled tables: as a cell of its own). Join it when the
    text above was cut short: a name that does not end like a unit's name, a note that
    says 共计 without its amount; the row's cells are then read as covered."""
    cols = plan.cols
    cells = list(row.cells)
    name = _text(row, cols.recipient)
    cut_short = bool(plan.recipient) and not plan.recipient.endswith(ORG_ENDINGS)
    if (
        name
        and cut_short
        and cols.recipient is not None
        and not any(w in key(name) for w in (*SUBTOTAL_WORDS, *TOTAL_WORDS))
    ):
        _extend_recipient(plan, name)
        cells[cols.recipient] = Cell("", page=row.page, covered=True)
    note = _text(row, cols.note)
    if note and plan.noted is not None and cols.note is not None:
        last = plan.items[plan.noted].note or ""
        says_sum = re.search(r"共计|合计|小计", last)
        if says_sum and _NOTE_SUBTOTAL.search(unicodedata.normalize("NFKC", last)) is None:
            _extend_note(plan, note)
            cells[cols.note] = Cell("", page=row.page, covered=True)
    return replace(row, cells=tuple(cells))


def _extend_recipient(plan: _Plan, tail: str) -> None:
    old, plan.recipient = plan.recipient, collapse(join_wrapped([plan.recipient, tail]))
    n = len(plan.items)
    while n > 0 and plan.items[n - 1].recipient == old:
        n -= 1
        plan.items[n] = plan.items[n].model_copy(update={"recipient": plan.recipient})


def _extend_note(plan: _Plan, note_tail: str) -> None:
    if note_tail and plan.noted is not None:
        item = plan.items[plan.noted]
        note = join_wrapped([item.note or "", note_tail])
        plan.items[plan.noted] = item.model_copy(update={"note": note})
        if (
            item.note
            and _note_subtotal(item.note, item.recipient) is None
            and (subtotal := _note_subtotal(note, item.recipient))
        ):
            plan.subtotals.append(subtotal)


def consume(blocks: Sequence[Block], start: int, document_id: str, ordinal: int) -> tuple[Records, int]:
    header = blocks[start]
    assert isinstance(header, Row)
    cols = header_columns(header)
    assert cols is not None
    above = lines_before(blocks, start)
    plan = _Plan(cols=cols, unit=_plan_unit(cols, above))
    goes_on = _goes_on(cols)
    i = start + 1
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Line):
            resume = next_row_after_lines(blocks, i, goes_on)  # type: ignore[arg-type]
            if resume is None:
                break
            i = resume
            continue
        if header_columns(block) is not None:
            if len(block.cells) != cols.width or plan.totals:
                break  # a new table
            i += 1
            continue  # header repeated on a new page
        if plan.totals and not any(w in _row_label(block, cols) for w in TOTAL_WORDS):
            break  # rows after the grand total belong to something else
        if len(block.cells) != cols.width and not goes_on(block):  # type: ignore[operator]
            break
        _add_row(plan, block)
        i += 1
    return _records(plan, above, document_id, ordinal, header), i


def _records(plan: _Plan, above: list[Line], document_id: str, ordinal: int, header: Row) -> Records:
    plan_id = f"{document_id}:{ordinal}"
    title, label, _ = _title_and_label(above)
    year = _YEAR.search(title)
    totals = plan.totals
    grand = [t for t in totals if "总计" in key(t[1])] or totals[-1:]
    # Earlier 合计 rows before a 总计 are subtotals of their groups.
    record = AllocationPlan(
        plan_id=plan_id,
        document_id=document_id,
        title=title,
        attachment_label=label,
        fiscal_year=int(year.group(1)) if year else None,
        unit=plan.unit,
        declared_total_yuan=grand[-1][0] if grand else None,
        page_start=min(plan.pages) if plan.pages else header.page,
        page_end=max(plan.pages) if plan.pages else header.page,
        engine=header.engine or None,
    )
    assert plan.unit in UNIT_FACTORS
    return Records(
        allocation_plans=[record],
        allocation_items=[i.model_copy(update={"plan_id": plan_id}) for i in plan.items],
        allocation_subtotals=[s.model_copy(update={"plan_id": plan_id}) for s in plan.subtotals],
    )
