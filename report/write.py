"""``write_report``: the warehouse's documents → a folder of static HTML that opens from disk.

    OUT/index.html              every document: status, warnings, failed checks (filters, pages)
    OUT/documents/<id>.html     one document: its pages beside what was read from them
    OUT/pages/<id>/p0001.jpg    page images, drawn once (a document is its bytes)
    OUT/report.css, *.js        the report's own style and scripts; nothing else is fetched

Files are drawn in isolated workers (:mod:`fiscaldoc.report.workers`); a file that cannot
be found, has changed, or cannot be drawn still gets its page, saying why.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from fiscaldoc.model.settings import Settings
from fiscaldoc.report.data import DocumentData, check_exists, document_ids, read_documents
from fiscaldoc.report.document_page import Nav, Rendering, document_html
from fiscaldoc.report.geometry import Box
from fiscaldoc.report.index_page import IndexEntry, index_entry, index_html
from fiscaldoc.report.layout import Layout, layout
from fiscaldoc.report.matching import match
from fiscaldoc.report.render import PdfJob, PdfPages, Search, SourceBlocks, SourceJob, read_source, render_pdf
from fiscaldoc.report.sources import Source, Sources
from fiscaldoc.report.workers import Failed, Pool

ASSETS = ("report.css", "report.js", "index.js")
PAGE_FORMATS = ("pdf",)
SOURCE_FORMATS = ("text", "docx", "xlsx", "xls", "html")


@dataclass(frozen=True)
class ReportOptions:
    scale: float = 1.5
    """Page images at 1.5 × 72 = 108 dpi: CJK at 9 pt stays legible, a page is ~100 KB."""
    quality: int = 75
    workers: int | None = None
    """Documents drawn at once (default: the CPUs, at most 4)."""
    max_pages: int = 1000
    """A longer document has only its pages with records drawn."""
    max_blocks: int = 20_000
    """Rows of a file without pages shown at most."""
    title: str = "fiscaldoc review report"


@dataclass
class ReportResult:
    index: Path
    documents: int = 0
    pages_drawn: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def short_id(document_id: str) -> str:
    return document_id[:16]


def write_report(
    warehouse: str | Engine,
    out: Path,
    *,
    document_ids_wanted: Sequence[str] | None = None,
    archives: Sequence[str] = (),
    files: Mapping[str, Path] | None = None,
    settings: Settings | None = None,
    options: ReportOptions | None = None,
) -> ReportResult:
    """Write the report of ``document_ids_wanted`` (default: every document) and of the
    attachments of ``archives`` (source URIs) into ``out``. ``files`` maps document ids to
    files holding their bytes (else each document's ``source_uri`` is read)."""
    from fiscaldoc.warehouse.load import make_engine

    started = time.monotonic()
    settings = settings or Settings()
    options = options or ReportOptions()
    engine = warehouse if isinstance(warehouse, Engine) else None
    if engine is None:
        assert isinstance(warehouse, str)
        check_exists(warehouse)
        engine = make_engine(warehouse)
    try:
        with engine.connect() as conn:
            ids = document_ids(conn, document_ids_wanted, archives)
        result = _write(engine, ids, out, files, settings, options)
    finally:
        if not isinstance(warehouse, Engine):
            engine.dispose()
    result.seconds = time.monotonic() - started
    return result


def _write(
    engine: Engine,
    ids: list[str],
    out: Path,
    files: Mapping[str, Path] | None,
    settings: Settings,
    options: ReportOptions,
) -> ReportResult:
    (out / "documents").mkdir(parents=True, exist_ok=True)
    (out / "pages").mkdir(exist_ok=True)
    for name in ASSETS:
        text = resources.files("fiscaldoc.report").joinpath("static", name).read_text(encoding="utf-8")
        (out / name).write_text(text, encoding="utf-8")
    result = ReportResult(index=out / "index.html", documents=len(ids))
    entries: dict[str, IndexEntry] = {}
    hrefs = [f"{short_id(i)}.html" for i in ids]
    position = {doc_id: n for n, doc_id in enumerate(ids)}
    workers = options.workers or min(4, os.cpu_count() or 1)
    with Sources(files, settings.reading.zip) as sources, Pool[str](workers, settings.worker) as pool:
        for chunk in _chunks(read_documents(engine, ids)):
            pending: dict[str, _Pending] = {}
            jobs = []
            for doc in chunk:
                shown = doc.document.media_type in (*PAGE_FORMATS, *SOURCE_FORMATS)
                item = _Pending(doc, layout(doc), sources.find(doc.document) if shown else Source(None))
                job = _job(item, out, options, settings)
                if job is None:
                    _finish(item, None, out, hrefs, position[doc.document.document_id], entries, result)
                    sources.release(item.source)
                else:
                    pending[doc.document.document_id] = item
                    jobs.append((doc.document.document_id, *job))
            for doc_id, answer in pool.run(jobs):
                item = pending.pop(doc_id)
                _finish(item, answer, out, hrefs, position[doc_id], entries, result)
                sources.release(item.source)
    ordered = [entries[i] for i in ids if i in entries]
    result.index.write_text(index_html(ordered, options.title), encoding="utf-8")
    return result


def _chunks(docs: Iterator[DocumentData], size: int = 100) -> Iterator[list[DocumentData]]:
    chunk: list[DocumentData] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Pending:
    doc: DocumentData
    layout: Layout
    source: Source


def _job(item: _Pending, out: Path, options: ReportOptions, settings: Settings) -> tuple[Any, Any] | None:
    """What to do with the document's file in a worker, or None when there is nothing to do."""
    path = item.source.path
    media = item.doc.document.media_type
    if path is None:
        return None
    if media in PAGE_FORMATS:
        count = item.doc.document.page_count
        pages = None
        if count is not None and count > options.max_pages:
            pages = frozenset(n for n in item.layout.pages if n is not None)
        return render_pdf, PdfJob(
            path=str(path),
            image_dir=str(out / "pages" / short_id(item.doc.document.document_id)),
            scale=options.scale,
            quality=options.quality,
            pages=pages,
            searches=_searches(item.layout),
        )
    if media in SOURCE_FORMATS:
        return read_source, SourceJob(str(path), settings.reading, options.max_blocks)
    return None


def _searches(lay: Layout) -> dict[int, tuple[Search, ...]]:
    """Records with a page but no box, to be found on the page by their name and amount. A
    blank amount cell has nothing of its own to find: its link goes to the page."""
    wanted: dict[int, list[Search]] = {}
    seen: dict[tuple[str, str], int] = {}
    for anchor, mark in lay.marks.items():
        if mark.box is not None or mark.page is None or len(mark.needles) < 2:
            continue
        name, amount = mark.needles[0].strip(), mark.needles[1].strip()
        if not name:
            continue
        if anchor.startswith("l"):  # a budget line: one amount cell of its printed row
            if not amount:
                continue
            row = f"{anchor.rsplit('-', 1)[0]}/{name}"  # a two-sided row prints two names
            nth = seen.get((row, amount), 0)
            seen[(row, amount)] = nth + 1
            search = Search(anchor, name, amount, row, cell=True, nth=nth)
        else:
            search = Search(anchor, name, amount, anchor)
        wanted.setdefault(mark.page, []).append(search)
    return {page: tuple(searches) for page, searches in wanted.items()}


def _finish(
    item: _Pending,
    answer: object,
    out: Path,
    hrefs: list[str],
    position: int,
    entries: dict[str, IndexEntry],
    result: ReportResult,
) -> None:
    doc, lay = item.doc, item.layout
    rendering = Rendering()
    if item.source.note:
        rendering.notes.append(item.source.note)
    short = short_id(doc.document.document_id)
    if isinstance(answer, Failed):
        drawn = doc.document.media_type in PAGE_FORMATS
        what = "pages could not be drawn" if drawn else "file could not be read"
        rendering.notes.append(f"{what}: {answer.reason}")
        result.problems.append(f"{doc.document.file_name}: {what}: {answer.reason}")
    elif isinstance(answer, PdfPages):
        rendering.sizes = answer.sizes
        rendering.images = {n: f"../pages/{short}/{name}" for n, name in answer.images.items()}
        rendering.notes.extend(answer.problems)
        result.pages_drawn += len(answer.images)
        for anchor, points in answer.located.items():
            mark = lay.marks[anchor]
            mark.box, mark.located = Box(*points), True
    elif isinstance(answer, SourceBlocks):
        rendering.source = answer
        rendering.spots = match(answer.blocks, lay.marks.values())
        rendering.notes.extend(answer.problems)
    nav = Nav(
        index="../index.html",
        previous=hrefs[position - 1] if position > 0 else None,
        next=hrefs[position + 1] if position + 1 < len(hrefs) else None,
    )
    target = out / "documents" / hrefs[position]
    target.write_text(document_html(doc, lay, rendering, nav), encoding="utf-8")
    entries[doc.document.document_id] = index_entry(doc, lay, f"documents/{hrefs[position]}", rendering.notes)
