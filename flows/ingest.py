"""The ``ingest`` flow: discover → plan → (extract+normalise+check per document) → load.

Each task is one call into library code. Extraction runs as ``process-document``
tasks on the task runner that ``workers``/``dask_address`` pick
(:mod:`flows.runners`: threads, a process pool, or a Dask cluster); loading
happens in the flow's own process as results arrive, one transaction per
document, retried with backoff only for transient warehouse errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import TaskRunner

from fiscaldoc import batch, pipeline
from fiscaldoc.records import DocumentResult
from flows import runners
from warehouse.load import DEFAULT_URL, Warehouse
from warehouse.retry import WarehouseBusy, retry_condition


@task(name="process-document", cache_policy=NO_CACHE, task_run_name="process {path.name}")
def process_document(path: Path, document_id: str) -> DocumentResult:
    """One document, one call: whatever runs it (thread, process, Dask worker) only calls this."""
    return pipeline.process(path, document_id)


@task(
    name="load-document",
    cache_policy=NO_CACHE,
    task_run_name="load {result.document.file_name}",
    retries=2,
    retry_delay_seconds=[5, 20],
    retry_condition_fn=retry_condition,
)
def load_document(warehouse: Warehouse, result: DocumentResult) -> None:
    warehouse.load([result])


def _extract_and_load(
    todo: list[tuple[Path, str]], warehouse: Warehouse, runner: TaskRunner[Any]
) -> list[DocumentResult]:
    """Submit every document to ``runner``; load each result here as soon as it is done."""
    if not todo:
        return []
    logger = get_run_logger()
    results = []
    with runner:
        # Workers get absolute paths (a Dask worker's working folder is not ours);
        # the warehouse keeps the path as it was given.
        given = {}
        for path, digest in todo:
            future = runner.submit(process_document, {"path": path.absolute(), "document_id": digest})
            given[future] = path
        for future in as_completed(list(given)):
            result: DocumentResult = future.result()
            result = _as_given(result, given[future])
            try:
                load_document(warehouse, result)
            except WarehouseBusy:
                raise  # the warehouse itself is gone: stop the batch
            except Exception as exc:  # this document's rows were refused: record why, go on
                result = _not_loaded(warehouse, result, exc)
            results.append(result)
            batch.report(result, len(todo))
            if result.document.error:
                logger.info(
                    "%s: %s (%s)", result.document.file_name, result.document.status, result.document.error
                )
    return results


def _as_given(result: DocumentResult, path: Path) -> DocumentResult:
    if result.document.source_uri == str(path):
        return result
    return result.model_copy(
        update={"document": result.document.model_copy(update={"source_uri": str(path)})}
    )


def _not_loaded(warehouse: Warehouse, result: DocumentResult, exc: Exception) -> DocumentResult:
    """The document as ``failed`` with the loader's reason, its row kept if the warehouse takes it."""
    reason = f"could not load: {type(exc).__name__}: {pipeline.one_line(exc)}"
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
                "file": r.document.file_name,
                "status": r.document.status,
                "error": r.document.error or "",
                "failed_checks": ", ".join(
                    f"{c.rule}({c.subject})" for c in r.check_results if c.status != "pass"
                ),
            }
            for r in results
        ],
        description="Documents processed by this run",
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


@flow(name="fiscaldoc-ingest", log_prints=False)
def ingest(
    paths: list[str],
    warehouse_url: str = DEFAULT_URL,
    force: bool = False,
    failed_only: bool = False,
    workers: int = 1,
    dask_address: str | None = None,
) -> batch.Summary:
    """Ingest ``paths`` into ``warehouse_url``; parameters mirror ``fiscaldoc ingest``'s options."""
    logger = get_run_logger()
    runners.task_runner(workers, dask_address)  # a bad choice fails before any work
    files = batch.discover(paths)
    warehouse = Warehouse(warehouse_url)
    try:
        plan = batch.plan_batch(files, warehouse.known(), force=force, failed_only=failed_only)
        for path, digest in plan.moved:
            warehouse.touch_source(digest, str(path), path.name)
        summary = batch.Summary(files=len(files), skipped=len(plan.skipped))
        logger.info(
            "%d files: %d to process %s, %d already ingested",
            len(files),
            len(plan.todo),
            runners.describe(workers, dask_address),
            len(plan.skipped),
        )
        batch.report(None, len(plan.todo))
        with runners.shared_api(workers, dask_address):
            runner = runners.task_runner(workers, dask_address)
            results = _extract_and_load(plan.todo, warehouse, runner)
        for result in results:
            summary.add(result)
        results.sort(key=lambda r: r.document.source_uri)
        _publish(summary, results)
        return summary
    finally:
        warehouse.dispose()
