"""Text helpers shared by every normaliser: comparison keys, CJK-aware joining, markup."""

from __future__ import annotations

import html
import re
import unicodedata

_WS = re.compile(r"\s+")
_PARAGRAPH_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|li)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_TRAILING_CLOSE_P = re.compile(r"<\s*/\s*p\s*>\s*$", re.IGNORECASE)
_LEADING_OPEN_P = re.compile(r"^\s*<\s*p\b", re.IGNORECASE)


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


def join_page_break(head: str, tail: str) -> str:
    """Rejoin a field whose tail arrived after a page break.

    Exporters close the open ``<p>`` at the break; the tail continues the same
    paragraph, so that closing tag is dropped rather than read as a paragraph end.
    """
    if _TRAILING_CLOSE_P.search(head) and not _LEADING_OPEN_P.match(tail):
        head = _TRAILING_CLOSE_P.sub("", head)
    return join_wrapped([head, tail]) if head and tail else head or tail


def paragraphs(text: str) -> str:
    """Markup removed, paragraphs joined by ``\\n``, blank paragraphs dropped."""
    text = _PARAGRAPH_TAG.sub("\n", text)
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = [collapse_inner(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def collapse_inner(line: str) -> str:
    """Trim a paragraph; keep inner single spaces as printed (they are data)."""
    return line.strip()
