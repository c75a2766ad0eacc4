"""Normalisers: the intermediate document → typed contract records.

:data:`DOCUMENT_TYPES` is the one registry of document types. Each type says
where one of its tables starts in the block stream and consumes it; the
walker below hands every block to the first type that claims it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fiscaldoc.model.document import Block, RawDocument
from fiscaldoc.model.records import Records
from fiscaldoc.normalizers import allocation, budget, performance
from fiscaldoc.normalizers.parse_log import number_reports

__all__ = ["DOCUMENT_TYPES", "DocumentType", "normalize"]


@dataclass(frozen=True)
class DocumentType:
    name: str
    table: str
    """The contract table its records head."""
    starts_at: Callable[[Sequence[Block], int], bool]
    consume: Callable[[Sequence[Block], int, str, int], tuple[Records, int]]
    finish: Callable[[RawDocument, str, Records], None] | None = None
    """Records a type derives from the whole document once the walk is done (a budget
    disclosure's 说明 figures, read only where its tables were found)."""


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.name: t
    for t in (
        DocumentType(
            "allocation_plan", "allocation_plans", allocation.starts_at, allocation.consume, allocation.finish
        ),
        DocumentType("performance_form", "performance_forms", performance.starts_at, performance.consume),
        DocumentType("budget_table", "budget_tables", budget.starts_at, budget.consume, budget.finish),
    )
}


def normalize(doc: RawDocument, document_id: str) -> Records:
    """Every plan, form and budget table found in the document, in reading order."""
    records = _walk(doc, document_id)
    for kind in DOCUMENT_TYPES.values():
        if kind.finish is not None:
            kind.finish(doc, document_id, records)
    number_reports(records.parse_reports)
    return records


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
