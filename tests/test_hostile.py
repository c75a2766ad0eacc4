"""The hostile corpus (tests/hostile.py) and the seed in ONE ``fiscaldoc ingest``: every file is
accounted for with a one-line reason, the seed loads, no document outlives its time limit."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest

from fiscaldoc.extractors import sniff
from fiscaldoc.extractors.pdf import problem_summary
from fiscaldoc.lexicon.escaping import storable
from fiscaldoc.pipeline.process import process

from helpers.cli import fiscaldoc
from helpers.hostile import CORPUS, SEED_TEXT, make_corpus

pytestmark = pytest.mark.slow  # real ingests end to end: the full suite's, not the fast tier's

TIMEOUT_S = 15


def test_hostile_corpus_in_one_ingest(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    corpus = make_corpus(inbox)
    seed = inbox / "seed" / SEED_TEXT.name
    seed.parent.mkdir()
    shutil.copy(SEED_TEXT, seed)
    archives = [str(p) for p in corpus if p.suffix == ".zip"]  # folders yield only registered suffixes
    db = tmp_path / "w.duckdb"

    started = time.monotonic()
    run = fiscaldoc(
        "ingest",
        str(inbox),
        *archives,
        "--warehouse",
        f"duckdb:///{db}",
        "--timeout",
        str(TIMEOUT_S),
        "--memory-mb",
        "512",
    )
    elapsed = time.monotonic() - started

    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr, (run.stdout + run.stderr)[-3000:]
    # Documents run side by side: the whole batch is Prefect's start plus a few time limits at most.
    assert elapsed < 20 + 3 * TIMEOUT_S, elapsed
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = {
            name: (status, error)
            for name, status, error in conn.execute(
                "SELECT file_name, status, error FROM documents"
            ).fetchall()
        }
        seed_items = conn.execute(
            "SELECT COUNT(*) FROM allocation_items i JOIN allocation_plans p USING (plan_id) "
            "JOIN documents d USING (document_id) WHERE d.file_name = ?",
            [seed.name],
        ).fetchone()
    assert rows.pop(seed.name) == ("loaded", None)
    assert seed_items == (len(process(SEED_TEXT).records.allocation_items),)
    problems = []
    for path, expect in corpus.items():
        status, error = rows.pop(storable(path.name), (None, None))  # GBK bytes kept as \xNN
        if status not in expect.statuses:
            problems.append(f"{path.name!r}: {status} ({error}), expected {expect.statuses}")
        elif status != "loaded" and not (error and "\n" not in error and len(error) <= 400):
            problems.append(f"{path.name!r}: {status} with reason {error!r}")
        elif expect.reason and expect.reason.lower() not in (error or "").lower():
            problems.append(f"{path.name!r}: reason {error!r} lacks {expect.reason!r}")
        elif status != "loaded" and "timed out" in (error or "") and f"after {TIMEOUT_S} s" not in error:
            problems.append(f"{path.name!r}: {error}")
    assert not problems, "\n".join(problems)
    # What is left are the archives' refused entries: a failed row each, saying why.
    assert set(rows) == {"zeros.txt", "evil.txt", "passwd-copy.txt"}, rows
    assert all(status == "failed" and ("zip" in (error or "")) for status, error in rows.values()), rows
    # Nothing was written from document content (zip entries named ../../evil.txt, say).
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - set(corpus) - {seed}
    assert {p.name for p in written} <= {db.name, f"{db.name}.wal"}, written
    assert not list(tmp_path.parent.glob("evil.txt")) and not (tmp_path / "evil.txt").exists()
    # The summary names every failed file on one line each, markup and newlines shown, not obeyed.
    assert r"new\nline.txt" in run.stdout
    assert "[bold red]markup a|b <script>" in run.stdout


def test_every_corpus_file_is_distinct_content() -> None:
    """One documents row per content: two corpus files with equal bytes would hide one."""
    assert len(CORPUS) == len(set(CORPUS))


def test_problems_are_grouped_by_page_ranges() -> None:
    problems = [(n, "no text layer") for n in (*range(1, 20001), 20003)] + [(7, "garbled")]
    assert problem_summary(problems) == ["pages 1-20000, 20003: no text layer", "page 7: garbled"]


def test_sniff_names_what_a_file_really_is() -> None:
    assert sniff(b"\x89PNG\r\n") == "a PNG image"
    assert sniff(b"  <!DOCTYPE HTML>") == "an HTML page"
    assert sniff(b"hello") is None
