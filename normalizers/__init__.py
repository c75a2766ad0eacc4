"""Normalisers: the intermediate document → typed contract records.

:data:`DOCUMENT_TYPES` is the one registry of document types. Each type says
where one of its tables starts in the block stream and consumes it; the
walker below hands every block to the first type that claims it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fiscaldoc.model.document import Block, Normalized, RawDocument
from fiscaldoc.model.records import Records
from fiscaldoc.normalizers import allocation, performance

__all__ = ["DOCUMENT_TYPES", "DocumentType", "normalize", "normalize_and_keep"]


@dataclass(frozen=True)
class DocumentType:
    name: str
    table: str
    """The contract table its records head."""
    starts_at: Callable[[Sequence[Block], int], bool]
    consume: Callable[[Sequence[Block], int, str, int], tuple[Records, int]]


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.name: t
    for t in (
        DocumentType("allocation_plan", "allocation_plans", allocation.starts_at, allocation.consume),
        DocumentType("performance_form", "performance_forms", performance.starts_at, performance.consume),
    )
}


def normalize(doc: RawDocument, document_id: str) -> Records:
    """Every plan and form found in the document, in reading order.

    A parse already normalised by a judge (:func:`fiscaldoc.pipeline.choice.judge`) under a
    placeholder id is not read twice: its records are re-keyed to ``document_id``."""
    earlier = doc.normalized
    if earlier is not None and earlier.blocks == len(doc.blocks):
        return _rekeyed(earlier.records, earlier.document_id, document_id)
    return _walk(doc, document_id)


def normalize_and_keep(doc: RawDocument, document_id: str) -> Records:
    """:func:`normalize`, remembering the records on ``doc`` for the next call."""
    records = _walk(doc, document_id)
    doc.normalized = Normalized(document_id, len(doc.blocks), records)
    return records


def _rekeyed(records: Records, old: str, new: str) -> Records:
    """``records`` as read for document ``old``, under ``new``: plan and form ids are
    ``{document_id}:{ordinal}`` (:mod:`.allocation`, :mod:`.performance`)."""

    def key(value: str) -> str:
        return new + value[len(old) :] if value.startswith(f"{old}:") else value

    return Records(
        allocation_plans=[
            p.model_copy(update={"plan_id": key(p.plan_id), "document_id": new})
            for p in records.allocation_plans
        ],
        allocation_items=[i.model_copy(update={"plan_id": key(i.plan_id)}) for i in records.allocation_items],
        allocation_subtotals=[
            s.model_copy(update={"plan_id": key(s.plan_id)}) for s in records.allocation_subtotals
        ],
        performance_forms=[
            f.model_copy(update={"form_id": key(f.form_id), "document_id": new})
            for f in records.performance_forms
        ],
        performance_indicators=[
            i.model_copy(update={"form_id": key(i.form_id)}) for i in records.performance_indicators
        ],
    )


def _walk(doc: RawDocument, document_id: str) -> Records:
    records = Records()
    ordinals: Counter[str] = Counter()
    blocks, i = doc.blocks, 0
    while i < len(blocks):
        for kind in DOCUMENT_TYPES.values():
            if kind.starts_at(blocks, i):
                ordinals[kind.name] += 1
                found, end = kind.consume(blocks, i, document_id, ordinals[kind.name])
                records.extend(found)
                i = max(end, i + 1)
                break
        else:
            i += 1
    return records
