"""CPU seconds this process spent per stage of the pipeline: what a run's summary and the
benchmark report as extract / normalise / check.

Process-wide CPU time (``time.process_time``): a document's worker runs one document
at a time, so what a stage spends is its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("extract", "normalise", "check")

_spent = dict.fromkeys(STAGES, 0.0)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the CPU time of the block towards ``name``."""
    started = time.process_time()
    try:
        yield
    finally:
        _spent[name] += time.process_time() - started


def take() -> dict[str, float]:
    """The CPU seconds spent per stage since the last call (and start counting again)."""
    spent = dict(_spent)
    for name in STAGES:
        _spent[name] = 0.0
    return spent
