"""Running the installed ``fiscaldoc`` command as a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
ROOT = Path(__file__).resolve().parents[2]


def fiscaldoc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fiscaldoc", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def package_sources() -> list[Path]:
    """Every module of the installed package fiscaldoc, as the source file it maps to."""
    import fiscaldoc

    root = Path(fiscaldoc.__file__).parent
    files = {path.resolve() for path in root.rglob("*.py")}
    assert files, f"no modules under {root}"
    return sorted(files)
