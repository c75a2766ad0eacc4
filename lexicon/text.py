"""Comparison keys and CJK-aware joining of wrapped text, for every stage."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")


def key(text: str | None) -> str:
    """The contract's comparison form: NFKC, all whitespace removed."""
    if not text:
        return ""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def collapse(text: str) -> str:
    """Runs of whitespace become one space; ends trimmed (titles, labels)."""
    return _WS.sub(" ", text).strip()


def _is_wordish(ch: str) -> bool:
    """Latin letters and digits: a wrap between two of these was a space."""
    return ch.isascii() and ch.isalnum()


def join_wrapped(parts: list[str]) -> str:
    """Rejoin lines a cell wrapped: nothing between CJK, one space between Latin words."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and _is_wordish(out[-1]) and _is_wordish(part[0]):
            out += " "
        out += part
    return out


def display_width(text: str) -> int:
    """Terminal/GBK width: wide, full-width and ambiguous characters count two (how a text
    dump lines its columns up)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)
