"""One document in its own worker process, with a wall-clock and a memory limit.

A parser that hangs, segfaults or allocates without end takes down only its
worker: :func:`process_isolated` turns every such end into a ``failed``
:class:`DocumentResult` with a one-line reason, and the batch goes on.

Workers are forked from a ``forkserver`` that has the pipeline imported already,
so a worker costs milliseconds rather than an interpreter start. Each worker
leads its own process group (so a helper process it starts dies with it) and
runs under ``RLIMIT_AS``; on expiry of the time limit the group is killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from fiscaldoc.records import DocumentResult

TIMEOUT_ENV = "FISCALDOC_TIMEOUT_S"
MEMORY_ENV = "FISCALDOC_MEMORY_MB"
_PRELOAD = [
    "fiscaldoc.pipeline",
    "extractors",
    "extractors.pdf",
    "extractors.pdf_choice",
    "extractors.text",
    "normalizers",
    "checks",
    "fiscaldoc.preload_done",
]
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_GRACE_S = 5.0
"""How long a worker that has sent its result may take to exit before it is killed."""


@dataclass(frozen=True)
class IsolationSettings:
    """Limits per document; ``None`` disables a limit."""

    timeout_s: float | None = 60.0
    memory_mb: int | None = 2048

    @classmethod
    def from_env(cls, timeout_s: float | None = None, memory_mb: int | None = None) -> IsolationSettings:
        """Defaults, then ``FISCALDOC_TIMEOUT_S`` / ``FISCALDOC_MEMORY_MB``, then the arguments
        (``None`` keeps the value below it; ``0`` disables the limit)."""
        defaults = cls()
        timeout = _env_number(TIMEOUT_ENV, defaults.timeout_s) if timeout_s is None else timeout_s
        memory = _env_number(MEMORY_ENV, defaults.memory_mb) if memory_mb is None else memory_mb
        return cls(
            timeout_s=float(timeout) if timeout and timeout > 0 else None,
            memory_mb=int(memory) if memory and memory > 0 else None,
        )


def _env_number(name: str, default: float | None) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {raw!r}") from exc


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the forkserver now, so that it imports the pipeline while this process does other
    work (the first document would otherwise wait for it)."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


Processor = Callable[[Path, str, str | None], DocumentResult]


def _watch_parent(parent_pid: int, timeout_s: float | None) -> None:
    """Backstops for a worker whose ingest was killed (``kill -9``), so none is left behind:
    a thread that ends the worker once the ingest is gone (sleeping hangs), and a CPU-time
    limit (hangs in C code that hold the GIL). With the ingest alive, it kills first."""
    if timeout_s is not None:
        cpu = int(4 * timeout_s) + 10
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="fiscaldoc-watch-parent", daemon=True).start()


def _worker(
    fn: Processor,
    path: Path,
    document_id: str,
    source_uri: str | None,
    settings: IsolationSettings,
    parent_pid: int,
    out: Connection,
) -> None:
    """The child: own process group, limits, then the ordinary pipeline."""
    os.setpgrp()
    for pool in _THREAD_POOLS:  # one document, one core; and BLAS's per-thread buffers stay small
        os.environ.setdefault(pool, "1")
    _watch_parent(parent_pid, settings.timeout_s)
    memory_mb = settings.memory_mb
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font quirks of hostile files: not news
    if memory_mb is not None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = fn(path, document_id, source_uri)
    except MemoryError:
        out.send(("memory", None))
        return
    except Exception as exc:  # a bug, not a bad file: still one line, no traceback on stderr
        out.send(("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"))
        return
    try:
        out.send(("result", result))
    except MemoryError:  # pickling the result itself hit the limit
        del result
        try:
            out.send(("memory", None))
        except BaseException:
            os._exit(1)  # the parent reports a worker that died without a word
    out.close()


def process_isolated(
    path: Path,
    document_id: str,
    *,
    source_uri: str | None = None,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
) -> DocumentResult:
    """:func:`fiscaldoc.pipeline.process` in a worker process under limits; never raises for a bad file.

    ``timeout_s``/``memory_mb`` default to :meth:`IsolationSettings.from_env`.
    """
    from fiscaldoc.pipeline import process

    settings = IsolationSettings.from_env(timeout_s=timeout_s, memory_mb=memory_mb)
    if multiprocessing.current_process().daemon:
        # A daemonic worker (a Dask nanny's) may not start children: the worker process is
        # then the isolation boundary, restarted by its nanny if a document kills it.
        return process(path, document_id, source_uri)
    return run_isolated(process, path, document_id, settings, source_uri)


def run_isolated(
    fn: Processor, path: Path, document_id: str, settings: IsolationSettings, source_uri: str | None = None
) -> DocumentResult:
    """``fn(path, document_id, source_uri)`` in a worker under ``settings``; ``fn`` must be
    importable by name."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(  # type: ignore[attr-defined]
        target=_worker,
        args=(fn, path, document_id, source_uri, settings, os.getpid(), sender),
        name=f"fiscaldoc-{document_id[:12]}",
        daemon=True,
    )
    started = time.monotonic()
    worker.start()
    sender.close()
    try:
        kind, payload = _receive(receiver, worker, settings.timeout_s, started)
    finally:
        receiver.close()
        exitcode = _reap(worker)
    if kind == "result" and isinstance(payload, DocumentResult):
        return payload
    if kind == "error":
        return failed(path, document_id, f"could not process: {payload}", source_uri)
    return failed(path, document_id, _reason(kind, exitcode, settings), source_uri)


def _receive(
    receiver: Connection, worker: multiprocessing.process.BaseProcess, timeout_s: float | None, started: float
) -> tuple[str, object]:
    """The worker's message, or why there is none: ``timeout`` or ``died``."""
    remaining = None if timeout_s is None else max(0.0, started + timeout_s - time.monotonic())
    ready = wait([receiver, worker.sentinel], remaining)
    if receiver in ready or receiver.poll():
        try:
            message = receiver.recv()
        except (EOFError, OSError):
            return ("died", None)
        except MemoryError:  # the parent itself is short of memory for this result
            return ("memory", None)
        if isinstance(message, tuple) and len(message) == 2:
            return (str(message[0]), message[1])
        return ("died", None)
    if not ready:
        _kill(worker)
        return ("timeout", None)
    return ("died", None)


def _kill(worker: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL the worker's whole process group (helpers it started included)."""
    pid = worker.pid
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        worker.kill()


def _reap(worker: multiprocessing.process.BaseProcess) -> int | None:
    """Wait for the worker to end (killing it after a grace period); its exit code."""
    worker.join(_GRACE_S)
    if worker.is_alive():
        _kill(worker)
        worker.join()
    exitcode = worker.exitcode
    worker.close()
    return exitcode


def _reason(kind: str, exitcode: int | None, settings: IsolationSettings) -> str:
    if kind == "timeout":
        return f"timed out after {settings.timeout_s:g} s (limit FISCALDOC_TIMEOUT_S / --timeout)"
    if kind == "memory":
        return f"exceeded {settings.memory_mb} MB memory limit (FISCALDOC_MEMORY_MB / --memory-mb)"
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        hint = ""
        if number in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) and settings.memory_mb:
            hint = f"; possibly out of memory under the {settings.memory_mb} MB limit"
        return f"extractor crashed (signal {number}, {name}){hint}"
    return f"extractor process exited with code {exitcode} without a result"


def failed(path: Path, document_id: str, reason: str, source_uri: str | None = None) -> DocumentResult:
    """A ``failed`` result for a document whose worker gave none."""
    from fiscaldoc.pipeline import failed_document

    return DocumentResult(document=failed_document(path, document_id, reason, source_uri))
