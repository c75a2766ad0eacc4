"""The ingest flow in this process on real DuckDB and PostgreSQL: re-runs, --force, an added
file, process workers and a 2-worker Dask cluster all yield the same warehouse.

Prefect's temporary server starts once for this pytest process (~8 s), so the
assertions are grouped into few tests rather than one flow run per fact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscaldoc.flows.ingest import ingest

from helpers.warehouse_state import SEED_PDF, contents, counts, duplicates, rows_of, seed_inbox, variant

pytestmark = pytest.mark.slow  # real ingests end to end: the full suite's, not the fast tier's


def test_reruns_are_idempotent_and_backends_agree(tmp_path: Path, postgres_url: str) -> None:
    """Twice → same counts; an added file → exactly its rows; --force → same counts;
    DuckDB (threads) and PostgreSQL end with equal contents — PostgreSQL's forced
    re-extraction, which wrote what is compared, ran in 2 worker processes."""
    inbox = seed_inbox(tmp_path / "inbox")
    duck = f"duckdb:///{tmp_path / 'w.duckdb'}"
    added_rows = rows_of(variant(tmp_path, 1))
    held = {}
    for url, workers in ((duck, 1), (postgres_url, 2)):
        (inbox / "variant-1-000_4ea89972e077d80e.txt").unlink(missing_ok=True)
        first = ingest(paths=[str(inbox)], warehouse_url=url)
        assert (first.processed, first.skipped, first.failed) == (2, 0, 0), url
        after_first = counts(url)
        assert after_first["documents"] == 2 and after_first["allocation_items"] == 12, after_first

        again = ingest(paths=[str(inbox)], warehouse_url=url)
        assert (again.processed, again.skipped) == (0, 2)
        assert counts(url) == after_first

        variant(inbox, 1)
        added = ingest(paths=[str(inbox)], warehouse_url=url)
        assert (added.processed, added.skipped) == (1, 2)
        after_add = counts(url)
        assert after_add == {t: after_first[t] + added_rows[t] for t in after_first}

        forced = ingest(paths=[str(inbox)], warehouse_url=url, workers=workers, force=True)
        assert (forced.processed, forced.skipped) == (3, 0)
        assert counts(url) == after_add
        assert not any(duplicates(url).values())
        held[url] = contents(url)
    assert held[duck] == held[postgres_url]


def test_dask_cluster_yields_the_serial_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2 Dask worker processes give the warehouse the serial path gives, from a relative PATH
    that the workers (started in another folder) could not open as given."""
    from distributed import Client, LocalCluster

    inbox = seed_inbox(tmp_path / "inbox")
    variant(inbox, 1)
    serial = f"duckdb:///{tmp_path / 'serial.duckdb'}"
    dask = f"duckdb:///{tmp_path / 'dask.duckdb'}"
    for name, value in {
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
    }.items():
        monkeypatch.setenv(name, value)  # inherited by the spawned Dask workers
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        monkeypatch.chdir(tmp_path)
        assert ingest(paths=["inbox"], warehouse_url=serial).processed == 3
        summary = ingest(paths=["inbox"], warehouse_url=dask, dask_address=cluster.scheduler_address)
        with Client(cluster) as client:
            executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(executed) == 2 and sum(executed.values()) == 3, executed  # the 3 documents ran there
    assert (summary.processed, summary.failed) == (3, 0)
    held = contents(dask)
    assert held == contents(serial)
    assert sorted(row[1] for row in held["documents"])[0] == "inbox/000_4ea89972e077d80e.txt"


def test_a_refused_document_is_not_retried_then_failed_redoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from fiscaldoc.model.records import DocumentResult
    from fiscaldoc.warehouse.load import Warehouse

    inbox = seed_inbox(tmp_path / "inbox")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    attempts: list[str] = []
    replace = Warehouse._replace

    def refuse_the_pdf(self: Warehouse, results: list[DocumentResult]) -> None:
        for result in results:
            if result.document.file_name.endswith(".pdf") and result.records.allocation_items:
                attempts.append(result.document.file_name)
                raise sa.exc.DataError("INSERT", {}, Exception("numeric field overflow"))
        replace(self, results)

    monkeypatch.setattr(Warehouse, "_replace", refuse_the_pdf)
    summary = ingest(paths=[str(inbox)], warehouse_url=url)
    # Once with the text file (the batch is refused whole), once alone to single it out; never
    # retried, since a bad document is not a transient failure.
    assert attempts == ["seed-ruled.pdf", "seed-ruled.pdf"]
    assert (summary.loaded, summary.failed) == (1, 1)
    ((source, reason),) = summary.failures
    assert source.endswith("seed-ruled.pdf") and reason.startswith("could not load: DataError:")
    state = counts(url)
    assert state["documents"] == 2 and state["allocation_items"] == 6  # the PDF is recorded as failed

    monkeypatch.undo()  # the warehouse takes the PDF's rows again: --failed redoes only the PDF
    retried = ingest(paths=[str(inbox)], warehouse_url=url, failed_only=True)
    assert (retried.processed, retried.loaded, retried.skipped) == (1, 1, 1)
    assert counts(url) == {t: n + rows_of(inbox / SEED_PDF)[t] - (t == "documents") for t, n in state.items()}
