"""The house rules a newcomer relies on: one installed package, layers that only point down,
no import cycles, every setting in one place."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

from helpers.cli import ROOT


def test_one_top_level_package_is_installed() -> None:
    dist = distribution("fiscaldoc")
    top_level = (dist.read_text("top_level.txt") or "").split()
    assert top_level == ["fiscaldoc"]
    # The editable install's link tree (or a wheel's site-packages entry) holds nothing else.
    for pth in dist.files or []:
        if pth.name.endswith(".pth"):
            for line in Path(str(pth.locate())).read_text().splitlines():
                if line and not line.startswith(("#", "import ")):
                    assert sorted(p.name for p in Path(line).iterdir()) == ["fiscaldoc"], line


def test_layers_point_down_and_nothing_imports_in_a_circle() -> None:
    """import-linter's contracts (pyproject.toml): cli → flows → pipeline → stages → model."""
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 kept, 0 broken" in run.stdout
