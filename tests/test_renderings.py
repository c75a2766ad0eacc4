"""The same document in different formats yields the same records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fiscaldoc.model.records import Records
from fiscaldoc.pipeline.process import process

from helpers.renderings import as_csv, seed_html, seed_workbook, seed_xls, space_aligned
from helpers.truth import SEED, project

# Provenance differs by format (pages, boxes, engines, ids); the content must not.
PROVENANCE = {"plan_id", "form_id", "document_id", "page", "bbox", "engine", "page_start", "page_end"}
READING = {"parse_reports"}
"""How a file was read (rows seen, skipped, which record they became) differs by format."""
SEED_RENDERINGS = ["000_4ea89972e077d80e.txt", "seed-ruled.pdf", "seed.docx"]


def content(records: Records) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in the contract's comparison form, provenance removed."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in Records.model_fields:
        if name in READING:
            continue
        rows = getattr(records, name)
        out[name] = [project(r, [f for f in type(r).model_fields if f not in PROVENANCE]) for r in rows]
    return out


def _generated(folder: Path) -> dict[str, Path]:
    """The seed written in the other formats by the tests' own generators."""
    (folder / "aligned.txt").write_bytes(space_aligned().encode("gb18030"))
    (folder / "seed.csv").write_text(as_csv(), encoding="utf-8-sig")
    (folder / "seed.html").write_text(seed_html(), encoding="utf-8")
    seed_workbook(folder / "seed.xlsx", split_sheets=True)
    seed_xls(folder / "seed.xls")
    return {p.name: p for p in folder.iterdir()}


@pytest.fixture(scope="module")
def seed_contents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[dict[str, Any]]]]:
    paths = {name: SEED / name for name in SEED_RENDERINGS}
    paths.update(_generated(tmp_path_factory.mktemp("renderings")))
    return {name: content(process(path).records) for name, path in paths.items()}


OTHERS = [*SEED_RENDERINGS[1:], "aligned.txt", "seed.csv", "seed.html", "seed.xlsx", "seed.xls"]


@pytest.mark.parametrize("other", OTHERS)
def test_renderings_agree(seed_contents: dict[str, Any], other: str) -> None:
    reference = seed_contents[SEED_RENDERINGS[0]]
    got = seed_contents[other]
    assert got["allocation_items"], f"{other}: no items"
    for table in reference:
        assert got[table] == reference[table], f"{other}: {table} differs from the text rendering"
