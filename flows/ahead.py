"""Reading ahead: the whole batch, read from the moment ``fiscaldoc ingest`` starts.

``fiscaldoc ingest`` would otherwise wait seconds for Prefect's temporary server and
the flow's own start while the machine is idle. :class:`ReadAhead` reads the
documents the flow is going to ask for (the same plan: same files, same ids,
largest first) in the isolation workers from the start, ``workers`` at a time;
when the flow's ``process-documents`` task then asks for one,
:func:`fiscaldoc.flows.isolation.process_isolated` takes its result from here
instead of reading it again. A document asked for before its turn is read next.
At most :data:`PER_WORKER` results per worker wait unclaimed, so memory does not
grow with the batch.

Nothing here changes a result: a document is read by the same call, in the
same kind of worker, under the same limits; one the flow never asks for is
dropped.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path

from fiscaldoc.model.records import DocumentResult

PER_WORKER = 4
"""Results per worker that may wait, read, for the flow to claim them."""

Job = tuple[Path, str, str | None]
"""(absolute path, document id, source URI): what the flow's task passes on."""
Key = tuple[str, str, str | None, object]


class ReadAhead:
    """The documents of one ingest, read ahead in the order the flow will ask for them."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._queue: deque[tuple[Key, Job]] = deque()
        self._wanted: deque[tuple[Key, Job]] = deque()
        """Asked for before their turn: read next, even when :attr:`_waiting` is full."""
        self._futures: dict[Key, Future[DocumentResult]] = {}
        self._waiting = 0
        self._stopped = True

    def start(
        self, jobs: Iterable[Job], settings: object, workers: int, read: Callable[[Job], DocumentResult]
    ) -> None:
        with self._ready:
            self._queue = deque(((str(job[0]), job[1], job[2], settings), job) for job in jobs)
            self._wanted.clear()
            self._futures.clear()
            self._waiting = PER_WORKER * workers
            self._stopped = False
        for n in range(min(workers, len(self._queue))):
            threading.Thread(target=self._run, args=(read,), name=f"fiscaldoc-ahead-{n}", daemon=True).start()

    def _next(self) -> tuple[Key, Job] | None:
        """The next job to read, once there is room for its result; ``None``: no more."""
        with self._ready:
            while True:
                if self._stopped:
                    return None
                if self._wanted:
                    return self._wanted.popleft()
                if not self._queue:
                    return None
                if len(self._futures) < self._waiting:
                    return self._queue.popleft()
                self._ready.wait()

    def _run(self, read: Callable[[Job], DocumentResult]) -> None:
        while (picked := self._next()) is not None:
            key, job = picked
            future: Future[DocumentResult] = Future()
            future.set_running_or_notify_cancel()
            with self._ready:
                if self._stopped:
                    return
                self._futures[key] = future
                self._ready.notify_all()  # a claim may wait for this one to start
            try:
                future.set_result(read(job))
            except BaseException as exc:  # handed to whoever claims it
                future.set_exception(exc)

    def claim(
        self, path: Path, document_id: str, source_uri: str | None, settings: object
    ) -> DocumentResult | None:
        """The result read ahead for this document, waiting for it if it is being read or still
        queued (it is then read next); ``None`` when it is not among the documents read here."""
        key = (str(path), document_id, source_uri, settings)
        with self._ready:
            future = self._futures.get(key)
            if future is None:
                queued = next((item for item in self._queue if item[0] == key), None)
                if queued is None or self._stopped:
                    return None
                self._queue.remove(queued)
                self._wanted.append(queued)
                self._ready.notify_all()
                while (future := self._futures.get(key)) is None:
                    if self._stopped:
                        return None
                    self._ready.wait()
        try:
            return future.result()
        finally:
            with self._ready:
                self._futures.pop(key, None)
                self._ready.notify_all()

    def stop(self) -> None:
        """No more reading ahead; unclaimed results are dropped."""
        with self._ready:
            self._stopped = True
            self._queue.clear()
            self._wanted.clear()
            self._futures.clear()
            self._ready.notify_all()
