"""The ``fiscaldoc`` command line (CONTRACT.md § CLI)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from warehouse import DEFAULT_URL

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
    "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "WARNING",
}


def quiet_prefect() -> None:
    for name, value in _PREFECT_QUIET.items():
        os.environ.setdefault(name, value)


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
) -> None:
    """Ingest attachments into the warehouse and print a summary."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from fiscaldoc import batch

    console = Console(stderr=True)
    try:
        batch.discover(paths)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    quiet_prefect()
    from flows.ingest import ingest as ingest_flow

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
        from fiscaldoc.records import DocumentResult

        progress.update(bar, total=total)
        if isinstance(result, DocumentResult):
            progress.update(bar, advance=1, description=result.document.file_name)

    with progress, batch.reporting(on_result):
        summary = ingest_flow(paths=paths, warehouse_url=warehouse, force=force, failed_only=failed)
    _print_summary(summary, console)
    raise typer.Exit(1 if summary.failed else 0)


def _print_summary(summary: object, console: object) -> None:
    """A few short lines: what was read, what was found, what the checks said."""
    from rich.console import Console

    from fiscaldoc.batch import Summary

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
        out.print(f"  [yellow]{Path(source).name}[/yellow]: {reason}", highlight=False)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Print one file's records as JSON (one key per contract table); no warehouse, no Prefect."""
    from fiscaldoc.pipeline import process

    result = process(file)
    tables = {name: [r.model_dump(mode="json") for r in rows] for name, rows in result.tables().items()}
    json.dump(tables, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    raise typer.Exit(1 if result.document.status == "failed" else 0)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
