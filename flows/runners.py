"""Where per-document extraction runs: the flow's threads, a process pool, or a Dask cluster.

Prefect's own task runners do the scheduling; this module only picks one from
the two knobs the CLI and the flow's parameters expose. Loading is never
submitted to them: it stays in the flow's process (DuckDB has one writer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner


class RunnerChoiceError(ValueError):
    """The options name no runner, or two at once."""


def describe(workers: int = 1, dask_address: str | None = None) -> str:
    """One phrase for logs: where documents are extracted."""
    if dask_address:
        return f"on the Dask cluster at {dask_address}"
    if workers > 1:
        return f"in {workers} worker processes"
    return "in the flow's process"


def task_runner(workers: int = 1, dask_address: str | None = None) -> TaskRunner[Any]:
    """The task runner for ``process_document``.

    - ``workers == 1`` (default): one thread in the flow's process — documents one
      after another, nothing to pickle, easiest to debug.
    - ``workers > 1``: :class:`prefect.task_runners.ProcessPoolTaskRunner`, that many
      worker processes on this machine (``spawn``: each imports fiscaldoc afresh).
    - ``dask_address``: prefect-dask's ``DaskTaskRunner`` connected to an existing
      scheduler (``tcp://host:8786``); its workers must have fiscaldoc installed and
      reach the files by the same paths and the Prefect API by ``PREFECT_API_URL``.
    """
    if workers < 1:
        raise RunnerChoiceError(f"--workers must be at least 1, not {workers}")
    if dask_address:
        if workers != 1:
            raise RunnerChoiceError("--workers and --dask-address exclude each other")
        if not dask_address.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
            raise RunnerChoiceError(
                f"--dask-address must be a scheduler URL like tcp://host:8786, not {dask_address!r}"
            )
        from prefect_dask.task_runners import DaskTaskRunner

        runner: TaskRunner[Any] = DaskTaskRunner(address=dask_address)
        return runner
    if workers > 1:
        return ProcessPoolTaskRunner(max_workers=workers)
    return ThreadPoolTaskRunner(max_workers=1)


@contextmanager
def shared_api(workers: int = 1, dask_address: str | None = None) -> Iterator[None]:
    """Make worker processes report to the flow's Prefect API, not start their own.

    With no ``PREFECT_API_URL`` the flow talks to Prefect's temporary server
    (``http://127.0.0.1:PORT``), which spawned workers cannot find: each would
    start another one over the same SQLite file (slow, "database is locked").
    Here that server's URL is handed on, through the settings Prefect passes to
    pool processes and Dask workers. Dask workers on other machines need
    ``PREFECT_API_URL`` set to a server they can reach (see README).
    """
    if (workers == 1 and not dask_address) or get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the temporary server this process already runs
    server.start()  # no-op when running
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield
