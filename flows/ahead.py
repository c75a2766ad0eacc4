"""Reading ahead: the first documents of a batch, started before the flow asks for them.

``fiscaldoc ingest`` waits a few seconds for Prefect's temporary server while
the machine is mostly idle. Meanwhile :func:`start` reads the documents the
flow is going to ask for first (the same plan: same files, same ids, largest
first) in the isolation workers; when the flow's ``process-document`` task then
asks for one, :func:`fiscaldoc.flows.isolation.process_isolated` takes its result
from here instead of reading it again. The first request stops the reading
ahead: from then on the flow's task runner alone decides what runs.

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

PER_WORKER = 8
"""Documents read ahead per worker at most (their results wait in memory to be claimed)."""

Job = tuple[Path, str, str | None]
"""(absolute path, document id, source URI): what the flow's task passes on."""
Key = tuple[str, str, str | None, object]


class ReadAhead:
    """Documents read ahead for one ingest, until the flow first asks for one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[Key, Job]] = deque()
        self._futures: dict[Key, Future[DocumentResult]] = {}
        self._stopped = True

    def start(
        self, jobs: Iterable[Job], settings: object, workers: int, read: Callable[[Job], DocumentResult]
    ) -> None:
        with self._lock:
            self._queue = deque(((str(job[0]), job[1], job[2], settings), job) for job in jobs)
            self._futures.clear()
            self._stopped = False
        for n in range(min(workers, len(self._queue))):
            threading.Thread(target=self._run, args=(read,), name=f"fiscaldoc-ahead-{n}", daemon=True).start()

    def _run(self, read: Callable[[Job], DocumentResult]) -> None:
        while True:
            with self._lock:
                if self._stopped or not self._queue:
                    return
                key, job = self._queue.popleft()
                future: Future[DocumentResult] = Future()
                future.set_running_or_notify_cancel()
                self._futures[key] = future
            try:
                future.set_result(read(job))
            except BaseException as exc:  # handed to whoever claims it
                future.set_exception(exc)

    def claim(
        self, path: Path, document_id: str, source_uri: str | None, settings: object
    ) -> DocumentResult | None:
        """The result read ahead for this document (waiting for it if still being read), or
        ``None``. Any request stops the reading ahead."""
        with self._lock:
            if self._stopped and not self._futures:
                return None
            self._stopped = True
            self._queue.clear()
            future = self._futures.pop((str(path), document_id, source_uri, settings), None)
        return None if future is None else future.result()

    def stop(self) -> None:
        """No more reading ahead; unclaimed results are dropped."""
        with self._lock:
            self._stopped = True
            self._queue.clear()
            self._futures.clear()
