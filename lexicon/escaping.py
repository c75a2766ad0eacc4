"""Untrusted text (file names, reasons, cell text) made safe for where it is shown.

File names may hold newlines, pipes or markup, and a reason quotes the file;
nothing of that may break a line of the summary, a Markdown table or HTML.
"""

from __future__ import annotations

import html
import os


def printable(text: str) -> str:
    """Control characters (a newline in a file name) shown as escapes; all else kept.

    For plain-text places: the CLI summary (after Rich's ``escape``) and Prefect table
    artifacts, whose cells the UI shows as text."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def markdown_cell(text: str) -> str:
    """Text inside Markdown (a markdown artifact): one line, no live markup, HTML or table pipes."""
    escaped = html.escape(printable(text), quote=False)
    for ch in "\\|`*_[]#":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def storable(text: str) -> str:
    """Text every warehouse and JSON encoder takes: valid UTF-8, nothing lost.

    A file name whose bytes are not UTF-8 (GBK on a UTF-8 system) reaches Python as
    surrogate escapes, which no UTF-8 column accepts: those bytes are written as ``\\xNN``
    (``\\xd4\\xa4.txt``), so the file keeps a row and a name a person can find it by.
    Any other lone surrogate is written as ``\\udNNN``."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def path_text(path: os.PathLike[str] | str) -> str:
    """A path as :func:`storable` text: what a ``documents`` row keeps as its source."""
    return storable(os.fspath(path))
