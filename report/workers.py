"""A small pool of isolated worker processes for untrusted files.

Each job runs in a child process under a memory limit (``RLIMIT_AS``) and a time limit;
a job that crashes its worker (pdfium is C++) or overruns is reported as a one-line
failure and the worker replaced, and the other jobs go on. Workers come from the
``forkserver`` (``spawn`` where there is none), never forked from a threaded parent.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from fiscaldoc.model.settings import WorkerLimits

K = TypeVar("K")


@dataclass(frozen=True)
class Failed:
    """Why a job gave no result (one line)."""

    reason: str


def _context() -> multiprocessing.context.BaseContext:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _serve(connection: Connection, memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        function, argument = job
        try:
            answer: tuple[str, Any] = ("ok", function(argument))
        except MemoryError:
            answer = ("error", "out of memory")
        except Exception as exc:
            answer = ("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        connection.send(answer)


class _Worker:
    def __init__(self, limits: WorkerLimits) -> None:
        self.connection, child = _context().Pipe()
        self.process = _context().Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, limits.memory_mb), daemon=True
        )
        self.process.start()
        child.close()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class Pool(Generic[K]):
    """``run`` jobs keyed by ``K`` on ``size`` isolated workers; results in completion order."""

    def __init__(self, size: int, limits: WorkerLimits) -> None:
        self.size = max(1, size)
        self.limits = limits
        self._idle: list[_Worker] = []

    def __enter__(self) -> Pool[K]:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle.clear()

    def run(self, jobs: Iterable[tuple[K, Callable[[Any], Any], Any]]) -> Iterator[tuple[K, Any]]:
        """Each job's key with its function's result, or :class:`Failed`."""
        queue = iter(jobs)
        busy: dict[Connection, tuple[_Worker, K, float]] = {}
        timeout = self.limits.timeout_s
        try:
            while True:
                while len(busy) < self.size:
                    job = next(queue, None)
                    if job is None:
                        break
                    key, function, argument = job
                    worker = self._send(function, argument)
                    busy[worker.connection] = (worker, key, time.monotonic() + (timeout or 1e9))
                if not busy:
                    return
                soonest = min(deadline for _, _, deadline in busy.values())
                ready = wait(list(busy), timeout=max(0.0, soonest - time.monotonic()))
                for connection in ready:
                    assert isinstance(connection, Connection)
                    worker, key, _ = busy.pop(connection)
                    yield key, self._answer(worker)
                now = time.monotonic()
                for connection, (worker, key, deadline) in list(busy.items()):
                    if deadline <= now:
                        del busy[connection]
                        worker.stop(kill=True)
                        yield key, Failed(f"took longer than {timeout:g} s: stopped")
        finally:
            for worker, _, _ in busy.values():
                worker.stop(kill=True)

    def _send(self, function: Callable[[Any], Any], argument: Any) -> _Worker:
        """Hand the job to an idle worker, or to a new one if that one has gone."""
        while self._idle:
            worker = self._idle.pop()
            try:
                worker.connection.send((function, argument))
                return worker
            except OSError:
                worker.stop(kill=True)
        worker = _Worker(self.limits)
        worker.connection.send((function, argument))
        return worker

    def _answer(self, worker: _Worker) -> Any:
        try:
            status, value = worker.connection.recv()
        except (EOFError, OSError):
            worker.stop(kill=True)
            code = worker.process.exitcode
            return Failed(f"the worker died (exit code {code})" if code else "the worker died")
        self._idle.append(worker)
        return value if status == "ok" else Failed(str(value))
