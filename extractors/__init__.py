"""Extractors: one module per input format, each ``extract(path) -> RawDocument``.

:data:`FORMATS` is the one registry of formats. Everything else (detection,
the CLI's help, tests) reads it. Extractor modules are imported lazily, so a
text file never pays for pdfplumber's import.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import UnreadableDocument
from fiscaldoc.document import RawDocument

__all__ = ["FORMATS", "Format", "UnreadableDocument", "detect", "extract", "suffixes"]

_SNIFF_BYTES = 8192
_ZIP = b"PK\x03\x04"
_HTML = (
    b"<!DOCTYPE html",
    b"<!doctype html",
    b"<!DOCTYPE HTML",
    b"<html",
    b"<HTML",
    b"<table",
    b"<TABLE",
    b"<?xml",
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office compound file (.xls; .doc too)


@dataclass(frozen=True)
class Format:
    media_type: str
    module: str
    suffixes: tuple[str, ...]
    magic: tuple[bytes, ...] = ()
    zip_entry: str | None = None
    """For zip-based formats: an entry the zip must hold (``word/document.xml``)."""
    archive: bool = False
    """An archive of attachments: the batch expands its entries (:mod:`fiscaldoc.archives`)."""

    def extractor(self) -> Callable[[Path], RawDocument]:
        fn: Callable[[Path], RawDocument] = importlib.import_module(self.module).extract
        return fn


FORMATS: dict[str, Format] = {
    f.media_type: f
    for f in (
        Format("pdf", "extractors.pdf", (".pdf",), (b"%PDF-",)),
        Format("docx", "extractors.docx", (".docx",), (_ZIP,), zip_entry="word/document.xml"),
        Format("xlsx", "extractors.xlsx", (".xlsx", ".xlsm"), (_ZIP,), zip_entry="xl/workbook.xml"),
        Format("xls", "extractors.xls", (".xls",), (_OLE2,)),
        Format("html", "extractors.html", (".html", ".htm"), _HTML),
        Format("zip", "fiscaldoc.archives", (".zip",), (_ZIP,), archive=True),
        Format("text", "extractors.text", (".txt", ".csv", ".tsv", "")),
    )
}


def suffixes() -> set[str]:
    """Every suffix a registered format claims (``""``: files without one)."""
    return {s for fmt in FORMATS.values() for s in fmt.suffixes}


def _zip_holds(path: Path, entry: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return entry in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _claimed_by_another(suffix: str, fmt: Format) -> bool:
    """A zip named ``.docx`` that is no Word document is a broken .docx, not an archive."""
    return any(suffix in other.suffixes and other.magic for other in FORMATS.values() if other is not fmt)


def _matches(fmt: Format, head: bytes, path: Path) -> bool:
    if not any(head[: len(m)] == m for m in fmt.magic):
        return False
    return fmt.zip_entry is None or _zip_holds(path, fmt.zip_entry)


def detect(path: Path) -> Format:
    """The format of a file: magic bytes first (zip-based formats by an entry inside
    the zip, not by ``PK`` alone), then the suffix."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise UnreadableDocument("empty file (0 bytes)")
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    suffix = path.suffix.lower()
    for fmt in FORMATS.values():
        if _matches(fmt, start, path) and not (fmt.archive and _claimed_by_another(suffix, fmt)):
            return fmt
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
