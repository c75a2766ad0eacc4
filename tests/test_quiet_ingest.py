"""A normal ``fiscaldoc ingest``: every file gets its ``documents`` row whatever its name's bytes,
and the terminal shows the summary only, with the libraries' warnings kept out of it (#17)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import duckdb
import pytest
from adversarial.compose import compose
from adversarial.draw_document import draw_document
from adversarial.formats import FORMATS

from fiscaldoc.pipeline.process import process

from helpers.cli import ROOT
from helpers.truth import SEED

pytestmark = pytest.mark.slow  # a real ingest end to end

GBK_NAME = "附件1资金分配表.txt".encode("gbk")
"""A name in GBK bytes: not valid UTF-8, so Python sees it as surrogate escapes."""


def noisy_pdf(path: Path) -> Path:
    """A ruled plan whose total does not add up (planted: the document's own error), so every
    second opinion is asked for, camelot lattice included, which warns ``No tables found in
    table area`` on the page of the form after it (document 37 of the dev seed 7)."""
    document = draw_document(random.Random("7:37"), path.stem, "guangdong", {"plan", "form"})
    assert [p.rule for p in document.planted] == ["total_matches_items"]
    layout = compose(document, random.Random("7:37:layout"))
    FORMATS["pdf-segments"].render(layout, document, random.Random("7:37:pdf-segments"), path)
    return path


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    tmp = tmp_path_factory.mktemp("quiet")
    inbox = tmp / "inbox"
    inbox.mkdir()
    gbk = Path(os.fsdecode(os.fsencode(inbox) + b"/" + GBK_NAME))
    shutil.copy(SEED / "000_4ea89972e077d80e.txt", gbk)
    shutil.copy(SEED / "seed-ruled.pdf", inbox / "seed-ruled.pdf")
    noisy = noisy_pdf(inbox / "noisy.pdf")
    db = tmp / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}  # as a user runs it
    run = subprocess.run(
        [sys.executable, "-m", "fiscaldoc", "ingest", str(inbox), "--warehouse", f"duckdb:///{db}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run, db, noisy


def test_a_name_that_is_not_utf8_keeps_its_row(
    ingested: tuple[subprocess.CompletedProcess[str], Path, Path],
) -> None:
    run, db, _ = ingested
    assert run.returncode in (0, 1), run.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute("SELECT source_uri, file_name, status FROM documents").fetchall()
        items = conn.execute(
            "SELECT COUNT(*) FROM allocation_items i JOIN allocation_plans p USING (plan_id) "
            "JOIN documents d USING (document_id) WHERE d.file_name LIKE '%.txt'"
        ).fetchone()
    assert len(rows) == 3, rows
    escaped = GBK_NAME.decode("utf-8", "backslashreplace")  # its bytes kept as \xNN
    by_name = {name: (uri, status) for uri, name, status in rows}
    assert escaped in by_name, rows
    uri, status = by_name[escaped]
    assert uri.endswith("/inbox/" + escaped) and status == "loaded"
    assert items == (6,)  # the seed text's plan, read in full


def test_normal_ingest_prints_no_warnings(
    ingested: tuple[subprocess.CompletedProcess[str], Path, Path],
) -> None:
    run, _, noisy = ingested
    # The noisy document does make camelot warn (else this test proves nothing) …
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        process(noisy)
    assert any("No tables found" in str(w.message) for w in caught)
    # … and none of it reaches the terminal: stderr holds nothing (no progress bar off a terminal).
    assert run.stderr.strip() == "", run.stderr[-3000:]
    assert "Warning" not in run.stdout and "Traceback" not in run.stdout
    assert run.stdout.startswith("files 3: 3 ingested")
