"""Text dumps (.txt/.csv/.tsv): encoding detected, one tab-separated line per table row."""

from __future__ import annotations

import os
from pathlib import Path

from extractors.errors import UnreadableDocument
from fiscaldoc.document import Block, Cell, Line, RawDocument, Row

ENGINE = "text"
MAX_TEXT_MB = 50
MAX_TEXT_ENV = "FISCALDOC_MAX_TEXT_MB"
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
        raise UnreadableDocument(_mixed_encodings(data) or "not text: no character encoding fits its bytes")
    return str(best)


def _mixed_encodings(data: bytes) -> str | None:
    """A reason naming the line where valid UTF-8 (with CJK in it) gives way to other bytes."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start]
        if not any(b >= 0x80 for b in good):
            return None  # no UTF-8 text before the break: just not UTF-8
        line = good.count(b"\n") + 1
        return (
            f"mixed encodings: UTF-8 up to line {line}, other bytes from there; "
            "re-save the whole file in one encoding (UTF-8)"
        )
    return None


def max_text_bytes() -> int:
    raw = os.environ.get(MAX_TEXT_ENV, "").strip()
    return (int(raw) if raw.isdigit() and int(raw) > 0 else MAX_TEXT_MB) << 20


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
    size, limit = path.stat().st_size, max_text_bytes()
    if size > limit:
        raise UnreadableDocument(
            f"text file of {size / (1 << 20):.0f} MB, over the {limit >> 20} MB limit for text dumps "
            f"({MAX_TEXT_ENV}); split it"
        )
    text = decode(path.read_bytes())
    if "\x00" in text:
        raise UnreadableDocument("binary content, not a text dump (NUL bytes)")
    return RawDocument(media_type="text", engine=ENGINE, blocks=to_blocks(text))
