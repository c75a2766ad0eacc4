"""The ``ingest`` flow: discover → plan → (extract+normalise+check per document) → load.

Each task is one call into library code. Extraction runs as ``process-document``
tasks on the task runner that ``workers``/``dask_address`` pick
(:mod:`fiscaldoc.flows.runners`: threads, a process pool, or a Dask cluster); loading
happens in the flow's own process as results arrive, a few documents per
transaction (:class:`fiscaldoc.flows.batch.Pending` says when), retried with backoff
only for transient warehouse errors.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

from fiscaldoc.extractors.archive import file_name_of
from fiscaldoc.flows import batch, isolation, runners
from fiscaldoc.flows.ahead import Job, ReadAhead
from fiscaldoc.lexicon.escaping import printable
from fiscaldoc.model.records import DocumentResult, Records
from fiscaldoc.model.settings import Settings
from fiscaldoc.pipeline.process import one_line
from fiscaldoc.warehouse.load import DEFAULT_URL, Warehouse
from fiscaldoc.warehouse.retry import WarehouseBusy, retry_condition

T = TypeVar("T")


class Sealed(Generic[T]):
    """A task argument Prefect hands over as is. Prefect walks a task's arguments looking for
    futures, rebuilding every pydantic model on the way (about 0.15 s for a document of a
    thousand items); an instance of a plain class is opaque to that walk."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Sealed({type(self.value).__name__})"


@task(name="process-documents", cache_policy=NO_CACHE, task_run_name="process {name}")
def process_documents(
    lot: Sealed[list[Job]],
    settings: Settings,
    ahead: Sealed[ReadAhead] | None = None,
    name: str = "",
) -> Sealed[list[DocumentResult]]:
    """A lot of documents (:func:`fiscaldoc.flows.batch.lots`), one call per document: whatever
    runs the task (thread, process, Dask worker) only calls this. Each document runs in a
    child process with its own time and memory limits and ends in its own result, status and
    reason; a lot only spares Prefect a task run per small document."""
    early = ahead.value if ahead else None
    return Sealed(
        [
            isolation.process_isolated(path, document_id, settings, source_uri=source_uri, ahead=early)
            for path, document_id, source_uri in lot.value
        ]
    )


@task(
    name="load-documents",
    cache_policy=NO_CACHE,
    task_run_name="load {name}",
    retries=2,
    retry_delay_seconds=[5, 20],
    retry_condition_fn=retry_condition,
)
def load_documents(warehouse: Warehouse, results: Sealed[list[DocumentResult]], name: str) -> None:
    started = time.thread_time()
    try:
        warehouse.load_together(results.value)
    finally:
        isolation.CPU.add({"load": time.thread_time() - started})


class Runtime:
    """What a run gets from the process that starts it, beside its parameters: documents
    that process read ahead while Prefect started, and whom to tell of each document done
    (the CLI's progress bar). Opaque to Prefect (no ``__dict__``): shown as its type name."""

    __slots__ = ("ahead", "cpu_since", "progress")

    def __init__(
        self,
        ahead: ReadAhead | None = None,
        progress: batch.Progress | None = None,
        cpu_since: dict[str, float] | None = None,
    ) -> None:
        self.ahead = ahead
        self.progress = progress
        self.cpu_since = cpu_since
        """The CPU tally (:data:`fiscaldoc.flows.isolation.CPU`) before reading ahead began."""

    def report(self, result: DocumentResult | None, total: int) -> None:
        if self.progress is not None:
            self.progress(result, total)


def _extract_and_load(
    plan: batch.Plan,
    warehouse: Warehouse,
    runner: TaskRunner[Any],
    total: int,
    summary: batch.Summary,
    settings: Settings,
    runtime: Runtime,
    parallel: int = 1,
) -> list[DocumentResult]:
    """Submit every document to ``runner`` in lots (:func:`fiscaldoc.flows.batch.lots`, for
    about ``parallel`` at once); load results here as they come, a few at a time. Once loaded,
    a result counts in ``summary`` and only its ``documents`` row and failed checks are kept
    (for the run's artifact), so memory does not grow with the batch."""
    pending = batch.Pending(plan.rejected, documents=settings.load_batch)  # refused archive entries
    loaded: list[DocumentResult] = []

    def load(results: list[DocumentResult]) -> None:
        for result in _load(warehouse, results, total, runtime):
            summary.add(result)
            failed = [c for c in result.check_results if c.status != "pass"]
            telling = [p for p in result.records.parse_reports if p.rows_skipped or p.detail]
            loaded.append(
                DocumentResult(
                    document=result.document,
                    records=Records(parse_reports=telling[:MAX_REPORTS_KEPT]),
                    check_results=failed,
                )
            )

    if plan.todo:
        with runner:
            # Workers get absolute paths (a Dask worker's working folder is not ours);
            # the warehouse keeps the source as given.
            ahead = Sealed(runtime.ahead) if runtime.ahead is not None else None
            jobs: list[Job] = [
                (path.absolute(), digest, plan.source(path)) for path, digest in plan.largest_first()
            ]
            futures = [
                runner.submit(
                    process_documents,
                    {
                        "lot": Sealed(lot),
                        "settings": settings,
                        "ahead": ahead,
                        "name": _lot_name(lot),
                    },
                )
                for lot in batch.lots(jobs, parallel)
            ]
            for future in _as_finished(futures):
                for result in future.result().value:
                    if pending.add(result):
                        load(pending.take())
    load(pending.take())
    return loaded


MAX_REPORTS_KEPT = 20
"""Parse reports kept per document for the run's artifact (memory stays flat on a big batch)."""
MAX_DETAIL_SHOWN = 5


def _lot_name(lot: list[Job]) -> str:
    """A lot as Prefect shows its task run: its first file's name (storable text, as the source)
    and how many more."""
    first = file_name_of(lot[0][2] or str(lot[0][0]))
    return first + (f" +{len(lot) - 1}" if len(lot) > 1 else "")


def _as_finished(futures: list[PrefectFuture[T]]) -> Iterator[PrefectFuture[T]]:
    """``futures`` as they finish, each let go once handed out (``futures`` is emptied).
    Prefect's ``as_completed`` keeps every future, and so every document's result, until the
    last one is done: a batch's memory would grow with its size."""
    finished: queue.SimpleQueue[PrefectFuture[T]] = queue.SimpleQueue()
    count = len(futures)
    for future in futures:
        future.add_done_callback(finished.put)
    futures.clear()
    return (finished.get() for _ in range(count))


def _load(
    warehouse: Warehouse, results: list[DocumentResult], total: int, runtime: Runtime
) -> list[DocumentResult]:
    """Load ``results`` in one transaction; if the warehouse refuses them, each on its own, so
    that only the document it refuses fails."""
    if not results:
        return []
    try:
        name = printable(results[0].document.file_name) + (
            f" +{len(results) - 1}" if len(results) > 1 else ""
        )
        load_documents(warehouse, Sealed(results), name)
    except WarehouseBusy:
        raise  # the warehouse itself is gone: stop the batch
    except Exception as exc:
        if len(results) == 1:  # this document's rows were refused: record why, go on
            results = [_not_loaded(warehouse, results[0], exc)]
        else:
            return [r for result in results for r in _load(warehouse, [result], total, runtime)]
    for result in results:
        runtime.report(result, total)
        if result.document.error:
            get_run_logger().info(
                "%s: %s (%s)", result.document.file_name, result.document.status, result.document.error
            )
    return results


def _not_loaded(warehouse: Warehouse, result: DocumentResult, exc: Exception) -> DocumentResult:
    """The document as ``failed`` with the loader's reason, its row kept if the warehouse takes it."""
    reason = f"could not load: {type(exc).__name__}: {one_line(exc)}"
    get_run_logger().error("%s: %s", result.document.file_name, reason)
    failed = DocumentResult(document=result.document.model_copy(update={"status": "failed", "error": reason}))
    try:
        warehouse.load([failed])
    except Exception as again:
        get_run_logger().error("%s: not recorded either: %s", result.document.file_name, again)
    return failed


def _publish(summary: batch.Summary, results: list[DocumentResult]) -> None:
    create_table_artifact(
        key="ingest-documents",
        table=[
            {
                "file": printable(r.document.file_name),
                "status": r.document.status,
                "error": printable(r.document.error or ""),
                "failed_checks": ", ".join(
                    f"{c.rule}({c.subject})" for c in r.check_results if c.status != "pass"
                ),
            }
            for r in results
        ],
        description="Documents processed by this run",
    )
    create_table_artifact(
        key="ingest-parse-reports",
        table=[
            {
                "file": printable(r.document.file_name),
                "table": f"#{p.ordinal} {p.kind}",
                "pages": "" if p.page_start is None else f"{p.page_start}-{p.page_end}",
                "engine": p.engine or "",
                "rows_seen": p.rows_seen,
                "rows_read": p.rows_read,
                "rows_skipped": p.rows_skipped,
                "detail": printable(" / ".join((p.detail or "").split("\n")[:MAX_DETAIL_SHOWN])),
            }
            for r in results
            for p in r.records.parse_reports
        ],
        description="Parse reports of tables and forms with rows skipped or notes (extract prints all)",
    )
    create_markdown_artifact(
        key="ingest-summary",
        markdown=(
            f"# fiscaldoc ingest\n\n| files | processed | skipped | loaded | partial | failed |\n"
            f"|---|---|---|---|---|---|\n| {summary.files} | {summary.processed} | {summary.skipped} "
            f"| {summary.loaded} | {summary.partial} | {summary.failed} |\n\n"
            f"{summary.plans} plans, {summary.items} items, {summary.forms} forms, "
            f"{summary.indicators} indicators; checks: {summary.checks_pass} pass, "
            f"{summary.checks_fail} fail, {summary.checks_warn} warn.\n"
        ),
    )


def _report(plan: batch.Plan, warehouse: Warehouse, out: Path, settings: Settings) -> None:
    """The review report of this run's documents (those it skipped too), and its link as an
    artifact. Only when asked (``--report``): drawing every page costs about 0.03 s a page."""
    from fiscaldoc.report import write_report

    files = {digest: path for path, digest in (*plan.todo, *plan.skipped)}
    archives = [plan.source(path) for path, _ in plan.skipped]  # entries of archives not re-read
    rejected = [r.document.document_id for r in plan.rejected]
    try:
        result = write_report(
            warehouse.engine,
            out,
            document_ids_wanted=[*files, *rejected],
            archives=archives,
            files=files,
            settings=settings,
        )
    except Exception as exc:  # the documents are loaded: a report that fails does not undo that
        get_run_logger().error("review report not written: %s: %s", type(exc).__name__, one_line(exc))
        return
    create_link_artifact(
        key="ingest-report",
        link=result.index.resolve().as_uri(),
        link_text="review report",
        description=f"Every page beside what was read from it: {result.documents} documents",
    )


def _run(
    plan: batch.Plan,
    warehouse: Warehouse,
    files: int,
    workers: int | None,
    dask_address: str | None,
    settings: Settings,
    runtime: Runtime,
    report_dir: str | None = None,
) -> batch.Summary:
    logger = get_run_logger()
    for path, digest in plan.moved:
        source = plan.source(path)
        warehouse.touch_source(digest, source, file_name_of(source))
    summary = batch.Summary(files=files + plan.entries, skipped=len(plan.skipped))
    total = len(plan.todo) + len(plan.rejected)
    logger.info(
        "%d files: %d to process %s, %d already ingested",
        summary.files,
        total,
        runners.describe(workers, dask_address),
        len(plan.skipped),
    )
    runtime.report(None, total)
    cpu_before = runtime.cpu_since if runtime.cpu_since is not None else isolation.CPU.snapshot()
    with runners.shared_api(dask_address):
        results = _extract_and_load(
            plan,
            warehouse,
            runners.task_runner(workers, dask_address),
            total,
            summary,
            settings,
            runtime,
            runners.parallelism(workers, dask_address),
        )
    cpu_after = isolation.CPU.snapshot()
    summary.cpu_s = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    results.sort(key=lambda r: r.document.source_uri)
    _publish(summary, results)
    if report_dir:
        _report(plan, warehouse, Path(report_dir), settings)
    return summary


@flow(name="fiscaldoc-ingest", log_prints=False)
def ingest(
    paths: list[str],
    warehouse_url: str = DEFAULT_URL,
    force: bool = False,
    failed_only: bool = False,
    workers: int | None = None,
    dask_address: str | None = None,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    settings: Settings | None = None,
    runtime: Any = None,
    report_dir: str | None = None,
) -> batch.Summary:
    """Ingest ``paths`` into ``warehouse_url``; parameters mirror ``fiscaldoc ingest``'s options.

    ``settings`` are the caller's, resolved already (the CLI's); without them (a deployment's
    run) they are resolved here from this process' environment and ``timeout_s``/``memory_mb``.
    ``runtime`` (a :class:`Runtime`) is for a caller in this process only; with ``report_dir``
    the run writes its review report there (:mod:`fiscaldoc.report`) and links it."""
    if settings is None:
        settings = Settings.resolve(timeout_s=timeout_s, memory_mb=memory_mb)
    runtime = runtime if isinstance(runtime, Runtime) else Runtime()
    runners.task_runner(workers, dask_address)  # a bad choice fails before any work
    files = batch.discover(paths)
    warehouse = Warehouse(warehouse_url, wait_s=settings.warehouse_wait_s, crash=settings.test_crash)
    try:
        plan = batch.plan_batch(
            files, warehouse.known(), force=force, failed_only=failed_only, limits=settings.reading.zip
        )
        try:
            return _run(plan, warehouse, len(files), workers, dask_address, settings, runtime, report_dir)
        finally:
            plan.close()  # extracted archive entries
    finally:
        warehouse.dispose()
