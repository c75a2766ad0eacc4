"""Which of a plan's sum rows (小计, XX合计, 合计, 总计 …) is the total and which are
subtotals, and of which group: decided once the whole table is read, by words and by
arithmetic, wherever the rows sit (under the header, between groups, at the bottom).

- a row whose words name a group (``地质大队合计``, ``XX小计``) or say 小计 is a subtotal;
- of the rest (``合计``, ``总计``, ``全省合计``), the one that equals the sum of every
  item is the total; failing that the one that says 总计, the one above the first item,
  or the last one; the others are subtotals;
- a subtotal belongs to the group above it or the group below it: the one its words
  name, else the one whose items add up to it, else the one above.

A planted error (one figure off) therefore stays where it was printed and fails its check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fiscaldoc.lexicon.text import key
from fiscaldoc.lexicon.vocabulary import SUBTOTAL_WORDS, TOTAL_WORDS
from fiscaldoc.model.records import AllocationItem, AllocationSubtotal

WHOLE = ("全省", "全市", "全县", "全区", "全部", "全", "总", "共", "本表", "以上", "累计", "各地")
"""What may stand before 合计 in the row of the whole table's total."""


@dataclass(frozen=True)
class SumRow:
    """A row that states a sum."""

    amount: Decimal
    text: str
    """The row's filled cells, as printed."""
    label: str
    """Its words outside the amount column (comparison key)."""
    named: str
    """What its 用款单位 cell says (comparison key)."""
    position: int
    """How many items come before it."""
    amount_text: str = ""
    """Its amount as printed."""


def says_sum(label: str) -> bool:
    return any(w in label for w in (*SUBTOTAL_WORDS, *TOTAL_WORDS))


def group_words(label: str) -> str:
    """What the row says besides the sum word (``地质大队合计`` → ``地质大队``)."""
    out = label
    for word in (*SUBTOTAL_WORDS, *TOTAL_WORDS, "其中", ":"):
        out = out.replace(word, "")
    return out.strip("：:")


def is_whole(row: SumRow) -> bool:
    """The row states the whole table's sum (合计, 总计, 全省合计), not a group's."""
    if any(w in row.label for w in SUBTOTAL_WORDS):
        return False
    words = group_words(row.label)
    return not words or words in WHOLE or words.startswith(WHOLE[:6])


@dataclass(frozen=True)
class Sums:
    total: SumRow | None
    subtotals: list[AllocationSubtotal]


def resolve(rows: Sequence[SumRow], items: Sequence[AllocationItem]) -> Sums:
    """The total and the subtotals among ``rows`` (see the module's note)."""
    if not rows:
        return Sums(None, [])
    everything = sum((i.amount_yuan for i in items), Decimal(0))
    whole = [r for r in rows if is_whole(r)]
    total = _pick_total(whole, everything, len(items))
    subtotals = _subtotals([r for r in rows if r is not total], items)
    return Sums(total, subtotals)


def _pick_total(whole: list[SumRow], everything: Decimal, n_items: int) -> SumRow | None:
    if not whole:
        return None
    exact = [r for r in whole if r.amount == everything]
    if exact:
        return exact[0] if exact[0].position == 0 else exact[-1]
    grand = [r for r in whole if "总计" in r.label]
    if grand:
        return grand[-1]
    top = [r for r in whole if r.position == 0 and n_items]
    return top[0] if top else whole[-1]


def _group(items: Sequence[AllocationItem], position: int, below: bool) -> list[AllocationItem]:
    """The run of items of one recipient just above (or below) ``position``."""
    if below:
        if position >= len(items):
            return []
        name = items[position].recipient
        run = []
        for item in items[position:]:
            if item.recipient != name:
                break
            run.append(item)
        return run
    if position == 0:
        return []
    name = items[position - 1].recipient
    run = []
    for item in reversed(items[:position]):
        if item.recipient != name:
            break
        run.append(item)
    return run


def _names(row: SumRow, group: list[AllocationItem]) -> bool:
    words = group_words(row.label) or group_words(row.named)
    if not group or not words or words in WHOLE:
        return False
    name = key(group[0].recipient)
    return words in name or name in words


def _adds_up(row: SumRow, group: list[AllocationItem]) -> bool:
    return bool(group) and sum((i.amount_yuan for i in group), Decimal(0)) == row.amount


def _side(row: SumRow, items: Sequence[AllocationItem]) -> str | None:
    """``above`` or ``below``: the group a subtotal row evidently closes or opens; None when
    words and sums leave it open (both groups add up to it, or neither does)."""
    above = _group(items, row.position, below=False)
    below = _group(items, row.position, below=True)
    if not below or _names(row, above):
        return "above"
    if not above or _names(row, below):
        return "below"
    if _adds_up(row, above) != _adds_up(row, below):
        return "above" if _adds_up(row, above) else "below"
    return None


def _subtotals(rows: Sequence[SumRow], items: Sequence[AllocationItem]) -> list[AllocationSubtotal]:
    """Each subtotal with its group; where a row's own evidence leaves the side open, the side
    the plan's other subtotals take (a table prints them all after, or all before, their group)."""
    sides = [_side(r, items) for r in rows]
    before = sides.count("below") > sides.count("above")
    out = []
    for row, side in zip(rows, sides, strict=True):
        group = _group(items, row.position, below=(side or ("below" if before else "above")) == "below")
        group = group or _group(items, row.position, below=False) or _group(items, row.position, below=True)
        label = group[0].recipient if group else group_words(row.label)
        out.append(
            AllocationSubtotal(plan_id="", label=label, declared_yuan=row.amount, source="row", text=row.text)
        )
    return out
