"""Extractors: one module per input format, each ``extract(path) -> RawDocument``.

:data:`FORMATS` is the one registry of formats. Everything else (detection,
the CLI's help, tests) reads it. Extractor modules are imported lazily, so a
text file never pays for pdfplumber's import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import UnreadableDocument
from fiscaldoc.document import RawDocument

__all__ = ["FORMATS", "Format", "UnreadableDocument", "detect", "extract"]

_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Format:
    media_type: str
    module: str
    suffixes: tuple[str, ...]
    magic: tuple[bytes, ...] = ()

    def extractor(self) -> Callable[[Path], RawDocument]:
        fn: Callable[[Path], RawDocument] = importlib.import_module(self.module).extract
        return fn


FORMATS: dict[str, Format] = {
    f.media_type: f
    for f in (
        Format("pdf", "extractors.pdf", (".pdf",), (b"%PDF-",)),
        Format("text", "extractors.text", (".txt", ".csv", ".tsv", "")),
    )
}


# What a file really is, when no registered format claims it: for the one-line reason only.
_KNOWN_CONTENT: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive or Office (OOXML) file"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (DOC/XLS/WPS)"),
    (b"{\\rtf", "an RTF document"),
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "an XML file"),
    (b"%PDF-", "a PDF"),
)
_ARCHIVE_HINT = "; unpack it and ingest the files inside"


def sniff(head: bytes) -> str | None:
    """What the first bytes say a file is (``a PNG image``), if recognisable."""
    start = head.lstrip()[:16].lower()
    for magic, what in _KNOWN_CONTENT:
        if start.startswith(magic.lower()):
            return what
    return None


def detect(path: Path) -> Format:
    """The format of a file: magic bytes first, then the suffix."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise UnreadableDocument("empty file (0 bytes)")
    for fmt in FORMATS.values():
        if any(head.lstrip()[: len(m)] == m for m in fmt.magic):
            return fmt
    suffix = path.suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes and not fmt.magic:
            return fmt
    what = sniff(head)
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            actually = f"it is {what}" if what else f"it starts {head[:8]!r}"
            raise UnreadableDocument(f"named {suffix} but its content is not {fmt.media_type}: {actually}")
    hint = _ARCHIVE_HINT if what and "archive" in what else ""
    kind = f" ({what}{hint})" if what else ""
    raise UnreadableDocument(f"unsupported file type {suffix or '(no suffix)'}{kind}")


def extract(path: Path) -> RawDocument:
    """Read one file into the intermediate document, or raise UnreadableDocument."""
    return detect(path).extractor()(path)
