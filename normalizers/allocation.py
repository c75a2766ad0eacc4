"""Fund-allocation tables (资金分配方案/分配表) → plans, items and subtotals.

Columns are recognised by meaning, not position; merged 用款单位 cells fill
down; a merged 备注 belongs to its first row; 小计 rows and 共计/合计 notes
become subtotals, 总计 the declared total.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from fiscaldoc.lexicon.numbers import UNIT_FACTORS, parse_number, parse_yuan, to_yuan, unit_in
from fiscaldoc.lexicon.text import collapse, display_width, join_wrapped, key
from fiscaldoc.lexicon.vocabulary import SUBTOTAL_WORDS, TOTAL_WORDS, allocation_header
from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row, format_bbox
from fiscaldoc.model.records import AllocationItem, AllocationPlan, AllocationSubtotal, Records
from fiscaldoc.normalizers import budget_find, form_region
from fiscaldoc.normalizers.parse_log import TableLog
from fiscaldoc.normalizers.plan_sums import SumRow, Sums, is_whole, resolve, says_sum
from fiscaldoc.normalizers.stream import is_page_furniture, lines_before

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
    unit_printed: bool = True
    items: list[AllocationItem] = field(default_factory=list)
    subtotals: list[AllocationSubtotal] = field(default_factory=list)
    sums: list[SumRow] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    recipient: str = ""
    noted: int | None = None
    """Index of the last item that carries a note (a split note's tail joins it)."""
    named: list[bool] = field(default_factory=list)
    """Per item: whether its own row printed a 用款单位 (else it was filled from above)."""
    note_owners: list[int] = field(default_factory=list)
    """Per subtotal read from a note: the item whose note it is."""
    fragments: list[tuple[int, str]] = field(default_factory=list)
    """Lines of wrapped projects on rows of their own, with the number of items above them."""
    unread_numbered: list[Row] = field(default_factory=list)
    """Rows with a 序号 the reader could not read as items (no amount it could parse)."""
    amount_header: str = ""
    """The amount column's header words."""
    label_head: str = ""
    """The words of the row above when it had no amount (a sum row's words wrapped over two)."""
    last_amount: str = ""
    """Which row printed the last amount: ``item`` or ``sum`` (an amount's wrapped tail joins it)."""
    lost: list[Row] = field(default_factory=list)
    """Rows skipped that carry figures: items, perhaps, that the reader could not place."""
    own_lines: set[str] = field(default_factory=set)
    """The lines above the header (comparison keys): a print title repeating them over a
    new page is the same table going on."""


def _plan_unit(cols: Columns, lines: list[Line]) -> tuple[str, bool]:
    """The plan's unit and whether it is printed (header, else a 单位 line above)."""
    if cols.unit:
        return cols.unit, True
    for line in lines:
        if "单位" in line.text and (unit := unit_in(line.text)):
            return unit, True
    return "元", False


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


def _add_row(plan: _Plan, row: Row) -> str | None:
    """Read one row into the plan; None when it was read, else why it was skipped."""
    cols = plan.cols
    if all(c.is_blank for c in row.cells):
        return "blank row"
    amount_text = _text(row, cols.amount)
    if _AMOUNT_TAIL.match(amount_text) and _join_amount_tail(plan, amount_text):
        # the rest of an amount its narrow column wrapped (2 / ,686,700.00); the row goes on
        cells = list(row.cells)
        cells[cols.amount] = Cell("", page=row.page)  # type: ignore[index]
        rest = replace(row, cells=tuple(cells))
        return None if all(c.is_blank for c in rest.cells) else _add_row(plan, rest)
    amount = parse_yuan(amount_text, plan.unit) if amount_text else None
    label = _row_label(row, cols)
    if row.page is not None:
        plan.pages.append(row.page)
    seq_text = _text(row, cols.seq)
    seq = parse_number(seq_text) if seq_text else None
    wrapped_label, plan.label_head = plan.label_head, ""
    if amount is not None and seq is None and not says_sum(label) and says_sum(wrapped_label + label):
        label = wrapped_label + label  # 遂溪县农业农村局合 / 计: a sum row's words wrapped
    if amount is not None and seq is None and says_sum(label):
        plan.sums.append(
            SumRow(
                amount=amount,
                text=" ".join(c.text for c in row.filled()),
                label=label,
                named=key(_text(row, cols.recipient)),
                position=len(plan.items),
                amount_text=amount_text,
            )
        )
        plan.last_amount = "sum"
        return None
    if amount is None:
        return _row_without_amount(plan, row, seq_text, label)
    if seq is None and plan.cols.project is not None and not (label.strip() or _text(row, cols.project)):
        return "an amount with no words (a sum without its label, or a row misread)"
    if plan.items and row.page is not None and row.page != plan.items[-1].page:
        row = _join_split_cells(plan, row)
    recipient_cell = _cell(row, cols.recipient)
    named = recipient_cell is not None and not recipient_cell.is_blank
    if recipient_cell is not None and named:
        plan.recipient = _one_line(recipient_cell.text)
    plan.named.append(named)
    project = _one_line(_text(row, cols.project))
    note_cell = _cell(row, cols.note)
    note = None if note_cell is None or note_cell.is_blank else _one_line(note_cell.text)
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
    plan.last_amount = "item"
    if note:
        plan.noted = len(plan.items) - 1
        if subtotal := _note_subtotal(note, plan.recipient):
            plan.subtotals.append(subtotal)
            plan.note_owners.append(plan.noted)
    return None


_AMOUNT_TAIL = re.compile(r"^[,，.]\d")


def _join_amount_tail(plan: _Plan, tail: str) -> bool:
    """Join ``tail`` to the amount printed last (an item's or a sum row's), if together they
    make one number; True when joined."""
    if plan.last_amount == "sum" and plan.sums:
        row = plan.sums[-1]
        whole = row.amount_text + tail
        if (amount := parse_yuan(whole, plan.unit)) is None:
            return False
        plan.sums[-1] = replace(row, amount=amount, amount_text=whole)
        return True
    if plan.last_amount == "item" and plan.items:
        item = plan.items[-1]
        whole = item.amount_text + tail
        if (amount := parse_yuan(whole, plan.unit)) is None:
            return False
        plan.items[-1] = item.model_copy(update={"amount_yuan": amount, "amount_text": whole})
        return True
    return False


_NOT_A_TAIL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|其中|注[:：]|说明[:：])"
)
"""How a row starts that is not the wrapped tail of the row above: a section heading
(``一、省直单位``), ``其中：``, a note."""


def _row_without_amount(plan: _Plan, row: Row, seq_text: str, label: str) -> str | None:
    """A row with nothing in the amount column: the header's second line, the tail of a
    row a wrap or a page break split, or something the reader does not know (skipped)."""
    first = key(row.filled()[0].text)
    plan.label_head = label
    same_page = not plan.items or row.page is None or row.page == plan.items[-1].page
    if same_page and _project_only(row, plan.cols) and not unit_in(first) and not _NOT_A_TAIL.match(first):
        # a line of a wrapped project: whose, is decided once the table is read
        plan.fragments.append((len(plan.items), _text(row, plan.cols.project)))
        return None
    if not plan.items and not plan.sums:
        if any(parse_number(c.text) is not None for c in row.filled()):
            return "before the first item, no amount"
        # the amount header's own words first: 资金额度（万 over 元） is 万元, not 元
        unit = unit_in(plan.amount_header + _text(row, plan.cols.amount)) or next(
            (u for c in row.filled() if (u := unit_in(c.text))), None
        )
        if unit is not None and not plan.cols.unit:
            plan.unit, plan.unit_printed = unit, True
            return None  # the header's second line (金额 / （万元）)
        return "before the first item, no amount"
    if _NOT_A_TAIL.match(first):
        return "section heading or note"
    if not plan.items or seq_text or says_sum(label):
        return "no amount"
    _continue_row(plan, row)
    return None


VALIGNS = ("top", "bottom", "centre")


def _place_recipients(plan: _Plan) -> str | None:
    """A merged 用款单位 cell prints its name once: in its first row when the table sets cells
    at the top (filled down, as read), in its last row (bottom: filled up) or its middle row
    (centred: the rows between two names shared between them). Of the three, the one under
    which the most subtotals add up wins; on a tie, the rows decide: a first item without a
    name says not top, a last item without one says centred. Returns the alignment when it
    is not the top."""
    if plan.cols.recipient is None or not any(plan.named) or all(plan.named):
        return None
    default = "top" if plan.named[0] else ("bottom" if plan.named[-1] else "centre")
    readings = {v: _recipients_for(plan, v) for v in VALIGNS}
    scores = {v: _subtotals_matched(plan, names) for v, names in readings.items()}
    best = max(VALIGNS, key=lambda v: (scores[v], v == default))
    if best == "top" and default == "top":
        return None
    names = readings[best]
    for k, item in enumerate(plan.items):
        plan.items[k] = item.model_copy(update={"recipient": names[k]})
    for n, index in enumerate(plan.note_owners):  # plan.subtotals holds the notes' alone
        plan.subtotals[n] = plan.subtotals[n].model_copy(update={"label": names[index]})
    return None if best == "top" else best


def _recipients_for(plan: _Plan, valign: str) -> list[str]:
    """Every item's 用款单位 if the table sets its merged cells' names so."""
    names = [i.recipient for i in plan.items]
    own = list(plan.named)
    named = [k for k, o in enumerate(own) if o]
    for a, b in itertools.pairwise(named):  # a name wrapped over two rows is one name
        first, second = names[a], names[b]
        if b == a + 1 and not first.endswith(ORG_ENDINGS) and (first + second).endswith(ORG_ENDINGS):
            keep, drop = (a, b) if valign == "top" else (b, a)
            names[keep], own[drop] = first + second, False
    named = [k for k, o in enumerate(own) if o]
    out = []
    for k in range(len(names)):
        after = bisect.bisect_left(named, k)  # the first named row at or below k
        if after < len(named) and named[after] == k:
            owner = k
        elif after == 0:
            owner = named[0]
        elif after == len(named) or valign == "top":
            owner = named[after - 1]
        elif valign == "bottom":
            owner = named[after]
        else:
            above, below = named[after - 1], named[after]
            owner = above if k - above <= (below - above - 1) // 2 else below
        out.append(names[owner])
    return out


def _subtotals_matched(plan: _Plan, names: list[str]) -> int:
    """How many of the plan's subtotals (notes and rows) add up with these names."""
    items = [i.model_copy(update={"recipient": n}) for i, n in zip(plan.items, names, strict=True)]
    sums: dict[str, Decimal] = {}
    for item in items:
        sums[key(item.recipient)] = sums.get(key(item.recipient), Decimal(0)) + item.amount_yuan
    found = [(names[index], plan.subtotals[n].declared_yuan) for n, index in enumerate(plan.note_owners)]
    found += [(s.label, s.declared_yuan) for s in resolve(plan.sums, items).subtotals]
    return sum(1 for label, declared in found if sums.get(key(label)) == declared)


def _one_line(text: str) -> str:
    """A plan cell's text on one line: a line break typed inside a cell is layout, not content."""
    return collapse(join_wrapped(text.split("\n")))


def _project_only(row: Row, cols: Columns) -> bool:
    filled = [n for n, c in enumerate(row.cells) if not c.is_blank]
    return bool(filled) and cols.project is not None and filled == [cols.project]


FULL_LINE = 0.85
"""A wrapped line at least this share of the column's widest line is a full line: the head of
a wrapped text, not its tail."""


def _place_fragments(plan: _Plan, valign: str | None) -> None:
    """Join the lines of wrapped projects to their items. Where the table prints a row's
    single-line cells decides: at the top of the row (every fragment is the tail of the item
    above), at its bottom (the head of the item below: fragments come before the first item),
    or centred (heads and tails: fragments before the first item and after the last). Where
    the names of merged 用款单位 cells told it (``valign``), that decides."""
    if not plan.fragments or not plan.items:
        return
    n = len(plan.items)
    heads_first = valign in ("bottom", "centre") or any(pos == 0 for pos, _ in plan.fragments)
    tails_last = valign == "centre" or (valign is None and any(pos == n for pos, _ in plan.fragments))
    texts = [*(i.project for i in plan.items), *(f for _, f in plan.fragments)]
    widest = max(display_width(t) for t in texts)
    heads: dict[int, list[str]] = {}
    tails: dict[int, list[str]] = {}
    for pos in sorted({p for p, _ in plan.fragments}):
        lines = [f for p, f in plan.fragments if p == pos]
        if pos == 0 or (heads_first and not tails_last):
            cut = 0
        elif pos == n or not heads_first:
            cut = len(lines)
        else:  # centred: the first half closes the item above, the second opens the one below
            cut = len(lines) // 2
            if len(lines) % 2 and display_width(lines[cut]) < FULL_LINE * widest:
                cut += 1
        if pos > 0:
            tails.setdefault(pos - 1, []).extend(lines[:cut])
        if pos < n:
            heads.setdefault(pos, []).extend(lines[cut:])
    for k, item in enumerate(plan.items):
        if k in heads or k in tails:
            project = join_wrapped([*heads.get(k, []), item.project, *tails.get(k, [])])
            plan.items[k] = item.model_copy(update={"project": project})


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
            plan.note_owners.append(plan.noted)


MAX_UNKNOWN_RUN = 4
"""Consecutive rows of nothing the reader knows after which the table has ended (the rows
then belong to whatever follows it); fewer are skipped and reading goes on."""


def consume(blocks: Sequence[Block], start: int, document_id: str, ordinal: int) -> tuple[Records, int]:
    header = blocks[start]
    assert isinstance(header, Row)
    cols = header_columns(header)
    assert cols is not None
    above = lines_before(blocks, start)
    unit, printed = _plan_unit(cols, above)
    plan = _Plan(cols=cols, unit=unit, unit_printed=printed, own_lines={key(ln.text) for ln in above})
    plan.amount_header = _text(header, cols.amount)
    log = TableLog(KIND, engine=header.engine or None)
    log.read(header)
    goes_on = _goes_on(cols)
    unknown: list[tuple[Row, str]] = []
    end = i = start + 1
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Line):
            resume = _resume_after_lines(blocks, i, plan, goes_on)
            if resume is None:
                break
            for line in blocks[i:resume]:
                if isinstance(line, Line) and not is_page_furniture(line):
                    log.text_inside(line)
            i = resume
            continue
        if _another_table(blocks, i):
            break
        if header_columns(block) is not None:
            if len(block.cells) != cols.width or (plan.items and _adds_up(plan)):
                break  # a new table
            log.read(block)  # the header repeated on a new page
            end = i = i + 1
            continue
        if len(block.cells) != cols.width and not goes_on(block):  # type: ignore[operator]
            break
        why = _add_row(plan, block)
        if why is None:
            for row, skipped in unknown:
                log.skip(row, skipped)
            unknown.clear()
            log.read(block)
            end = i + 1
        elif why == "blank row":
            log.skip(block, why)
        else:
            if _has_figures(block, cols):
                plan.lost.append(block)
            if _numbered(block, cols):  # a row of this table all the same, read or not
                plan.unread_numbered.append(block)
                for row, skipped in [*unknown, (block, why)]:
                    log.skip(row, skipped)
                unknown.clear()
                end = i + 1
            else:
                unknown.append((block, why))
            if len(unknown) >= MAX_UNKNOWN_RUN:
                break  # those rows are not the table's: leave them to whatever follows
        i += 1
    if len(unknown) < MAX_UNKNOWN_RUN:
        for row, skipped in unknown:
            log.skip(row, skipped)  # a footnote row closing the grid, say
        end = max(end, i)
    else:
        plan.lost = [r for r in plan.lost if all(r is not u for u, _ in unknown)]
        if after := _amounts_after(blocks, end, plan, goes_on):
            where = f"page {after[0].page}: " if after[0].page else ""
            log.problem(f"{where}{len(after)} rows with amounts below the plan not read")
    return _records(plan, above, document_id, ordinal, header, log), end


KIND = "allocation_plan"


def _amounts_after(blocks: Sequence[Block], end: int, plan: _Plan, goes_on: object) -> list[Row]:
    """Rows of the plan's width with an amount, between where it ended (on rows it could not
    place) and the next text or table: items it lost, perhaps."""
    out = []
    for i in range(end, len(blocks)):
        block = blocks[i]
        if not isinstance(block, Row) or header_columns(block) is not None or _another_table(blocks, i):
            break
        if goes_on(block):  # type: ignore[operator]
            out.append(block)
    return out


def _numbered(row: Row, cols: Columns) -> bool:
    seq = _text(row, cols.seq)
    return bool(seq) and parse_number(seq) is not None


def _has_figures(row: Row, cols: Columns) -> bool:
    """A cell other than the 序号 holds a number (an amount, perhaps, in the wrong column)."""
    return any(
        n != cols.seq and parse_number(c.text) is not None for n, c in enumerate(row.cells) if not c.is_blank
    )


def _another_table(blocks: Sequence[Block], i: int) -> bool:
    """A performance form or a budget table starts here: the plan has ended."""
    return form_region.starts_at(blocks, i) or budget_find.starts_at(blocks, i)


def _adds_up(plan: _Plan) -> bool:
    """The items read so far add up to a sum row that states the whole table's total."""
    done = sum((i.amount_yuan for i in plan.items), Decimal(0))
    return any(s.amount == done for s in plan.sums if is_whole(s))


def _foreign(line: Line, plan: _Plan) -> bool:
    """A title or 附件 label that is not the plan's own (a print title repeats those)."""
    text = collapse(line.text)
    if key(text) in plan.own_lines:
        return False
    return bool(_LABEL.match(text) or (_TITLE_HINT.search(text) and _TITLE_END.search(key(text))))


_TITLE_END = re.compile(r"(?:表|方案|计划|明细|清单)$")
"""How a table's title ends (a note between rows that says 下达 does not)."""


def _resume_after_lines(blocks: Sequence[Block], i: int, plan: _Plan, goes_on: object) -> int | None:
    """Lines inside the table (a note between groups, page furniture, a print title over a
    new page): the index of the row after them where the table goes on, else None."""
    j = i
    while j < len(blocks) and isinstance(blocks[j], Line):
        j += 1
    if j == len(blocks):
        return None
    lines = [b for b in blocks[i:j] if isinstance(b, Line)]
    row = blocks[j]
    assert isinstance(row, Row)
    if not _rows_go_on(blocks, j, plan, goes_on) or _another_table(blocks, j):
        return None
    if any(_foreign(line, plan) for line in lines):
        return None
    if header_columns(row) is not None:
        last_page = plan.pages[-1] if plan.pages else None
        new_page = row.page is not None and last_page is not None and row.page != last_page
        if not new_page or (plan.items and _adds_up(plan)):
            return None
    elif len([ln for ln in lines if not is_page_furniture(ln)]) > MAX_LINES_INSIDE:
        return None
    return j


def _rows_go_on(blocks: Sequence[Block], j: int, plan: _Plan, goes_on: object) -> bool:
    """The rows from ``j`` continue the table: one it accepts, perhaps after blank rows, section
    headings (``二、市县``) and lines of a wrapped project, of its width."""
    for block in blocks[j : j + MAX_LINES_INSIDE + 1]:
        if not isinstance(block, Row):
            return False
        if goes_on(block):  # type: ignore[operator]
            return True
        filled = block.filled()
        if len(block.cells) != plan.cols.width:
            return False
        if filled and not _NOT_A_TAIL.match(key(filled[0].text)) and not _project_only(block, plan.cols):
            return False
    return False


MAX_LINES_INSIDE = 3
"""A note between a table's rows is short; more running text than this ends the table."""


def _records(
    plan: _Plan, above: list[Line], document_id: str, ordinal: int, header: Row, log: TableLog
) -> Records:
    plan_id = f"{document_id}:{ordinal}"
    title, label, _ = _title_and_label(above)
    year = _YEAR.search(title)
    _place_fragments(plan, _place_recipients(plan))
    sums = resolve(plan.sums, plan.items)
    if not plan.items:
        data_rows = log.rows_seen - 1
        if data_rows <= 0:
            log.note("a plan's header with no rows under it: not read as a plan")
            return Records(parse_reports=[log.report(document_id, None)])
        where = f"page {log.first_page}: " if log.first_page else ""
        log.problem(f"{where}{data_rows} table rows under an allocation header, none read as items")
        return Records(parse_reports=[log.report(document_id, None)])
    if plan.unread_numbered:
        pages = sorted({r.page for r in plan.unread_numbered if r.page is not None})
        where = f"page {', '.join(map(str, pages))}: " if pages else ""
        log.problem(f"{where}{len(plan.unread_numbered)} numbered rows not read as items (no amount read)")
    elif plan.lost and not _reconciles(plan, sums):
        pages = sorted({r.page for r in plan.lost if r.page is not None})
        where = f"page {', '.join(map(str, pages))}: " if pages else ""
        log.problem(f"{where}{len(plan.lost)} rows with figures not read as items; the plan does not add up")
    unit = plan.unit
    if not plan.unit_printed:
        suffixes = {unit_in(i.amount_text) for i in plan.items}
        if len(suffixes) == 1 and (suffix := suffixes.pop()):
            unit = suffix  # printed only in the cells (300万元)
        else:
            log.note(f"no unit printed near the table; read as {unit}")
    record = AllocationPlan(
        plan_id=plan_id,
        document_id=document_id,
        title=title,
        attachment_label=label,
        fiscal_year=int(year.group(1)) if year else None,
        unit=unit,
        declared_total_yuan=sums.total.amount if sums.total else None,
        page_start=min(plan.pages) if plan.pages else header.page,
        page_end=max(plan.pages) if plan.pages else header.page,
        engine=header.engine or None,
    )
    assert unit in UNIT_FACTORS
    subtotals = sorted([*plan.subtotals, *sums.subtotals], key=lambda s: _first_item_of(plan, s.label))
    return Records(
        allocation_plans=[record],
        allocation_items=[i.model_copy(update={"plan_id": plan_id}) for i in plan.items],
        allocation_subtotals=[s.model_copy(update={"plan_id": plan_id}) for s in subtotals],
        parse_reports=[log.report(document_id, plan_id)],
    )


def _reconciles(plan: _Plan, sums: Sums) -> bool:
    """The items add up to the total and to every subtotal printed as a row."""
    items = plan.items
    if sums.total is not None and sum((i.amount_yuan for i in items), Decimal(0)) != sums.total.amount:
        return False
    for sub in sums.subtotals:
        group = sum((i.amount_yuan for i in items if key(i.recipient) == key(sub.label)), Decimal(0))
        if group != sub.declared_yuan:
            return False
    return True


_PLAN_TITLE = re.compile(r"(?:分配|下达|安排).*(?:方案|表|计划|明细|清单)$")
_TITLE_NAMES = re.compile(r"(?:19|20)\d{2}年|资金")
"""A plan's title names its year or its fund; a sheet named 分配方案 is no title."""


def finish(doc: RawDocument, document_id: str, records: Records) -> None:
    """Plan titles in the text with no plan table found for them: a table the readers missed
    (the document is partial, not an attachment without a plan)."""
    if records.budget_tables:
        return  # a budget disclosure's 安排 tables are its own
    titles = {
        key(b.text)
        for b in doc.blocks
        if isinstance(b, Line) and len(key(b.text)) <= MAX_TITLE_CHARS and "绩效" not in b.text
        if _PLAN_TITLE.search(key(b.text)) and _TITLE_NAMES.search(key(b.text))
    }
    found = sum(1 for r in records.parse_reports if r.kind == KIND)
    if len(titles) > found:
        log = TableLog(KIND)
        missed = len(titles) - found
        log.problem(f"{missed} allocation plan title(s) with no table read under them: {sorted(titles)[0]}")
        records.parse_reports.append(log.report(document_id, None))


MAX_TITLE_CHARS = 60


def _first_item_of(plan: _Plan, recipient: str) -> int:
    return next((n for n, i in enumerate(plan.items) if i.recipient == recipient), len(plan.items))
