"""Writing HTML safely: every text from a document goes through :func:`esc` (or
:func:`json_script` for data handed to the page's script). Nothing here fetches anything:
pages link only to the report's own files, so a report opens from disk."""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any


def esc(value: object) -> str:
    """Text for an element's content or a quoted attribute value."""
    return html.escape("" if value is None else str(value), quote=True)


def json_script(element_id: str, data: Any) -> str:
    """``data`` as JSON inside ``<script type="application/json">``: ``<``, ``>`` and ``&``
    become escapes, so no text (``</script>``) can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(ch, escape)
    text = text.replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def yuan(value: Decimal | None) -> str:
    """An amount in yuan with thousands separators; exact (Decimal), blank when None."""
    if value is None:
        return ""
    return f"{value:,.2f}"


def page_head(title: str, root: str, scripts: tuple[str, ...] = ("report.js",)) -> str:
    """Everything before ``<body>``: ``root`` is the path from the page to the report's folder."""
    tags = "".join(f'<script src="{esc(root)}{esc(s)}" defer></script>' for s in scripts)
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No network: the page may load only its own files, and runs only its own scripts.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'self\' data: file:; '
        "script-src 'self' file:; style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data:\">"
        f"<title>{esc(title)}</title>"
        f'<link rel="stylesheet" href="{esc(root)}report.css">{tags}</head>\n'
    )
