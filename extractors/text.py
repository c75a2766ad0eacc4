"""Text dumps (.txt/.csv/.tsv): encoding detected, one tab-separated line per table row."""

from __future__ import annotations

from pathlib import Path

from extractors.errors import UnreadableDocument
from fiscaldoc.document import Block, Cell, Line, RawDocument, Row

ENGINE = "text"
_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


def decode(data: bytes) -> str:
    """Bytes → text: BOM, then strict UTF-8, then charset-normalizer's best guess."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument("not text: no character encoding fits its bytes")
    return str(best)


def split_cells(line: str) -> list[str] | None:
    """A tab-separated line's cells, or None for running text."""
    if "\t" in line:
        return line.split("\t")
    return None


def to_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        cells = split_cells(line)
        if cells is not None:
            blocks.append(Row(tuple(Cell(c.strip()) for c in cells), engine=ENGINE))
        elif line.strip():
            blocks.append(Line(line.strip()))
    return blocks


def extract(path: Path) -> RawDocument:
    text = decode(path.read_bytes())
    if "\x00" in text:
        raise UnreadableDocument("binary content, not a text dump (NUL bytes)")
    return RawDocument(media_type="text", engine=ENGINE, blocks=to_blocks(text))
