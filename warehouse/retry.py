"""Which warehouse errors are worth waiting out, and how long to wait.

Transient: another process holds the DuckDB file lock, the PostgreSQL
connection dropped, or a concurrent writer won a race on the same key. These
are retried with jittered exponential backoff. Everything else — a bad
document's rows, a schema mismatch, a bug — fails at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

log = logging.getLogger("fiscaldoc.warehouse")

T = TypeVar("T")

UNIQUE_VIOLATION = "23505"
"""PostgreSQL's SQLSTATE for a duplicate key: a concurrent writer inserted it first."""
DUCKDB_LOCKED = "Could not set lock on file"
"""DuckDB's message when another process has the database file open."""
MAX_CONFLICT_RETRIES = 3
"""A duplicate key that persists after this many tries is the document's own, not a race."""


def kind(exc: BaseException) -> str | None:
    """``"locked"``, ``"connection"``, ``"conflict"``, or ``None`` for a permanent error."""
    if isinstance(exc, IntegrityError):
        return "conflict" if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION else None
    if isinstance(exc, OperationalError) and DUCKDB_LOCKED in str(exc.orig):
        return "locked"
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return "connection"
    return None


def is_transient(exc: BaseException) -> bool:
    return kind(exc) is not None


class WarehouseBusy(RuntimeError):
    """The warehouse stayed locked or unreachable for the whole wait."""


def _stop(wait_s: float) -> Callable[[RetryCallState], bool]:
    out_of_time = stop_after_delay(wait_s)

    def stop(state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None and kind(exc) == "conflict" and state.attempt_number >= MAX_CONFLICT_RETRIES:
            return True
        return bool(out_of_time(state))

    return stop


def describe(exc: BaseException) -> str:
    """The error in a few words: who holds the lock, or the driver's first line."""
    first_line = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else ""
    if kind(exc) == "locked":
        holder = re.search(r"\(PID (\d+)\)", first_line)
        return f"another process{f' (PID {holder[1]})' if holder else ''} has the DuckDB file open"
    if kind(exc) == "conflict":
        return "a concurrent ingest wrote the same document first"
    return first_line[:200]


def _log_wait(url: str, wait_s: float) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "warehouse %s busy: %s; trying again in %.1f s (waited %.0f of %.0f s)",
            url,
            describe(exc) if exc else "?",
            delay,
            state.seconds_since_start or 0.0,
            wait_s,
        )

    return before_sleep


def with_retry(action: Callable[[], T], *, url: str, wait_s: float, backoff_s: float) -> T:
    """Run ``action``; wait out transient errors for up to ``wait_s`` seconds in all.

    Raises :class:`WarehouseBusy` (chained to the last error) when a lock or a
    dropped connection outlasts the wait; permanent errors propagate unchanged.
    """
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=_stop(wait_s),
        wait=wait_exponential(multiplier=backoff_s, max=max(backoff_s, 5.0)) + wait_random(0, backoff_s),
        before_sleep=_log_wait(url, wait_s),
        reraise=True,
    )
    try:
        result: T = retrying(action)
    except DBAPIError as exc:
        if kind(exc) in ("locked", "connection"):
            raise WarehouseBusy(f"warehouse {url} still busy after {wait_s:g} s: {describe(exc)}") from exc
        raise
    return result


def retry_condition(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry a task only for a transient warehouse error."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc) or isinstance(exc, WarehouseBusy)
    return False
