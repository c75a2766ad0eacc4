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

from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.model.document import RawDocument
from fiscaldoc.model.settings import ReadingLimits

Extractor = Callable[[Path, ReadingLimits], RawDocument]
"""Every format's ``extract(path, limits)``."""

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
    """An archive of attachments: the batch expands its entries (:mod:`fiscaldoc.extractors.archive`)."""

    def extractor(self) -> Extractor:
        fn: Extractor = importlib.import_module(self.module).extract
        return fn


FORMATS: dict[str, Format] = {
    f.media_type: f
    for f in (
        Format("pdf", "fiscaldoc.extractors.pdf", (".pdf",), (b"%PDF-",)),
        Format("docx", "fiscaldoc.extractors.docx", (".docx",), (_ZIP,), zip_entry="word/document.xml"),
        Format("xlsx", "fiscaldoc.extractors.xlsx", (".xlsx", ".xlsm"), (_ZIP,), zip_entry="xl/workbook.xml"),
        Format("xls", "fiscaldoc.extractors.xls", (".xls",), (_OLE2,)),
        Format("html", "fiscaldoc.extractors.html", (".html", ".htm"), _HTML),
        Format("zip", "fiscaldoc.extractors.archive", (".zip",), (_ZIP,), archive=True),
        Format("text", "fiscaldoc.extractors.text", (".txt", ".csv", ".tsv", "")),
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
    what = sniff(head)
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            actually = f"it is {what}" if what else f"it starts {head[:8]!r}"
            raise UnreadableDocument(f"named {suffix} but its content is not {fmt.media_type}: {actually}")
    hint = _ARCHIVE_HINT if what and "archive" in what else ""
    kind = f" ({what}{hint})" if what else ""
    raise UnreadableDocument(f"unsupported file type {suffix or '(no suffix)'}{kind}")


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    """Read one file into the intermediate document, or raise UnreadableDocument."""
    return detect(path).extractor()(path, limits or ReadingLimits())
