"""Performance indicators: names with units, comparators and targets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from fiscaldoc.model.records import Comparator

# Longest phrases first: 不低于 must not be read as 低于.
_COMPARATOR_WORDS: tuple[tuple[str, Comparator], ...] = (
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("≥", ">="),
    (">=", ">="),
    ("≧", ">="),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    ("至多", "<="),
    ("≤", "<="),
    ("<=", "<="),
    ("≦", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    (">", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("<", "<"),
    ("等于", "="),
    ("=", "="),
)
_TRAILING_BRACKET = re.compile(r"[（(]\s*([^（）()]{1,12})\s*[)）]\s*$")
_NUMBER_WITH_UNIT = re.compile(r"^(?P<num>[-+]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>.*?)\s*$")
_MAX_UNIT_LEN = 6
# ``2021年完成``, ``6月底前``: a date or deadline, a text target rather than a number and unit.
_NOT_UNIT_WORDS = ("完成", "前", "底", "内", "以上", "以下", "之间", "左右")


@dataclass(frozen=True)
class Target:
    comparator: Comparator | None
    value: Decimal | None
    unit: str | None


def split_name_unit(name: str) -> tuple[str, str | None]:
    """``编制完成管理制度数量（套）`` → (``编制完成管理制度数量``, ``套``).

    Only a trailing bracket is a unit; ``进度计划（按时）完成率（%）`` keeps its
    inner ``（按时）``.
    """
    match = _TRAILING_BRACKET.search(name)
    if not match:
        return name.strip(), None
    unit = unicodedata.normalize("NFKC", match.group(1)).strip()
    if any(ch.isdigit() for ch in unit):
        return name.strip(), None  # （2021年度） is part of the name, not a unit
    return name[: match.start()].strip(), unit


def parse_target(text: str) -> Target:
    """``≥85`` → (>=, 85); ``100`` → (=, 100); ``≥90%`` → unit %; ``长期`` → all None."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"\s+", "", s)
    comparator: Comparator | None = None
    for word, symbol in _COMPARATOR_WORDS:
        if s.startswith(word):
            comparator, s = symbol, s[len(word) :]
            break
    match = _NUMBER_WITH_UNIT.match(s)
    if not match:
        return Target(None, None, None)
    try:
        value = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return Target(None, None, None)
    unit_text = match.group("unit")
    bracketed = re.fullmatch(r"[(（]([^()（）]*)[)）]", unit_text)
    if bracketed:
        unit_text = bracketed.group(1)
    if (
        len(unit_text) > _MAX_UNIT_LEN
        or any(ch.isdigit() for ch in unit_text)
        or any(word in unit_text for word in _NOT_UNIT_WORDS)
    ):
        return Target(None, None, None)  # a sentence that merely starts with a number
    return Target(comparator or "=", value, unit_text or None)


_NATURE_SYMBOLS: dict[str, Comparator] = {
    "≥": ">=",
    ">=": ">=",
    "≧": ">=",
    "≤": "<=",
    "<=": "<=",
    "≦": "<=",
    "=": "=",
    ">": ">",
    "<": "<",
    "大于等于": ">=",
    "小于等于": "<=",
    "等于": "=",
    "大于": ">",
    "小于": "<",
    "不低于": ">=",
    "不高于": "<=",
    "不超过": "<=",
}
QUALITATIVE = ("定性",)
"""A 指标性质 cell that says the target is words, not a number."""


def nature_comparator(text: str) -> Comparator | None:
    """A 指标性质/指标方向 cell (``≥``, ``＝``, ``小于等于``) → the comparator it stands for."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return _NATURE_SYMBOLS.get(s)


def is_qualitative(text: str) -> bool:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) in QUALITATIVE
