"""Untrusted text (file names, reasons, cell text) made safe for where it is shown.

File names may hold newlines, pipes or markup, and a reason quotes the file;
nothing of that may break a line of the summary, a Markdown table or HTML.
"""

from __future__ import annotations

import html


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
