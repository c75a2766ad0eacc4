"""The ``fiscaldoc`` command line (CONTRACT.md § CLI)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fiscaldoc.lexicon.escaping import printable
from fiscaldoc.warehouse import DEFAULT_URL

if TYPE_CHECKING:
    from rich.console import Console

    from fiscaldoc.flows.ahead import ReadAhead
    from fiscaldoc.flows.api import TemporaryApi
    from fiscaldoc.model.records import DocumentResult
    from fiscaldoc.model.settings import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Digitise Chinese budget attachments into a checked warehouse.",
)

# Prefect's temporary server: no telemetry (no network here), no noisy shutdown, short logs.
_PREFECT_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # A flow's exception reaches the CLI anyway (a clean message for a busy warehouse,
    # a traceback for a bug); the engine's own copy of it would only repeat it.
    "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "WARNING",
}


def quiet_prefect() -> None:
    for name, value in _PREFECT_QUIET.items():
        os.environ.setdefault(name, value)


REPORT_DIR = Path("fiscaldoc-report")
"""Where ``fiscaldoc report`` writes unless told (relative to the working folder)."""

WORKERS = typer.Option(
    "--workers",
    help="Documents parsed at once, each in its own worker process (default: one per CPU).",
)
DASK_ADDRESS = typer.Option(
    "--dask-address",
    help="Extract on an existing Dask cluster (prefect-dask), e.g. tcp://scheduler:8786.",
)


def _check_usage(console: object, paths: list[str], workers: int | None, dask_address: str | None) -> None:
    """Exit 2 (bad usage) for a missing path or an impossible runner choice, before Prefect starts."""
    from rich.console import Console

    from fiscaldoc.flows import batch
    from fiscaldoc.flows.runners import RunnerChoiceError, check_choice

    assert isinstance(console, Console)
    try:
        batch.discover(paths)
        check_choice(workers, dask_address)
    except (FileNotFoundError, RunnerChoiceError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or globs.")],
    warehouse: Annotated[
        str, typer.Option(help="SQLAlchemy URL: duckdb:///file.duckdb or postgresql://…")
    ] = DEFAULT_URL,
    force: Annotated[bool, typer.Option("--force", help="Re-extract files already ingested.")] = False,
    failed: Annotated[
        bool,
        typer.Option("--failed", help="Re-run only documents whose last status is failed or partial."),
    ] = False,
    workers: Annotated[int | None, WORKERS] = None,
    dask_address: Annotated[str | None, DASK_ADDRESS] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", help="Seconds per document before its worker is killed (0: none).", min=0),
    ] = None,
    memory_mb: Annotated[
        int | None,
        typer.Option("--memory-mb", help="Memory limit per document's worker in MB (0: none).", min=0),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the review report of these documents into this folder."),
    ] = None,
) -> None:
    """Ingest attachments into the warehouse and print a summary."""
    from rich.console import Console

    from fiscaldoc.flows import ahead, batch
    from fiscaldoc.flows.api import temporary_api
    from fiscaldoc.flows.isolation import CPU, read_ahead, warm_up
    from fiscaldoc.flows.runners import default_workers

    console = Console(stderr=True)
    _check_usage(console, paths, workers, dask_address)
    settings = _settings(console, timeout, memory_mb)
    quiet_prefect()
    with temporary_api() as api:
        # While Prefect and the flow start, the isolation workers' forkserver imports the
        # pipeline and the workers read the batch (fiscaldoc.flows.ahead), or are forked.
        local_workers = 0 if dask_address else workers or default_workers()
        cpu_since = CPU.snapshot()
        warm_up()
        jobs: list[ahead.Job] = []
        if local_workers:  # the whole batch: its reading starts now, not when Prefect is up
            jobs = batch.plan_ahead(
                paths,
                warehouse,
                force=force,
                failed_only=failed,
                zip_limits=settings.reading.zip,
            )
        early = read_ahead(jobs, local_workers, settings) if jobs else None
        if early is None:
            warm_up(local_workers, settings.worker)
        try:
            _ingest(
                paths,
                warehouse,
                force,
                failed,
                workers,
                dask_address,
                console,
                api,
                settings,
                early,
                cpu_since,
                report,
            )
        finally:
            if early is not None:
                early.stop()


def _ingest(
    paths: list[str],
    warehouse: str,
    force: bool,
    failed: bool,
    workers: int | None,
    dask_address: str | None,
    console: Console,
    api: TemporaryApi | None,
    settings: Settings,
    early: ReadAhead | None,
    cpu_since: dict[str, float],
    report: Path | None = None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from fiscaldoc.flows.ingest import Runtime
    from fiscaldoc.flows.ingest import ingest as ingest_flow
    from fiscaldoc.warehouse.retry import WarehouseBusy

    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )
    bar = progress.add_task("starting Prefect…", total=None)

    def on_result(result: object, total: int) -> None:
        from fiscaldoc.model.records import DocumentResult

        progress.update(bar, total=total)
        if isinstance(result, DocumentResult):
            progress.update(bar, advance=1, description=result.document.file_name)

    try:
        with progress:
            if api is not None:
                api.wait()
            summary = ingest_flow(
                paths=paths,
                warehouse_url=warehouse,
                force=force,
                failed_only=failed,
                workers=workers,
                dask_address=dask_address,
                settings=settings,
                runtime=Runtime(early, on_result, cpu_since),
                report_dir=str(report) if report else None,
            )
    except WarehouseBusy as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    _print_summary(summary, console)
    if report is not None and (report / "index.html").is_file():
        from rich.console import Console

        index = escape(str(report / "index.html"))
        Console().print(f"[bold]report[/bold] {index}", highlight=False, soft_wrap=True)
    raise typer.Exit(1 if summary.failed else 0)


def _settings(console: Console, timeout: float | None, memory_mb: int | None) -> Settings:
    """The run's settings: a bad ``FISCALDOC_*`` value is bad usage, said before any work."""
    from fiscaldoc.model.settings import Settings, SettingsError

    try:
        return Settings.resolve(timeout_s=timeout, memory_mb=memory_mb)
    except SettingsError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc


def _print_summary(summary: object, console: object) -> None:
    """A few short lines: what was read, what was found, what the checks said."""
    from rich.console import Console

    from fiscaldoc.flows.batch import Summary

    assert isinstance(summary, Summary) and isinstance(console, Console)
    out = Console()
    out.print(
        f"[bold]files[/bold] {summary.files}: {summary.processed} ingested, "
        f"{summary.skipped} already in the warehouse — "
        f"[green]{summary.loaded} loaded[/green], [yellow]{summary.partial} partial[/yellow], "
        f"[red]{summary.failed} failed[/red]"
    )
    out.print(
        f"[bold]records[/bold] {summary.plans} plans, {summary.items} items, "
        f"{summary.forms} forms, {summary.indicators} indicators"
    )
    out.print(
        f"[bold]checks[/bold] [green]{summary.checks_pass} pass[/green], "
        f"[red]{summary.checks_fail} fail[/red], [yellow]{summary.checks_warn} warn[/yellow]"
    )
    for source, reason in summary.failures:
        # File names and reasons are untrusted text: never read as Rich markup.
        name, why = printable(Path(source).name), printable(reason)
        out.print(f"  [yellow]{escape(name)}[/yellow]: {escape(why)}", highlight=False)


@app.command()
def serve(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive) or globs to ingest each run.")
    ],
    cron: Annotated[str, typer.Option(help="When to run, as a cron string.")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="IANA time zone the cron string is read in.")] = "UTC",
    warehouse: Annotated[
        str, typer.Option(help="SQLAlchemy URL: duckdb:///file.duckdb or postgresql://…")
    ] = DEFAULT_URL,
    workers: Annotated[int | None, WORKERS] = None,
    dask_address: Annotated[str | None, DASK_ADDRESS] = None,
) -> None:
    """Serve the ingest flow as a Prefect deployment on a schedule (runs until interrupted)."""
    from rich.console import Console

    console = Console(stderr=True)
    _check_usage(console, paths, workers, dask_address)
    quiet_prefect()
    from fiscaldoc.flows.serve import serve as serve_flow
    from fiscaldoc.flows.serve import serve_arguments

    try:
        serve_arguments(paths, cron=cron, timezone=timezone)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():  # Prefect's temporary server has no scheduler
        console.print(
            "[red]error:[/red] a schedule needs a Prefect server: start one with "
            "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api",
            highlight=False,
        )
        raise typer.Exit(2)
    serve_flow(
        paths=paths,
        cron=cron,
        timezone=timezone,
        warehouse_url=warehouse,
        workers=workers,
        dask_address=dask_address,
    )


@app.command()
def report(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Only these files, folders or globs (default: every document); read from here."),
    ] = None,
    warehouse: Annotated[
        str, typer.Option(help="SQLAlchemy URL: duckdb:///file.duckdb or postgresql://…")
    ] = DEFAULT_URL,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the report into.")] = REPORT_DIR,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Documents drawn at once (default: CPUs, at most 4).", min=1),
    ] = None,
) -> None:
    """Write a static HTML review report (opens from disk): every page beside what was read from it."""
    from rich.console import Console

    from fiscaldoc.report import ReportError, ReportOptions, write_report

    console = Console(stderr=True)
    settings = _settings(console, None, None)
    files: dict[str, Path] = {}
    wanted: list[str] | None = None
    plan = None
    if paths:
        from fiscaldoc.flows import batch

        try:
            plan = batch.plan_batch(batch.discover(paths), {}, limits=settings.reading.zip)
        except FileNotFoundError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from exc
        files = {digest: path for path, digest in plan.todo}
        wanted = [*files, *(r.document.document_id for r in plan.rejected)]
    try:
        result = write_report(
            warehouse,
            out,
            document_ids_wanted=wanted,
            files=files,
            settings=settings,
            options=ReportOptions(workers=workers),
        )
    except ReportError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        if plan is not None:
            plan.close()
    if wanted is not None and result.documents < len(set(wanted)):
        missing = len(set(wanted)) - result.documents
        console.print(f"[yellow]{missing} of the files are not in the warehouse: ingest them first[/yellow]")
    for problem in result.problems:
        console.print(f"  [yellow]{escape(printable(problem))}[/yellow]", highlight=False)
    console.print(
        f"report: {result.documents} documents, {result.pages_drawn} pages drawn in {result.seconds:.1f} s",
        highlight=False,
    )
    print(result.index)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Print one file's records as JSON (one key per contract table); no warehouse, no Prefect.
    For an archive, its own row and the records of every attachment inside it."""
    from rich.console import Console

    from fiscaldoc.flows.batch import plan_batch
    from fiscaldoc.flows.isolation import process_isolated

    settings = _settings(Console(stderr=True), None, None)
    plan = plan_batch([file], {}, limits=settings.reading.zip)
    try:
        results = [
            process_isolated(path, digest, settings, source_uri=plan.source(path))
            for path, digest in plan.todo
        ]
    finally:
        plan.close()
    results += plan.rejected
    tables: dict[str, list[object]] = {}
    for result in results:
        for name, rows in result.tables().items():
            tables.setdefault(name, []).extend(r.model_dump(mode="json") for r in rows)
    json.dump(tables, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    _print_parse_reports(results)
    raise typer.Exit(1 if any(r.document.status == "failed" for r in results) else 0)


def _print_parse_reports(results: list[DocumentResult]) -> None:
    """Each document's parse report on stderr (stdout is the JSON): what every reader saw of
    each table or form, rows read and skipped, and why."""
    from fiscaldoc.normalizers.parse_log import describe

    for result in results:
        reports = result.records.parse_reports
        if not reports:
            continue
        status = result.document.status + (f": {result.document.error}" if result.document.error else "")
        lines = [f"parse report of {result.document.file_name} ({status})"]
        lines += [f"  {line}" for report in reports for line in describe(report)]
        sys.stderr.write("".join(printable(line) + "\n" for line in lines))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
