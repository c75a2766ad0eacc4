"""HTML exports through lxml: tables → rows (rowspan/colspan on a grid), other text → lines.

Cells covered by a ``rowspan``/``colspan`` are covered positions with no text;
``<p>``/``<br>``/``<div>`` inside a cell become ``\\n`` paragraph breaks.
A table holding other tables, with at most two cells a row, is page layout: its cells are walked as text
and the tables inside them read as tables.
Whitespace is collapsed as a browser would. The encoding is the page's
``<meta charset>`` when it declares one, else detected like a text dump.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fiscaldoc.extractors.encoding import decode
from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.extractors.titles import leading_titles
from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "lxml-html"
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "caption",
        "blockquote",
        "pre",
        "title",
        "tr",
        "table",
        "form",
        "body",
        "html",
        "hr",
        "address",
    ]
)
LAYOUT_MAX_CELLS = 2
SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template"})
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in an already decoded page
_WS = re.compile(r"[ \t\r\n\f\u00a0]+")
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def page_text(data: bytes) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(_SUPERSET.get(name, name))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


class _Text:
    """Inline text gathered between block boundaries; ``flush`` yields its lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(_WS.sub(" ", text))

    def br(self) -> None:
        self.parts.append("\n")

    def flush(self) -> list[str]:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        self.parts.clear()
        return [line for line in lines if line]


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _walk(el: Any, text: _Text, blocks: list[Block] | None, lines: list[str]) -> None:
    """Text of ``el`` into ``lines`` at block boundaries; tables into ``blocks`` when given."""
    tag = _tag(el)
    if tag in SKIP_TAGS or not isinstance(el.tag, str):
        text.add(el.tail)
        return
    if tag == "table" and blocks is not None and not _is_layout(el):
        _flush(text, blocks, lines)
        blocks.extend(leading_titles(table_rows(el)))
        text.add(el.tail)
        return
    boundary = tag in BLOCK_TAGS
    if boundary:
        _flush(text, blocks, lines)
    if tag == "br":
        text.br()
    elif tag in ("td", "th"):
        text.add(" ")
    text.add(el.text)
    for child in el:
        _walk(child, text, blocks, lines)
    if boundary:
        _flush(text, blocks, lines)
    text.add(el.tail)


def _is_layout(table: Any) -> bool:
    """A table around other tables with at most two cells a row is page layout."""
    own = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    widest = max((sum(_span(td, "colspan") for td in tr.xpath("./td | ./th")) for tr in own), default=0)
    return widest <= LAYOUT_MAX_CELLS and bool(table.xpath(".//table"))


def _flush(text: _Text, blocks: list[Block] | None, lines: list[str]) -> None:
    found = text.flush()
    if blocks is not None:
        blocks.extend(Line(line) for line in found)
    else:
        lines.extend(found)


def cell_text(td: Any) -> str:
    text, lines = _Text(), list[str]()
    text.add(td.text)
    for child in td:
        _walk(child, text, None, lines)
    lines.extend(text.flush())
    return "\n".join(lines)


def _span(td: Any, name: str) -> int:
    try:
        return max(1, min(int(str(td.get(name, "1")).strip() or 1), 1000))
    except ValueError:
        return 1


def table_rows(table: Any) -> Iterator[Row]:
    """The table's own rows (not nested tables') on a grid: spanned positions covered."""
    grid: list[list[Cell | None]] = []
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    for r, tr in enumerate(trs):
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        col = 0
        for td in tr.xpath("./td | ./th"):
            while col < len(row) and row[col] is not None:
                col += 1
            rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(min(rowspan, len(trs) - r)):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                target.extend([None] * (col + colspan - len(target)))
                for dc in range(colspan):
                    target[col + dc] = Cell("", covered=True)
            row[col] = Cell(cell_text(td), span=(min(rowspan, len(trs) - r), colspan))
            col += colspan
    width = max((len(row) for row in grid), default=0)
    for row in grid:
        cells = [c if c is not None else Cell("") for c in row] + [Cell("")] * (width - len(row))
        if any(not c.is_blank for c in cells):
            yield Row(tuple(cells), engine=ENGINE)


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page_text(path.read_bytes()), 1))
    except (ParserError, ValueError) as exc:
        raise UnreadableDocument(f"not a readable HTML page: {exc}") from exc
    blocks: list[Block] = []
    text = _Text()
    body = root.find("body")
    _walk(body if body is not None else root, text, blocks, [])
    _flush(text, blocks, [])
    return RawDocument(media_type="html", engine=ENGINE, blocks=blocks)
