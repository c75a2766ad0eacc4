"""``fiscaldoc serve``: the ingest flow as a Prefect deployment on a cron schedule.

:func:`serve_arguments` builds everything ``Flow.serve`` is given, so it can be
checked without starting the long-running runner; :func:`serve` starts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fiscaldoc import PIPELINE_VERSION
from fiscaldoc.flows.ingest import ingest
from fiscaldoc.warehouse.load import DEFAULT_URL

DEPLOYMENT_NAME = "scheduled"
DEFAULT_CRON = "0 2 * * *"
"""Every night at 02:00 (in ``timezone``)."""


def absolute_url(url: str) -> str:
    """A relative DuckDB path made absolute: scheduled runs may start in another folder."""
    prefix = "duckdb:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


def serve_arguments(
    paths: list[str],
    *,
    cron: str = DEFAULT_CRON,
    timezone: str = "UTC",
    warehouse_url: str = DEFAULT_URL,
    workers: int | None = None,
    dask_address: str | None = None,
    name: str = DEPLOYMENT_NAME,
) -> dict[str, Any]:
    """Keyword arguments for ``ingest.serve`` (and, equally, ``ingest.to_deployment``).

    The cron string is validated here (a bad one raises ``ValueError``). Paths
    are made absolute for the same reason as the warehouse URL. Runs never
    overlap: the runner's ``limit`` of 1 (see :func:`serve`) queues a run that is
    due while the previous one is still going.
    """
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    schedule = Cron(cron, timezone=timezone)
    _validate(schedule)
    return {
        "name": name,
        "schedules": [schedule],
        "parameters": {
            "paths": [str(Path(p).resolve()) if not _is_glob(p) else p for p in paths],
            "warehouse_url": absolute_url(warehouse_url),
            "force": False,
            "failed_only": False,
            "workers": workers,
            "dask_address": dask_address,
        },
        "description": f"Ingest {', '.join(paths)} into {warehouse_url} on cron '{cron}' ({timezone}).",
        "tags": ["fiscaldoc", "ingest"],
        "version": PIPELINE_VERSION,
        # runs import fiscaldoc.flows.ingest from the installed package, whatever their working folder
        "entrypoint_type": EntrypointType.MODULE_PATH,
    }


def serve(**arguments: Any) -> None:
    """Register the deployment and poll for its scheduled runs until interrupted."""
    ingest.serve(**serve_arguments(**arguments), limit=1)


def _is_glob(path: str) -> bool:
    import glob

    return glob.has_magic(path)


def _validate(schedule: Any) -> None:
    """Turn Prefect's schedule validation into ``ValueError`` before anything starts."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=schedule.cron, timezone=schedule.timezone)
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]) for e in exc.errors())
        raise ValueError(f"not a valid schedule {schedule.cron!r} ({schedule.timezone}): {reason}") from exc
