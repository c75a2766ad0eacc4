"""Markup in long form fields (设立依据, 项目概述): paragraphs kept, tags removed, page breaks rejoined."""

from __future__ import annotations

import html
import re

from fiscaldoc.lexicon.text import join_wrapped

_PARAGRAPH_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|li)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_TRAILING_CLOSE_P = re.compile(r"<\s*/\s*p\s*>\s*$", re.IGNORECASE)
_LEADING_OPEN_P = re.compile(r"^\s*<\s*p\b", re.IGNORECASE)


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
