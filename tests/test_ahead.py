"""Reading ahead: what the CLI starts while Prefect's server comes up is what the flow asks for."""

from __future__ import annotations

import shutil
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from fiscaldoc.flows import ahead
from fiscaldoc.flows.ahead import ReadAhead
from fiscaldoc.flows.batch import discover, plan_ahead, plan_batch
from fiscaldoc.flows.isolation import failed, process_isolated, read_ahead
from fiscaldoc.model.settings import Settings
from fiscaldoc.pipeline.process import file_sha256, process
from fiscaldoc.warehouse.load import Warehouse

from helpers.truth import SEED

TEXT_SEED = SEED / "000_4ea89972e077d80e.txt"


def test_claims_take_results_and_what_is_asked_for_is_read_next(tmp_path: Path) -> None:
    jobs = [(tmp_path / f"{n}.pdf", f"{n}" * 64, None) for n in range(12)]
    read: list[Path] = []
    release = threading.Event()

    def slow_read(job: ahead.Job) -> object:
        read.append(job[0])
        release.wait(10)
        return failed(job[0], job[1], "read ahead", job[2])

    early = ReadAhead()
    early.start(jobs, "limits", 1, slow_read)  # type: ignore[arg-type]
    try:
        deadline = time.monotonic() + 10
        while len(read) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        release.set()
        # Document 9 is asked for before its turn: it is read next, and its result handed over.
        ninth = early.claim(jobs[9][0], jobs[9][1], None, "limits")
        assert ninth is not None and ninth.document.error == "read ahead"
        assert read.index(jobs[9][0]) <= 2, read
        assert early.claim(jobs[1][0], jobs[1][1], None, "other limits") is None, "read under other limits"
        assert early.claim(tmp_path / "unknown.pdf", "f" * 64, None, "limits") is None, "not in the batch"
        # At most PER_WORKER results wait unclaimed: the reading pauses until they are taken.
        time.sleep(0.3)
        assert len(read) <= 1 + 1 + ahead.PER_WORKER, read
        for path, digest, _ in jobs:
            if path != jobs[9][0]:
                got = early.claim(path, digest, None, "limits")
                assert got is not None and got.document.document_id == digest
        assert sorted(read) == sorted(p for p, _, _ in jobs), "every document read once"
    finally:
        release.set()
        early.stop()


def test_the_flow_gets_what_was_read_ahead() -> None:
    digest = file_sha256(TEXT_SEED)
    job = (TEXT_SEED.absolute(), digest, str(TEXT_SEED))
    settings = Settings()
    early = read_ahead([job], 1, settings)
    try:
        deadline = time.monotonic() + 60
        while not all(f.done() for f in early._futures.values()) or not early._futures:
            assert time.monotonic() < deadline, "never read ahead"
            time.sleep(0.05)
        asked = datetime.now(UTC).replace(tzinfo=None)
        got = process_isolated(*job[:2], settings, source_uri=job[2], ahead=early)
        assert got.document.ingested_at < asked, "the result read ahead, not a second reading"
        assert not early._futures, "claimed, not kept"
        direct = process(*job)
        assert got.records == direct.records and got.check_results == direct.check_results
        assert got.document.model_copy(update={"ingested_at": None}) == direct.document.model_copy(
            update={"ingested_at": None}
        )
    finally:
        early.stop()


def test_plan_ahead_is_the_flows_first_documents(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("seed-ruled.pdf", "seed.docx", "000_4ea89972e077d80e.txt"):
        shutil.copy(SEED / name, inbox / name)
    with zipfile.ZipFile(inbox / "bundle.zip", "w") as bundle:
        bundle.write(SEED / "seed-borderless.pdf", "附件.pdf")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    warehouse = Warehouse(url)
    warehouse.load([process(inbox / "seed.docx")])  # already ingested: not read again
    warehouse.dispose()

    shutil.copy(inbox / "seed-ruled.pdf", inbox / "copy of seed-ruled.pdf")  # the same document twice
    jobs = plan_ahead([str(inbox)], url, limit=10)
    files = sorted((p for p in inbox.iterdir() if p.name != "seed.docx"), key=lambda p: -p.stat().st_size)
    files.remove(inbox / "seed-ruled.pdf")  # discovered after its copy: the flow skips it
    expected = [(p.absolute(), file_sha256(p), str(p)) for p in files]
    assert jobs == expected, "largest first; the archive itself, not its entries"
    warehouse = Warehouse(url)
    plan = plan_batch(discover([str(inbox)]), warehouse.known())
    warehouse.dispose()
    try:
        flow_order = [(p.absolute(), d, plan.source(p)) for p, d in plan.largest_first()]
    finally:
        plan.close()
    assert [job for job in flow_order if Path(job[2]).parent == inbox] == jobs, "the flow's own order"
    assert plan_ahead([str(inbox)], url, limit=2) == jobs[:2]
    assert len(plan_ahead([str(inbox)], url, limit=10, force=True)) == 4
    assert plan_ahead([str(inbox)], "postgresql://nobody@127.0.0.1:1/none", limit=10) == []
