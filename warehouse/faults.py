"""Crash points for tests: ``FISCALDOC_TEST_CRASH=point:N`` (``Settings.test_crash``) SIGKILLs
the process the Nth time ``point`` is reached, so a test can kill an ingest at an exact moment
(tests/test_crash.py). Without a spec (always, outside tests) it costs one comparison.
"""

from __future__ import annotations

import os
import signal


class CrashPoints:
    def __init__(self, spec: str | None) -> None:
        name, _, nth = (spec or "").partition(":")
        self.point = name or None
        self.nth = int(nth or 1) if name else 0
        self.count = 0

    def reached(self, point: str) -> None:
        if point != self.point:
            return
        self.count += 1
        if self.count == self.nth:
            os.kill(os.getpid(), signal.SIGKILL)
