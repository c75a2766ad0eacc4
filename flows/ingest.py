"""The ``ingest`` flow: discover → plan → (extract+normalise+check per document) → load.

Each task is one call into library code. Extraction runs as tasks on the
flow's task runner; loading happens in the flow's own process, one
transaction per document, retried with backoff for transient errors.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from fiscaldoc import batch, isolation
from fiscaldoc.escaping import printable
from fiscaldoc.records import DocumentResult
from warehouse.load import DEFAULT_URL, Warehouse


@task(name="process-document", cache_policy=NO_CACHE, task_run_name="process {path.name}")
def process_document(path: Path, document_id: str) -> DocumentResult:
    return isolation.process_isolated(path, document_id)


@task(name="load-document", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 2, 4])
def load_document(warehouse: Warehouse, result: DocumentResult) -> None:
    warehouse.load([result])


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
) -> batch.Summary:
    logger = get_run_logger()
    files = batch.discover(paths)
    warehouse = Warehouse(warehouse_url)
    try:
        plan = batch.plan_batch(files, warehouse.known(), force=force, failed_only=failed_only)
        for path, digest in plan.moved:
            warehouse.touch_source(digest, str(path), path.name)
        summary = batch.Summary(files=len(files), skipped=len(plan.skipped))
        logger.info(
            "%d files: %d to process, %d already ingested",
            len(files),
            len(plan.todo),
            len(plan.skipped),
        )
        batch.report(None, len(plan.todo))
        futures = [process_document.submit(path, digest) for path, digest in plan.todo]
        results = []
        for future in futures:
            result = future.result()
            load_document(warehouse, result)
            summary.add(result)
            results.append(result)
            batch.report(result, len(plan.todo))
            if result.document.error:
                logger.info(
                    "%s: %s (%s)",
                    result.document.file_name,
                    result.document.status,
                    result.document.error,
                )
        _publish(summary, results)
        return summary
    finally:
        warehouse.dispose()
