"""The same document in different formats yields the same records."""

from __future__ import annotations

from typing import Any

import pytest

from fiscaldoc.pipeline import process
from fiscaldoc.records import Records
from tests.truth import SEED, project

# Provenance differs by format (pages, boxes, engines, ids); the content must not.
PROVENANCE = {"plan_id", "form_id", "document_id", "page", "bbox", "engine", "page_start", "page_end"}
SEED_RENDERINGS = ["000_4ea89972e077d80e.txt", "seed-ruled.pdf", "seed.docx"]


def content(records: Records) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in the contract's comparison form, provenance removed."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in Records.model_fields:
        rows = getattr(records, name)
        out[name] = [project(r, [f for f in type(r).model_fields if f not in PROVENANCE]) for r in rows]
    return out


@pytest.fixture(scope="module")
def seed_contents() -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {name: content(process(SEED / name).records) for name in SEED_RENDERINGS}


@pytest.mark.parametrize("other", SEED_RENDERINGS[1:])
def test_renderings_agree(seed_contents: dict[str, Any], other: str) -> None:
    reference = seed_contents[SEED_RENDERINGS[0]]
    got = seed_contents[other]
    for table in reference:
        assert got[table] == reference[table], f"{other}: {table} differs from the text rendering"
