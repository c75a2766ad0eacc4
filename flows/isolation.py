"""Each document in a worker process, with a wall-clock and a memory limit.

A parser that hangs, segfaults or allocates without end takes down only its
worker: :func:`process_isolated` turns every such end into a ``failed``
:class:`DocumentResult` with a one-line reason, and the batch goes on.

Workers are forked from a ``forkserver`` that has the pipeline imported already,
so a worker costs milliseconds rather than an interpreter start, and a worker
that returned a result takes the next document: no fork and no cold caches per
document. A worker is retired after :data:`RECYCLE_AFTER_DOCUMENTS` documents,
once it holds more than :data:`RECYCLE_RSS_MB`, or after any document that did
not end in a result; one that hangs, crashes or hits its limit is killed.
Each worker leads its own process group (so a helper process it starts dies
with it) and runs under ``RLIMIT_AS``; on expiry of the time limit the group is
killed. What it really uses is watched too: the ingest reads each busy worker's
resident memory (``/proc/PID/statm``) every :data:`RSS_POLL_S` and kills the
group the moment it passes ``rss_mb`` (``FISCALDOC_WORKER_RSS_MB``); the address
space limit stays as the backstop for an allocation faster than that.

What the libraries say while reading a document (camelot's ``UserWarning: No tables
found in table area``, pdfminer's font complaints) is not for the terminal: a worker
collects its warnings and log records and hands them back with the result, and they
are logged at INFO on the ``fiscaldoc.worker`` logger (:data:`NOTES_LOGGER`).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from fiscaldoc.flows.ahead import Job, ReadAhead
from fiscaldoc.model.records import DocumentResult
from fiscaldoc.model.settings import ReadingLimits, Settings, WorkerLimits
from fiscaldoc.pipeline import stages

_PRELOAD = [
    "fiscaldoc.pipeline.process",
    "fiscaldoc.extractors",
    "fiscaldoc.extractors.pdf",
    "fiscaldoc.pipeline.choice",
    "fiscaldoc.extractors.text",
    "fiscaldoc.normalizers",
    "fiscaldoc.checks",
    "fiscaldoc.flows.preload_done",
]
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_GRACE_S = 5.0
"""How long a retired worker may take to exit before it is killed."""
RECYCLE_AFTER_DOCUMENTS = 100
"""Documents a worker reads before it is replaced by a fresh one (bounds slow leaks)."""
RECYCLE_RSS_MB = 400
"""A worker holding more than this after a document is replaced (a big document's heap
stays fragmented; a fresh fork is smaller)."""
RSS_POLL_S = 0.02
"""How often the resident memory of a worker reading a document is read."""
NOTES_LOGGER = "fiscaldoc.worker"
"""Where the libraries' warnings about a document go (INFO, one record per distinct message)."""
MAX_NOTES = 20
"""Distinct library messages kept per document."""
_notes_log = logging.getLogger(NOTES_LOGGER)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def warm_up(workers: int = 0, limits: WorkerLimits | None = None) -> None:
    """Start the forkserver now, so that it imports the pipeline while this process does other
    work (the first document would otherwise wait for it); with ``workers``, also fork that
    many workers under ``limits`` in the background."""
    if _context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    forkserver.ensure_running()
    if workers > 0:
        settings = limits or WorkerLimits()
        threading.Thread(
            target=lambda: _POOL.start(settings, workers), name="fiscaldoc-warm-up", daemon=True
        ).start()


Processor = Callable[[Path, str, str | None, ReadingLimits], DocumentResult]
"""What a worker runs per document: :func:`fiscaldoc.pipeline.process.process`'s signature."""


def _watch_parent(parent_pid: int) -> None:
    """Backstop for a worker whose ingest was killed (``kill -9``), so none is left behind:
    a thread that ends the worker once the ingest is gone. (For hangs in C code that hold the
    GIL there is also the CPU budget of :func:`_limit_cpu`.)"""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="fiscaldoc-watch-parent", daemon=True).start()


def _limit_cpu(timeout_s: float | None) -> None:
    """Let the next document use at most about four times its wall-clock limit in CPU time:
    with the ingest alive, it kills first; without it, SIGXCPU ends a spinning worker."""
    if timeout_s is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + 4 * timeout_s) + 10
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _rss_mb(pid: int | str = "self") -> float:
    """A process' resident memory now, in MB (this one's by default)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):  # not Linux (or gone): our own peak, or nothing
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else 0.0
    return pages * _PAGE_MB


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1 << 20)


class _Notes(logging.Handler):
    """What the libraries said during one document: warnings (through ``py.warnings``) and log
    records, as distinct one-line messages, for the parent's log instead of the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: dict[str, None] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < MAX_NOTES:
            try:
                text = record.getMessage()
            except Exception:  # a library's malformed log call is no reason to lose the document
                text = str(record.msg)
            if record.name == "py.warnings":  # "path:line: UserWarning: text\n  source line"
                text = text.strip().splitlines()[0].split(": ", 1)[-1]
            else:
                text = f"{record.name}: {text}"
            self.messages[" ".join(text.split())[:300]] = None

    def take(self) -> list[str]:
        taken = list(self.messages)
        self.messages.clear()
        return taken


def _collect_notes() -> _Notes:
    """Route this worker's warnings and log records to a :class:`_Notes` (and nowhere else)."""
    notes = _Notes()
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    root.addHandler(notes)
    root.setLevel(logging.WARNING)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font quirks of hostile files: not news
    logging.captureWarnings(True)
    warnings.simplefilter("always")  # each document's own, not only the first of the worker's life
    return notes


def _serve(settings: WorkerLimits, parent_pid: int, connection: Connection) -> None:
    """The worker: own process group, limits, then documents as they come, until told to stop,
    the ingest goes away, or a document ends in anything but a result."""
    os.setpgrp()
    for pool in _THREAD_POOLS:  # one document, one core; and BLAS's per-thread buffers stay small
        os.environ.setdefault(pool, "1")
    _watch_parent(parent_pid)
    notes = _collect_notes()
    if settings.memory_mb is not None:
        limit = settings.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, path, document_id, source_uri, reading = job
        _limit_cpu(settings.timeout_s)
        if not _answer(connection, fn, path, document_id, source_uri, reading, notes):
            return


def _answer(
    connection: Connection,
    fn: Processor,
    path: Path,
    document_id: str,
    source_uri: str | None,
    reading: ReadingLimits,
    notes: _Notes,
) -> bool:
    """Run one document and send an :data:`Answer`; whether the worker may go on."""
    notes.take()
    stages.take()
    try:
        result = fn(path, document_id, source_uri, reading)
    except MemoryError:
        connection.send(("memory", None, 0.0, notes.take(), stages.take()))
        return False
    except Exception as exc:  # a bug, not a bad file: still one line, no traceback on stderr
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        connection.send(("error", reason, 0.0, notes.take(), stages.take()))
        return False
    try:
        connection.send(("result", result, _rss_mb(), notes.take(), stages.take()))
    except MemoryError:  # pickling the result itself hit the limit
        del result
        try:
            connection.send(("memory", None, 0.0, [], {}))
        except BaseException:
            os._exit(1)  # the parent reports a worker that died without a word
        return False
    return True


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    settings: WorkerLimits
    documents: int = 0


class _Pool:
    """Idle workers of this process, ready for the next document. Callers bound how many run
    at once (a thread per document in flight); the pool only keeps and retires them."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._owner = os.getpid()

    def start(self, settings: WorkerLimits, count: int) -> None:
        """Fork ``count`` idle workers ahead of need."""
        for _ in range(count):
            self._put(self._fork(settings))

    def take(self, settings: WorkerLimits) -> _Worker:
        """An idle worker under ``settings``, or a new one."""
        with self._lock:
            self._adopt()
            for worker in self._idle:
                if worker.settings == settings:
                    self._idle.remove(worker)
                    return worker
        return self._fork(settings)

    def give_back(self, worker: _Worker, rss_mb: float) -> None:
        """Keep a worker that returned a result, unless it is due for retirement."""
        worker.documents += 1
        if worker.documents >= RECYCLE_AFTER_DOCUMENTS or rss_mb > RECYCLE_RSS_MB:
            _retire(worker)
        else:
            self._put(worker)

    def close(self) -> None:
        """Retire every idle worker (at exit; running ones end with their document)."""
        with self._lock:
            self._adopt()
            idle, self._idle = self._idle, []
        for worker in idle:
            _retire(worker)

    def _put(self, worker: _Worker) -> None:
        with self._lock:
            self._adopt()
            self._idle.append(worker)
            # Beyond two per CPU, the longest idle go: likeliest to hold limits no longer asked for.
            surplus = self._idle[: max(0, len(self._idle) - 2 * (os.cpu_count() or 1))]
            del self._idle[: len(surplus)]
        for old in surplus:
            _retire(old)

    def _adopt(self) -> None:
        """A forked copy of this process starts with no workers (the parent's are not its own)."""
        if self._owner != os.getpid():
            self._idle, self._owner = [], os.getpid()

    @staticmethod
    def _fork(settings: WorkerLimits) -> _Worker:
        ctx = _context()
        ours, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(settings, os.getpid(), theirs), name="fiscaldoc-worker", daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process, ours, settings)


_POOL = _Pool()
atexit.register(_POOL.close)


def process_isolated(
    path: Path,
    document_id: str,
    settings: Settings,
    *,
    source_uri: str | None = None,
    ahead: ReadAhead | None = None,
) -> DocumentResult:
    """:func:`~fiscaldoc.pipeline.process.process` in a worker under ``settings.worker``'s limits;
    never raises for a bad file. A result ``ahead`` read already is taken from there."""
    from fiscaldoc.pipeline.process import process

    if multiprocessing.current_process().daemon:
        # A daemonic worker (a Dask nanny's) may not start children: the worker process is
        # then the isolation boundary, restarted by its nanny if a document kills it.
        result = process(path, document_id, source_uri, settings.reading)
        CPU.add(stages.take())
        return result
    if ahead is not None:
        earlier = ahead.claim(path, document_id, source_uri, settings)
        if earlier is not None:
            return earlier
    return run_isolated(process, path, document_id, settings.worker, source_uri, settings.reading)


def read_ahead(jobs: list[Job], workers: int, settings: Settings) -> ReadAhead:
    """Start reading ``jobs`` (what the flow will ask :func:`process_isolated` for, in its
    order) in ``workers`` workers now; see :mod:`fiscaldoc.flows.ahead`."""
    from fiscaldoc.pipeline.process import process

    def read(job: Job) -> DocumentResult:
        return run_isolated(process, job[0], job[1], settings.worker, job[2], settings.reading)

    ahead = ReadAhead()
    ahead.start(jobs, settings, workers, read)
    return ahead


def run_isolated(
    fn: Processor,
    path: Path,
    document_id: str,
    limits: WorkerLimits,
    source_uri: str | None = None,
    reading: ReadingLimits | None = None,
) -> DocumentResult:
    """``fn(path, document_id, source_uri, reading)`` in a worker under ``limits``; ``fn`` must
    be importable by name."""
    started = time.monotonic()
    job = (fn, path, document_id, source_uri, reading or ReadingLimits())
    worker = _POOL.take(limits)
    try:
        worker.connection.send(job)
    except OSError:  # an idle worker that died meanwhile (killed from outside): a fresh one
        _retire(worker)
        worker = _POOL.take(limits)
        worker.connection.send(job)
    kind, payload, rss_mb, notes, cpu = _receive(worker, limits, started)
    CPU.add(cpu)
    for note in notes:
        _notes_log.info("%s: %s", source_uri or path, note)
    if kind == "result" and isinstance(payload, DocumentResult):
        _POOL.give_back(worker, rss_mb)
        return payload
    exitcode = _retire(worker)
    if kind == "error":
        return failed(path, document_id, f"could not process: {payload}", source_uri)
    return failed(path, document_id, _reason(kind, exitcode, limits), source_uri)


Answer = tuple[str, object, float, list[str], dict[str, float]]
"""A worker's answer: kind (``result``, ``error``, ``memory``, ``rss``, ``timeout``, ``died``), payload,
its RSS in MB after the document, what the libraries said meanwhile, CPU seconds per stage."""


class CpuTally:
    """CPU seconds per pipeline stage of the documents this process had read, in any worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spent: dict[str, float] = {}

    def add(self, cpu: dict[str, float]) -> None:
        with self._lock:
            for name, seconds in cpu.items():
                self.spent[name] = self.spent.get(name, 0.0) + seconds

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return dict(self.spent)


CPU = CpuTally()


def _receive(worker: _Worker, limits: WorkerLimits, started: float) -> Answer:
    """The worker's answer, or why there is none: ``timeout``, ``rss`` (killed for its resident
    memory) or ``died``."""
    deadline = None if limits.timeout_s is None else started + limits.timeout_s
    connection = worker.connection
    pid = worker.process.pid
    while True:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        step = remaining if limits.rss_mb is None else min(RSS_POLL_S, remaining or RSS_POLL_S)
        ready = wait([connection, worker.process.sentinel], step)
        if ready:
            break
        if deadline is not None and time.monotonic() >= deadline:
            _kill(worker.process)
            return ("timeout", None, 0.0, [], {})
        if limits.rss_mb is not None and pid is not None and _rss_mb(pid) > limits.rss_mb:
            _kill(worker.process)
            return ("rss", None, 0.0, [], {})
    if connection in ready or connection.poll():
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return ("died", None, 0.0, [], {})
        except MemoryError:  # the parent itself is short of memory for this result
            return ("memory", None, 0.0, [], {})
        if isinstance(message, tuple) and len(message) == 5:
            kind, payload, rss_mb, notes, cpu = message
            return (str(kind), payload, float(rss_mb), [str(n) for n in notes], dict(cpu))
        return ("died", None, 0.0, [], {})
    return ("died", None, 0.0, [], {})


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL the worker's whole process group (helpers it started included)."""
    pid = process.pid
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _retire(worker: _Worker) -> int | None:
    """Stop ``worker`` (asking first, killing after a grace period); its exit code."""
    process = worker.process
    try:
        if process.is_alive():
            worker.connection.send(None)
    except (OSError, ValueError):
        pass
    worker.connection.close()
    process.join(_GRACE_S)
    if process.is_alive():
        _kill(process)
        process.join()
    exitcode = process.exitcode
    process.close()
    return exitcode


def _reason(kind: str, exitcode: int | None, settings: WorkerLimits) -> str:
    if kind == "timeout":
        return f"timed out after {settings.timeout_s:g} s (limit FISCALDOC_TIMEOUT_S / --timeout)"
    if kind == "memory":
        return f"exceeded {settings.memory_mb} MB memory limit (FISCALDOC_MEMORY_MB / --memory-mb)"
    if kind == "rss":
        return f"exceeded {settings.rss_mb} MB resident memory (FISCALDOC_WORKER_RSS_MB)"
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
    from fiscaldoc.pipeline.process import failed_document

    return DocumentResult(document=failed_document(path, document_id, reason, source_uri))
