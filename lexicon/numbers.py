"""Money: printed amounts → exact ``Decimal`` yuan, and units 元 / 万元 / 亿元."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

UNIT_FACTORS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "亿元": Decimal(100_000_000),
}
# Longest first so 万元 wins over 元 and 百万元 over 万元.
_UNIT_ALTERNATION = "|".join(sorted(UNIT_FACTORS, key=len, reverse=True))
UNIT_IN_TEXT = re.compile(rf"(?:单位\s*[:：]?\s*)?({_UNIT_ALTERNATION})")
_CENT = Decimal("0.01")

_NUMBER = re.compile(r"^[-+]?(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?$")
CITED_AMOUNT = re.compile(rf"([-+]?\d[\d,]*(?:\.\d+)?)\s*({_UNIT_ALTERNATION})")


def unit_in(text: str) -> str | None:
    """The unit a header or caption names (``金额（万元）``, ``单位：万元``), if any."""
    match = UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return match.group(1) if match else None


def parse_number(text: str) -> Decimal | None:
    """A printed number → Decimal, or None when it is not one number.

    Accepts full-width digits, thousands separators, a trailing unit, a minus
    sign or accounting parentheses; rejects two numbers run together.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s or re.search(r"\d\s+\d", s):
        return None  # two numbers, not one
    s = re.sub(r"\s+", "", s)
    for unit in sorted(UNIT_FACTORS, key=len, reverse=True):
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = s.replace("，", ",")
    if not s or not _NUMBER.match(s) or not any(ch.isdigit() for ch in s):
        return None
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert to yuan, exact to the fen."""
    return (value * UNIT_FACTORS[unit]).quantize(_CENT, rounding=ROUND_HALF_UP)


def parse_yuan(text: str, unit: str) -> Decimal | None:
    """A printed amount in ``unit`` → yuan; a unit printed in the cell itself wins."""
    value = parse_number(text)
    if value is None:
        return None
    own_unit = unit_in(text)
    return to_yuan(value, own_unit or unit)


def cited_amounts(text: str) -> list[tuple[Decimal, str, int]]:
    """Amounts with a unit cited in running text: (yuan, as printed, offset)."""
    out = []
    normal = unicodedata.normalize("NFKC", text)
    for match in CITED_AMOUNT.finditer(normal):
        value = parse_number(match.group(1))
        if value is not None:
            out.append((to_yuan(value, match.group(2)), match.group(0), match.start()))
    return out
