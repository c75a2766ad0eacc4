from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.truth import SEED

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# A busy machine (CI beside other jobs) can take longer than the 20 s default to start it.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

POSTGRES_ADMIN = os.environ.get("FISCALDOC_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def seed_dir() -> Path:
    return SEED


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the real server, dropped afterwards."""
    import psycopg

    name = f"fiscaldoc_test_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES_ADMIN
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def prefect_api_url() -> str:
    """One Prefect server for the whole session: the temporary server this pytest process
    uses for in-process flow runs, shared with CLI subprocesses through PREFECT_API_URL
    so that each of them does not start (and stop) its own."""
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    return server.api_url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the PostgreSQL server are marked ``postgres`` (``-m "not postgres"`` skips them)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = "postgres_url" in names or (
            "warehouse_url" in names
            and callspec is not None
            and callspec.params.get("warehouse_url") == "postgresql"
        )
        if on_postgres:
            item.add_marker(pytest.mark.postgres)
