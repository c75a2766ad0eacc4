"""Where per-document extraction runs: N at a time from the flow, or on a Dask cluster.

Prefect's own task runners do the scheduling; this module only picks one from
the two knobs the CLI and the flow's parameters expose. Loading is never
submitted to them: it stays in the flow's process (DuckDB has one writer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Prefect is imported where it is used: checking options needs none of it
    from prefect.task_runners import TaskRunner


class RunnerChoiceError(ValueError):
    """The options name no runner, or two at once."""


def default_workers() -> int:
    """Documents at once by default: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


DASK_PARALLELISM = 16
"""Documents at once assumed of a Dask cluster, whose size the flow does not know."""


def parallelism(workers: int | None = None, dask_address: str | None = None) -> int:
    """About how many documents run at once (to cut the batch into enough lots)."""
    return DASK_PARALLELISM if dask_address else workers or default_workers()


def describe(workers: int | None = None, dask_address: str | None = None) -> str:
    """One phrase for logs: where documents are extracted."""
    workers = workers or default_workers()
    if dask_address:
        return f"on the Dask cluster at {dask_address}"
    if workers > 1:
        return f"{workers} at a time, each in its own worker process"
    return "one at a time, each in its own worker process"


def check_choice(workers: int | None = None, dask_address: str | None = None) -> None:
    """Raise :class:`RunnerChoiceError` for options that name no runner, or two at once."""
    if workers is not None and workers < 1:
        raise RunnerChoiceError(f"--workers must be at least 1, not {workers}")
    if dask_address:
        if workers not in (None, 1):
            raise RunnerChoiceError("--workers and --dask-address exclude each other")
        if not dask_address.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
            raise RunnerChoiceError(
                f"--dask-address must be a scheduler URL like tcp://host:8786, not {dask_address!r}"
            )


def task_runner(workers: int | None = None, dask_address: str | None = None) -> TaskRunner[Any]:
    """The task runner for ``process_document``.

    - ``workers`` (default: one per CPU, :func:`default_workers`): a
      :class:`prefect.task_runners.ThreadPoolTaskRunner` of that many threads. Each
      document already runs in a worker process of its own, forked under limits
      (:mod:`fiscaldoc.flows.isolation`); the threads only wait on those, so ``N`` threads
      are ``N`` documents parsed at once on ``N`` cores, with no pool of Python
      processes to start and results handed straight back to the flow.
    - ``dask_address``: prefect-dask's ``DaskTaskRunner`` connected to an existing
      scheduler (``tcp://host:8786``); its workers must have fiscaldoc installed and
      reach the files by the same paths and the Prefect API by ``PREFECT_API_URL``.
    """
    from prefect.task_runners import ThreadPoolTaskRunner

    check_choice(workers, dask_address)
    if dask_address:
        from prefect_dask.task_runners import DaskTaskRunner

        runner: TaskRunner[Any] = DaskTaskRunner(address=dask_address)
        return runner
    return ThreadPoolTaskRunner(max_workers=workers or default_workers())


@contextmanager
def shared_api(dask_address: str | None = None) -> Iterator[None]:
    """Make Dask workers report to the flow's Prefect API, not start their own.

    With no ``PREFECT_API_URL`` the flow talks to Prefect's temporary server
    (``http://127.0.0.1:PORT``), which Dask's workers cannot find: each would
    start another one over the same SQLite file (slow, "database is locked").
    Here that server's URL is handed on, through the settings Prefect passes to
    Dask workers. Dask workers on other machines need
    ``PREFECT_API_URL`` set to a server they can reach (see README).
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if not dask_address or get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the temporary server this process already runs
    server.start()  # no-op when running
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield
