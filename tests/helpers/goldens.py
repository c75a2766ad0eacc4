"""Golden records beside their fixtures: ``X.golden.json`` next to ``X``.

Set ``FISCALDOC_REGENERATE_GOLDENS=1`` to rewrite them from the current code;
``test_regenerate_flag_is_off`` fails while it is set, so it cannot be left on.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fiscaldoc.pipeline.process import process

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REGENERATE = os.environ.get("FISCALDOC_REGENERATE_GOLDENS") == "1"
VOLATILE = {"ingested_at", "source_uri", "pipeline_version"}
BBOX_TOLERANCE_PT = 1.5
"""Boxes may move this much between PDF engines and versions (a font without a descent)."""


def golden_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name + ".golden.json")


def snapshot(fixture: Path) -> dict[str, Any]:
    """The extract output with run-dependent fields removed."""
    result = process(fixture)
    tables: dict[str, Any] = {}
    for name, rows in result.tables().items():
        tables[name] = [
            {k: v for k, v in r.model_dump(mode="json").items() if k not in VOLATILE} for r in rows
        ]
    return tables


def fixtures_with_goldens() -> list[Path]:
    return sorted(p.with_name(p.name.removesuffix(".golden.json")) for p in FIXTURES.rglob("*.golden.json"))


def check_or_regenerate(fixture: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    got = snapshot(fixture)
    path = golden_path(fixture)
    if REGENERATE:
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return got, json.loads(path.read_text(encoding="utf-8"))


def _same_bbox(got: object, want: object) -> bool:
    if not (isinstance(got, str) and isinstance(want, str)):
        return got == want
    a, b = [float(v) for v in got.split(",")], [float(v) for v in want.split(",")]
    return len(a) == len(b) and all(abs(x - y) <= BBOX_TOLERANCE_PT for x, y in zip(a, b, strict=True))


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Where ``got`` differs from its golden: boxes within :data:`BBOX_TOLERANCE_PT`, all else exact."""
    out: list[str] = []
    if set(got) != set(want):
        out.append(f"tables {sorted(got)} != {sorted(want)}")
    for table in sorted(set(got) & set(want)):
        if len(got[table]) != len(want[table]):
            out.append(f"{table}: {len(got[table])} rows, golden has {len(want[table])}")
            continue
        for n, (g, w) in enumerate(zip(got[table], want[table], strict=True)):
            for column in sorted(set(g) | set(w)):
                a, b = g.get(column), w.get(column)
                if not (_same_bbox(a, b) if column == "bbox" else a == b):
                    out.append(f"{table}[{n}].{column}: {a!r} != golden {b!r}")
    return out
