from __future__ import annotations

from pathlib import Path

import pytest
from helpers.goldens import REGENERATE, check_or_regenerate, fixtures_with_goldens


def test_regenerate_flag_is_off() -> None:
    assert not REGENERATE, "FISCALDOC_REGENERATE_GOLDENS=1 rewrites goldens: unset it and rerun"


def test_there_are_goldens() -> None:
    assert len(fixtures_with_goldens()) >= 2


@pytest.mark.parametrize("fixture", fixtures_with_goldens(), ids=lambda p: p.name)
def test_golden(fixture: Path) -> None:
    got, want = check_or_regenerate(fixture)
    for table in want:
        assert got[table] == want[table], f"{fixture.name}: table {table} differs from its golden"
    assert set(got) == set(want)
