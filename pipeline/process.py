"""One document through extract → normalise → check: the single call per document.

Both the Prefect flow and ``fiscaldoc extract`` use :func:`process`. It never
raises for a bad file: the result carries status ``failed``/``partial`` and a
one-line reason instead, so a batch always goes on.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from fiscaldoc import PIPELINE_VERSION
from fiscaldoc.extractors.archive import file_name_of
from fiscaldoc.lexicon.escaping import path_text, storable
from fiscaldoc.model.records import DocumentRecord, DocumentResult, DocumentStatus, ParseReport, Records
from fiscaldoc.model.settings import ReadingLimits
from fiscaldoc.pipeline.stages import stage

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _clip(text: str, limit: int = 500) -> str:
    """One line of at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(exc: BaseException) -> str:
    """An exception as one short line a person can act on."""
    return _clip(str(exc) or type(exc).__name__, 300)


def _document(
    source_uri: str,
    document_id: str,
    media_type: str,
    status: DocumentStatus,
    error: str | None,
    page_count: int | None = None,
    text_source: str | None = None,
) -> DocumentRecord:
    source_uri = storable(source_uri)  # a name's bytes that are not UTF-8 kept as \\xNN
    return DocumentRecord(
        document_id=document_id,
        source_uri=source_uri,
        file_name=file_name_of(source_uri),
        media_type=media_type,
        page_count=page_count,
        text_source=text_source,
        status=status,
        error=None if error is None else storable(error),
        pipeline_version=PIPELINE_VERSION,
        ingested_at=datetime.now(UTC).replace(tzinfo=None),
    )


def failed_result(source_uri: str, document_id: str, media_type: str, reason: str) -> DocumentResult:
    """A ``failed`` documents row for something that could not even be read."""
    return DocumentResult(document=_document(source_uri, document_id, media_type, "failed", _clip(reason)))


def archive_result(path: Path, document_id: str, source_uri: str, limits: ReadingLimits) -> DocumentResult:
    """An archive's own documents row (media_type ``zip``): ``loaded`` when every attachment in
    it can be extracted, ``partial`` naming the first one refused, ``failed`` when none can.
    Its entries are ingested as documents of their own by the batch (:mod:`fiscaldoc.flows.batch`)."""
    from fiscaldoc.extractors import suffixes
    from fiscaldoc.extractors.archive import survey

    found = survey(path, limits.zip, suffixes())
    rejected = found.rejected
    if found.problem or not found.members:
        return failed_result(source_uri, document_id, "zip", found.problem or "archive holds no attachments")
    status: DocumentStatus = "partial" if rejected else "loaded"
    error = None
    if rejected:
        error = (
            f"{len(rejected)} of {len(found.members)} entries not extracted; "
            f"{rejected[0].name}: {rejected[0].problem}"
        )[:300]
    return DocumentResult(document=_document(source_uri, document_id, "zip", status, error))


def media_type_guess(path: Path) -> str:
    """The registered format a file looks like, else its suffix (for rows of failed files)."""
    from fiscaldoc.extractors import detect

    try:
        return detect(path).media_type
    except Exception:
        return path.suffix.lstrip(".").lower() or "unknown"


def failed_document(
    path: Path, document_id: str, reason: str, source_uri: str | None = None
) -> DocumentRecord:
    """The ``documents`` row of a file that yielded nothing, with its one-line reason."""
    return failed_result(source_uri or path_text(path), document_id, media_type_guess(path), reason).document


def budget_problems(records: Records, document_id: str) -> list[str]:
    """Budget tables whose sums fail too widely to be the document's errors: we misread them."""
    if not records.budget_tables:
        return []
    from fiscaldoc.checks.budget_sums import misread_tables

    return list(misread_tables(records, document_id).values())


def notes_report(notes: list[str], document_id: str, records: Records) -> ParseReport:
    """What the kept reading changed on a second look (figures OCR re-read), as a parse report."""
    ordinal = max((r.ordinal for r in records.parse_reports), default=0) + 1
    return ParseReport(
        document_id=document_id,
        ordinal=ordinal,
        kind="ocr-reread",
        rows_seen=len(notes),
        rows_read=len(notes),
        rows_skipped=0,
        detail="\n".join(notes),
    )


def process(
    path: Path,
    document_id: str | None = None,
    source_uri: str | None = None,
    limits: ReadingLimits | None = None,
) -> DocumentResult:
    """Extract, normalise and check one file; never raises for a bad file.

    ``source_uri`` names where the bytes came from when ``path`` is a temporary copy
    (an archive's entry: ``archive.zip!/附件8.pdf``); it defaults to ``path``.
    ``MemoryError`` alone is let through: under :mod:`fiscaldoc.flows.isolation` it means the
    worker hit its memory limit, which the parent reports for the document.
    """
    from fiscaldoc.extractors import UnreadableDocument, detect
    from fiscaldoc.pipeline.choice import choose
    from fiscaldoc.pipeline.honesty import excuse_misread, reading_failures

    document_id = document_id or file_sha256(path)
    limits = limits or ReadingLimits()
    source = source_uri or path_text(path)
    media_type = path.suffix.lstrip(".").lower() or "unknown"
    try:
        fmt = detect(path)
        media_type = fmt.media_type
        if fmt.archive:
            return archive_result(path, document_id, source, limits)
        with stage("extract"):
            raw = fmt.extractor()(path, limits)
    except UnreadableDocument as exc:
        return failed_result(source, document_id, media_type, one_line(exc))
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug on a hostile file must not stop the batch
        reason = f"could not read {media_type}: {type(exc).__name__}: {one_line(exc)}"
        return failed_result(source, document_id, media_type, reason)

    try:
        reading = choose(raw, document_id)
    except MemoryError:
        raise
    except Exception as exc:
        reason = f"could not normalise: {type(exc).__name__}: {one_line(exc)}"
        return DocumentResult(
            document=_document(
                source, document_id, media_type, "failed", reason, raw.page_count, raw.text_source
            )
        )

    raw, records = reading.raw, reading.records
    if raw.notes:
        records.parse_reports.append(notes_report(raw.notes, document_id, records))
    found = records.allocation_plans or records.performance_forms or records.budget_tables
    unread = reading_failures(records)
    problems = [*raw.problems, *budget_problems(records, document_id), *unread]
    status: DocumentStatus = "loaded"
    error = None
    if not found and not unread:
        status = "failed"
        error = "; ".join(problems) or (
            "not a budget attachment: no allocation table, performance form or budget table found"
        )
    elif problems:
        status, error = "partial", "; ".join(problems)
    if error is not None:
        error = _clip(error)
    return DocumentResult(
        document=_document(source, document_id, media_type, status, error, raw.page_count, raw.text_source),
        records=records,
        check_results=excuse_misread(records, reading.checks) if found else [],
    )
