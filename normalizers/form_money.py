"""A form's money block: 项目资金（元）/项目金额 and the amounts its sub-labels point at.

Templates print the same figures under different words and in different shapes:
``项目金额 | 总金额 | 39,000,000 | 2021年度金额 | 39,000,000`` in one row; a block of two
columns (项目资金总额, 其中：财政资金, 其他资金 | 年度资金申请总额, 其中：当年财政拨款,
上年结转资金, 其他资金); or one column (年度资金总额, 其中：财政拨款, 其他资金). The
sub-labels say which figure is which; ``其他资金`` belongs to the side whose heading
stands above it. The unit is the block's (``项目资金（万元）``) unless a cell prints its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fiscaldoc.lexicon.numbers import parse_yuan, unit_in
from fiscaldoc.lexicon.text import key
from fiscaldoc.normalizers.form_fields import MONEY_FIELDS, Entry

DEFAULT_UNIT = "元"


@dataclass(frozen=True)
class Funds:
    total: Decimal | None = None
    annual: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    current_grant: Decimal | None = None
    carryover: Decimal | None = None
    annual_other: Decimal | None = None
    unit: str = DEFAULT_UNIT


def _unit(entries: list[Entry]) -> str:
    for entry in entries:
        unit = unit_in(key(entry.label))
        if unit:
            return unit
    return DEFAULT_UNIT


def _side_split(entries: list[Entry]) -> tuple[float, bool] | None:
    """Between the total's side and the annual side of a two-column block: a position, and
    whether it is a page x (where every label has a box) or a column number."""
    boxed = all(e.x is not None for e in entries)

    def where(e: Entry) -> float:
        return e.x if boxed and e.x is not None else float(e.col)

    left = [where(e) for e in entries if e.name in ("money_total", "money_fiscal")]
    right = [where(e) for e in entries if e.name in ("money_annual", "money_current", "money_carryover")]
    if not left or not right or min(right) <= min(left):
        return None
    return (min(left) + min(right)) / 2, boxed


def _position(entry: Entry, boxed: bool) -> float:
    return entry.x if boxed and entry.x is not None else float(entry.col)


_SPACED_NUMBER = re.compile(r"^[\d,.\s]+$")


def _amount(text: str, unit: str) -> Decimal | None:
    """A money cell's one amount; a space a PDF put between its digits (``3 100000.00``) is
    layout, since the cell holds one figure."""
    if not text:
        return None
    amount = parse_yuan(text, unit)
    if amount is None and _SPACED_NUMBER.match(text.strip()):
        amount = parse_yuan(key(text), unit)
    return amount


def _annual_side(entry: Entry, split: tuple[float, bool] | None, seen: bool) -> bool:
    """其他资金 under the annual heading (right of the split), or the second one printed."""
    if split is None:
        return seen
    return _position(entry, split[1]) > split[0]


def read_funds(entries: list[Entry]) -> Funds:
    money = [e for e in entries if e.name in MONEY_FIELDS]
    unit = _unit(money)
    split = _side_split(money)
    found: dict[str, Decimal] = {}

    def put(name: str, entry: Entry) -> None:
        amount = _amount(entry.value, unit)
        if amount is not None and name not in found:
            found[name] = amount

    for entry in money:
        name = entry.name.removeprefix("money_")
        if name == "amount":
            name = "total"  # 项目金额 | 3900万元: the block's label points at the total itself
        if name == "other" and _annual_side(entry, split, "other" in found):
            name = "annual_other"
        elif name == "fiscal" and split is not None and _annual_side(entry, split, False):
            name = "current"  # 其中：财政拨款 under 年度资金申请总额 is the year's grant
        put(name, entry)
    total, annual = found.get("total"), found.get("annual")
    if total is None and annual is not None:
        total, annual = annual, None  # only one figure printed: it is the project's (年度资金总额)
    return Funds(
        total=total,
        annual=annual,
        fiscal=found.get("fiscal"),
        other=found.get("other"),
        current_grant=found.get("current"),
        carryover=found.get("carryover"),
        annual_other=found.get("annual_other"),
        unit=unit,
    )
