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
    careful: str | None = None
    """A slower reference reading in the same module, for documents whose amounts do not add up."""

    def extractor(self) -> Callable[[Path], RawDocument]:
        fn: Callable[[Path], RawDocument] = importlib.import_module(self.module).extract
        return fn

    def careful_extractor(self) -> Callable[[Path], RawDocument] | None:
        if self.careful is None:
            return None
        fn: Callable[[Path], RawDocument] = getattr(importlib.import_module(self.module), self.careful)
        return fn


FORMATS: dict[str, Format] = {
    f.media_type: f
    for f in (
        Format("pdf", "extractors.pdf", (".pdf",), (b"%PDF-",), careful="extract_careful"),
        Format("text", "extractors.text", (".txt", ".csv", ".tsv", "")),
    )
}


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
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            raise UnreadableDocument(
                f"named {suffix} but its content is not {fmt.media_type} (starts {head[:8]!r})"
            )
    raise UnreadableDocument(f"unsupported file type {suffix or '(no suffix)'}")


def extract(path: Path) -> RawDocument:
    """Read one file into the intermediate document, or raise UnreadableDocument."""
    return detect(path).extractor()(path)
