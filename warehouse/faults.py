"""Crash points for tests: ``FISCALDOC_TEST_CRASH=point:N`` SIGKILLs the process the Nth time
``point`` is reached, so a test can kill an ingest at an exact moment (tests/test_crash.py).

Unset (always, outside tests) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

CRASH_ENV = "FISCALDOC_TEST_CRASH"
_reached: Counter[str] = Counter()


def crash_point(point: str) -> None:
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
