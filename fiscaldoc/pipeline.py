"""One document through extract → normalise → check: the single call per document.

Both the Prefect flow and ``fiscaldoc extract`` use :func:`process`. It never
raises for a bad file: the result carries status ``failed``/``partial`` and a
one-line reason instead, so a batch always goes on.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fiscaldoc import PIPELINE_VERSION
from fiscaldoc.records import CheckResult, DocumentRecord, DocumentResult, DocumentStatus, Records

if TYPE_CHECKING:
    from collections.abc import Callable

    from fiscaldoc.document import RawDocument

_Reading = tuple["RawDocument", Records, list[CheckResult]]

_CHUNK = 1 << 20
ARITHMETIC_RULES = ("subtotal_matches_items", "total_matches_items", "sequence_complete")
"""Rules whose failure may be a misread table: the format's careful reading gets a try."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def one_line(exc: BaseException) -> str:
    """An exception as one short line a person can act on."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _document(
    path: Path,
    document_id: str,
    media_type: str,
    status: DocumentStatus,
    error: str | None,
    page_count: int | None = None,
    text_source: str | None = None,
) -> DocumentRecord:
    return DocumentRecord(
        document_id=document_id,
        source_uri=str(path),
        file_name=path.name,
        media_type=media_type,
        page_count=page_count,
        text_source=text_source,
        status=status,
        error=error,
        pipeline_version=PIPELINE_VERSION,
        ingested_at=datetime.now(UTC).replace(tzinfo=None),
    )


def _failures(checks: list[CheckResult]) -> int:
    return sum(1 for c in checks if c.status == "fail" and c.rule in ARITHMETIC_RULES)


def _careful(
    careful: Callable[[Path], RawDocument], path: Path, document_id: str, first: _Reading
) -> _Reading:
    """Read again with the format's reference parser; keep whichever reading adds up better."""
    from checks import run_checks
    from normalizers import normalize

    try:
        raw = careful(path)
        records = normalize(raw, document_id)
    except Exception:  # the first reading stands
        return first
    found = records.allocation_plans or records.performance_forms
    checks = run_checks(records, document_id) if found else []
    return (raw, records, checks) if found and _failures(checks) < _failures(first[2]) else first


def process(path: Path, document_id: str | None = None) -> DocumentResult:
    """Extract, normalise and check one file; never raises for a bad file."""
    from checks import run_checks
    from extractors import UnreadableDocument, detect
    from normalizers import normalize

    document_id = document_id or file_sha256(path)
    media_type = path.suffix.lstrip(".").lower() or "unknown"
    try:
        fmt = detect(path)
        media_type = fmt.media_type
        raw = fmt.extractor()(path)
    except UnreadableDocument as exc:
        return DocumentResult(document=_document(path, document_id, media_type, "failed", one_line(exc)))
    except Exception as exc:  # a parser bug on a hostile file must not stop the batch
        reason = f"could not read {media_type}: {type(exc).__name__}: {one_line(exc)}"
        return DocumentResult(document=_document(path, document_id, media_type, "failed", reason))

    try:
        records = normalize(raw, document_id)
    except Exception as exc:
        reason = f"could not normalise: {type(exc).__name__}: {one_line(exc)}"
        return DocumentResult(
            document=_document(
                path, document_id, media_type, "failed", reason, raw.page_count, raw.text_source
            )
        )

    found = records.allocation_plans or records.performance_forms
    checks = run_checks(records, document_id) if found else []
    if found and _failures(checks) and (careful := fmt.careful_extractor()) is not None:
        raw, records, checks = _careful(careful, path, document_id, (raw, records, checks))
    status: DocumentStatus = "loaded"
    error = None
    if not found:
        status = "failed"
        error = "; ".join(raw.problems) or (
            "not a budget attachment: no allocation table or performance form found"
        )
    elif raw.problems:
        status, error = "partial", "; ".join(raw.problems)
    return DocumentResult(
        document=_document(path, document_id, media_type, status, error, raw.page_count, raw.text_source),
        records=records,
        check_results=checks,
    )
