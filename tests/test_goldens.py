from __future__ import annotations

from pathlib import Path

import pytest

from helpers.goldens import REGENERATE, check_or_regenerate, differences, fixtures_with_goldens


def test_regenerate_flag_is_off() -> None:
    assert not REGENERATE, "FISCALDOC_REGENERATE_GOLDENS=1 rewrites goldens: unset it and rerun"


def test_there_are_goldens() -> None:
    assert len(fixtures_with_goldens()) >= 2


@pytest.mark.parametrize("fixture", fixtures_with_goldens(), ids=lambda p: p.name)
def test_golden(fixture: Path) -> None:
    got, want = check_or_regenerate(fixture)
    assert differences(got, want) == [], fixture.name


def test_boxes_compare_within_tolerance() -> None:
    row = {"page": 1, "bbox": "10.0,20.0,30.0,40.0"}
    assert differences({"t": [row]}, {"t": [{**row, "bbox": "11.4,18.6,30.0,40.0"}]}) == []
    assert differences({"t": [row]}, {"t": [{**row, "bbox": "11.6,20.0,30.0,40.0"}]}) != []
    assert differences({"t": [row]}, {"t": [{**row, "page": 2}]}) != []
