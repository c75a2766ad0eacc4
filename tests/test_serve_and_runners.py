"""``fiscaldoc serve`` builds the right deployment and schedule; ``--workers`` and
``--dask-address`` pick the right Prefect task runner; bad choices are usage errors.

No flow runs here: ``Flow.serve`` (which would poll forever) is replaced by a
recorder, and what it was given is turned into the deployment it would register.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from prefect.client.schemas.schedules import CronSchedule
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner
from typer.testing import CliRunner

from fiscaldoc.cli import app
from fiscaldoc.flows import runners
from fiscaldoc.flows.ingest import ingest

from helpers.warehouse_state import seed_inbox

SERVER = "http://127.0.0.1:4200/api"  # never contacted: Flow.serve is replaced


def test_serve_registers_a_cron_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = seed_inbox(tmp_path / "inbox")
    served: list[dict[str, Any]] = []
    monkeypatch.setattr(type(ingest), "serve", lambda self, **kwargs: served.append(kwargs))
    monkeypatch.chdir(tmp_path)
    with temporary_settings(updates={PREFECT_API_URL: SERVER}):
        out = CliRunner().invoke(
            app,
            ["serve", str(inbox), "--cron", "30 1 * * 1-5", "--timezone", "Asia/Shanghai", "--workers", "2"],
        )
    assert out.exit_code == 0, out.output
    (kwargs,) = served
    assert kwargs.pop("limit") == 1  # a run due while the last one still goes waits for it

    deployment = ingest.to_deployment(**kwargs)
    assert deployment.name == "scheduled" and deployment.entrypoint == "fiscaldoc.flows.ingest.ingest"
    (schedule,) = deployment.schedules
    assert isinstance(schedule.schedule, CronSchedule)
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 1 * * 1-5", "Asia/Shanghai")
    assert deployment.parameters == {
        "paths": [str(inbox.resolve())],
        "warehouse_url": f"duckdb:///{tmp_path.resolve() / 'warehouse.duckdb'}",  # made absolute
        "force": False,
        "failed_only": False,
        "workers": 2,
        "dask_address": None,
    }
    assert "fiscaldoc" in deployment.tags


def test_serve_defaults_to_two_at_night_and_refuses_bad_schedules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = seed_inbox(tmp_path / "inbox")
    served: list[dict[str, Any]] = []
    monkeypatch.setattr(type(ingest), "serve", lambda self, **kwargs: served.append(kwargs))
    runner = CliRunner()
    no_server = runner.invoke(app, ["serve", str(inbox)])  # the temporary server cannot schedule
    assert no_server.exit_code == 2 and "needs a Prefect server" in no_server.output
    with temporary_settings(updates={PREFECT_API_URL: SERVER}):
        ok = runner.invoke(app, ["serve", str(inbox), "--warehouse", "postgresql://u@h/db"])
        assert ok.exit_code == 0, ok.output
        assert served[0]["schedules"][0].cron == "0 2 * * *"
        assert served[0]["parameters"]["warehouse_url"] == "postgresql://u@h/db"
        for bad in (["--cron", "61 2 * * *"], ["--timezone", "Mars/Base"], ["--workers", "0"]):
            result = runner.invoke(app, ["serve", str(inbox), *bad])
            assert result.exit_code == 2, (bad, result.output)
            assert "error:" in result.output
        assert runner.invoke(app, ["serve", str(tmp_path / "missing")]).exit_code == 2
    assert len(served) == 1


def test_runner_choice() -> None:
    """N documents at once are N threads, each waiting on its document's own worker process."""
    default = runners.task_runner()
    assert isinstance(default, ThreadPoolTaskRunner)
    assert default._max_workers == runners.default_workers() >= 1
    pool = runners.task_runner(workers=3)
    assert isinstance(pool, ThreadPoolTaskRunner) and pool._max_workers == 3
    dask = runners.task_runner(dask_address="tcp://scheduler:8786")
    assert isinstance(dask, DaskTaskRunner) and dask.address == "tcp://scheduler:8786"
    for workers, address in ((0, None), (2, "tcp://scheduler:8786"), (1, "scheduler:8786")):
        with pytest.raises(runners.RunnerChoiceError):
            runners.task_runner(workers, address)
    assert runners.describe(4) == "4 at a time, each in its own worker process"


def test_ingest_refuses_impossible_runner_choices(tmp_path: Path) -> None:
    inbox = seed_inbox(tmp_path / "inbox")
    runner = CliRunner()
    for bad in (
        ["--workers", "0"],
        ["--workers", "2", "--dask-address", "tcp://h:8786"],
        ["--dask-address", "h"],
    ):
        result = runner.invoke(app, ["ingest", str(inbox), *bad])
        assert result.exit_code == 2, (bad, result.output)


@pytest.mark.slow
def test_temporary_api_answers_then_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's own start of Prefect's temporary server: it answers Prefect's health check,
    and nothing of it outlives the block; a configured server is used as it is."""
    import urllib.request

    from fiscaldoc.flows.api import TemporaryApi, temporary_api

    api = TemporaryApi()
    try:
        api.wait()
        with urllib.request.urlopen(f"{api.url}/health", timeout=5) as answer:
            assert answer.status == 200
    finally:
        api.stop()
    assert api.process.poll() is not None
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    with temporary_api() as none:
        assert none is None


def test_finished_results_are_let_go_one_by_one() -> None:
    """The flow holds a document's result only until it is loaded, not until the batch ends
    (Prefect's ``as_completed`` would keep every one)."""
    import gc
    import weakref
    from concurrent.futures import Future

    from prefect.futures import PrefectConcurrentFuture

    from fiscaldoc.flows.ingest import _as_finished

    class Payload:
        pass

    wrapped = [Future() for _ in range(3)]
    futures = [PrefectConcurrentFuture(uuid4(), w) for w in wrapped]  # type: ignore[var-annotated]
    refs = [weakref.ref(f) for f in futures]
    finished = _as_finished(futures)
    assert futures == [], "the caller's list is emptied"
    payload = Payload()
    payloads = weakref.ref(payload)
    wrapped[1].set_result(payload)
    del payload
    first = next(finished)
    assert first.result() is payloads()
    del first
    wrapped[1] = Future()  # the executor lets go of a finished future too
    gc.collect()
    assert refs[1]() is None and payloads() is None, "a handed-out future is not kept"
    for w in (wrapped[0], wrapped[2]):
        w.set_result(None)
    assert len(list(finished)) == 2
