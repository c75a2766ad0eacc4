"""The review report (fiscaldoc.report) on a real warehouse: every page drawn with the boxes
of what was read from it, beside the records; checks on the page of their rows; files
without pages shown as read; untrusted text escaped; sources found, or said missing.

The batch (tests/helpers/report_batch.py) holds the seed's renderings, a plan with a lost
row, a real budget disclosure loaded from its truth, and a file whose name and cells are
markup. Its browser side (clicks, timing) is tests/test_report_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from fiscaldoc.model.records import DocumentRecord
from fiscaldoc.model.settings import WorkerLimits
from fiscaldoc.report import ReportResult, write_report
from fiscaldoc.report.geometry import Box
from fiscaldoc.report.sources import Sources, sha256_of
from fiscaldoc.report.workers import Failed, Pool

from helpers.cli import fiscaldoc
from helpers.report_batch import BUDGET_PDF, HOSTILE, Batch, make_batch, read
from helpers.truth import SEED


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return make_batch(tmp_path_factory.mktemp("report-batch"))


@pytest.fixture(scope="module")
def report(batch: Batch) -> ReportResult:
    return write_report(batch.url, batch.folder / "out")


def page_of(report: ReportResult, document_id: str) -> str:
    return (report.index.parent / "documents" / f"{document_id[:16]}.html").read_text(encoding="utf-8")


def section(html: str, page: int | str) -> str:
    """One page's section of a document's HTML."""
    start = html.index(f'<section class="page" id="page-{page}">')
    end = html.find("<section", start + 1)
    return html[start : end if end > 0 else len(html)]


def callouts(html: str) -> dict[str, tuple[str, str]]:
    """The checks shown in full in ``html``: rule → (element id, its HTML)."""
    out = {}
    for part in html.split('<div class="check ')[1:]:
        found = re.match(r'(?:fail|warn)" id="(c\d+)"><div class="check-head">.*?<code>([^<]+)</code>', part)
        if found:
            out[found.group(2)] = (found.group(1), part.split('<p class="subject">')[0])
    return out


def index_rows(report: ReportResult) -> list[dict[str, object]]:
    text = report.index.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S)
    assert found
    rows = json.loads(found.group(1))["documents"]
    assert isinstance(rows, list)
    return rows


def test_every_document_gets_a_page_and_every_pdf_page_an_image(batch: Batch, report: ReportResult) -> None:
    assert report.documents == 6 and not report.problems
    out = report.index.parent
    assert sorted(p.name for p in (out / "documents").iterdir()) == sorted(
        f"{i[:16]}.html"
        for i in (batch.seed_pdf, batch.lost_row, batch.docx, batch.text, batch.budget, batch.hostile)
    )
    assert len(list((out / "pages" / batch.seed_pdf[:16]).glob("p*.jpg"))) == 4
    assert len(list((out / "pages" / batch.budget[:16]).glob("p*.jpg"))) == 22
    assert report.pages_drawn == 4 + 4 + 22
    for asset in ("report.css", "report.js", "index.js"):
        assert (out / asset).stat().st_size > 0
    html = page_of(report, batch.seed_pdf)
    assert 'src="../pages/' in html and 'loading="lazy"' in html
    assert "http://" not in html and "https://" not in html  # nothing is fetched


def test_an_item_links_to_its_box_drawn_from_its_points_and_back(batch: Batch, report: ReportResult) -> None:
    html = page_of(report, batch.seed_pdf)
    page1 = section(html, 1)
    # item 1 of the seed: bbox 56.7,113.7,567.0,137.0 on an A4 page (595.3 × 841.9 pt)
    box = re.search(r'<a class="box k-i" id="box-i1-1" href="#rec-i1-1" style="([^"]+)"', page1)
    assert box, "item 1's box is drawn on page 1"
    left, top, width, height = (float(v) for v in re.findall(r"([\d.]+)%", box.group(1)))
    with pdfplumber.open(SEED / "seed-ruled.pdf") as pdf:
        page_width, page_height = pdf.pages[0].width, pdf.pages[0].height
    assert left == pytest.approx((56.7 - 1.5) / page_width * 100, abs=0.02)
    assert top == pytest.approx((113.7 - 1.5) / page_height * 100, abs=0.02)
    assert width == pytest.approx((567.0 - 56.7 + 3) / page_width * 100, abs=0.05)
    assert height == pytest.approx((137.0 - 113.7 + 3) / page_height * 100, abs=0.05)
    row = re.search(r'<tr id="rec-i1-1">(.*?)</tr>', page1)
    assert row and 'href="#box-i1-1"' in row.group(1) and "生态保护红线落桩定界工作研究及部署" in row.group(1)
    # the 13 indicators (no boxes in the warehouse) are found on page 4 by their text
    page4 = section(html, 4)
    assert len(re.findall(r'class="box located k-n"', page4)) == 13
    assert page4.count('<tr id="rec-n1-') == 13


def test_a_failed_check_is_on_the_page_of_its_rows_with_both_figures(
    batch: Batch, report: ReportResult
) -> None:
    html = page_of(report, batch.lost_row)
    page1 = section(html, 1)
    anchor, text = callouts(page1)["total_matches_items"]  # shown on page 1, where its items are
    assert "39,000,000.00" in text and "37,000,000.00" in text and "-2,000,000.00" in text
    assert f'id="box-{anchor}-p1" href="#{anchor}"' in page1  # its frame on the page image
    assert f'href="#{anchor}"' in html.split("<main>")[0]  # and the summary at the top links to it
    # the rows it is about are marked in the records beside the page
    assert '<tr id="rec-i1-1" class="flag-fail">' in page1
    # the warned overview check concerns the form (page 2), not the plan that shares its id
    assert "overview_amounts_match" in section(html, 2) and "overview_amounts_match" not in page1


def test_budget_lines_link_to_their_cells_found_or_given(batch: Batch, report: ReportResult) -> None:
    html = page_of(report, batch.budget)
    # table 5 (general_public_expenditure, page 14) has boxes: the 201 row's failed check frames them
    page14 = section(html, 14)
    assert re.search(r'class="box k-l" id="box-l5-1-1"', page14)
    anchor, text = callouts(page14)["budget_hierarchy_adds_up"]
    assert "-10,000.00" in text and f'id="box-{anchor}-p14"' in page14
    assert '<td id="rec-l5-1-1" class="num flag-fail">' in page14
    # table 2 (income, page 9) has none: 12,029,501.84 in its 财政拨款收入 column is found by text
    page9 = section(html, 9)
    located = re.search(r'class="box located k-l" id="box-l2-3-2" href="#rec-l2-3-2" style="([^"]+)"', page9)
    assert located
    left = float(re.findall(r"([\d.]+)%", located.group(1))[0])
    with pdfplumber.open(BUDGET_PDF) as pdf:
        page = pdf.pages[8]
        hits = sorted(page.search("12,029,501.84") or page.search("12, 029, 501. 84"), key=lambda h: h["x0"])
        assert len(hits) == 2  # 合计 and 财政拨款收入 print the same figure
        assert left == pytest.approx((hits[1]["x0"] - 1.5) / page.width * 100, abs=1.0)
    # the document-wide warning and the parse report's skipped rows are in the header
    head = html.split("<main>")[0]
    assert "budget_tables_complete" in head and "(the document as a whole)" in head
    assert "row 29: no amount<br>row 30: unknown label 注：" in head


def test_files_without_pages_are_shown_as_read_with_the_same_marks(
    batch: Batch, report: ReportResult
) -> None:
    for document_id in (batch.docx, batch.text):
        html = page_of(report, document_id)
        source = html[html.index('<div class="source">') :]
        assert source.count('<a class="mark k-i"') == 6, document_id  # every item's row is marked
        assert source.count('<a class="mark k-n"') >= 12
        row = re.search(
            r'<tr id="src-\d+" class="read">(?:(?!</tr>).)*id="box-i1-5"(?:(?!</tr>).)*</tr>', source
        )
        assert row and "省土地调查规划院" in row.group(0) and "2500" in row.group(0)
        assert 'href="#box-i1-5"' in html  # the record links to its row in the file


def test_untrusted_text_is_escaped_everywhere(batch: Batch, report: ReportResult) -> None:
    html = page_of(report, batch.hostile)
    assert HOSTILE not in html and "alert(1)>" not in html
    assert "&lt;script&gt;alert(&#x27;cell&#x27;)&lt;/script&gt;" in html  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert len(re.findall(r"<script", html, re.I)) == 1  # only the report's own script
    index = report.index.read_text(encoding="utf-8")
    assert "<img src=x" not in index and "\\u003cimg src=x onerror=alert(1)\\u003e.txt" in index
    assert len(re.findall(r"<script", index, re.I)) == 2  # index.js and the data


def test_the_index_lists_statuses_warnings_and_failed_checks(batch: Batch, report: ReportResult) -> None:
    rows = {str(r["href"]).split("/")[-1][:16]: r for r in index_rows(report)}
    lost = rows[batch.lost_row[:16]]
    assert lost["status"] == "loaded" and lost["pages"] == 4 and lost["text"] == "native"
    rules = {c[0]: c for c in lost["checks"]}  # type: ignore[union-attr]
    assert {"total_matches_items", "subtotal_matches_items", "sequence_complete"} <= set(rules)
    assert rules["total_matches_items"][1] == "fail" and rules["total_matches_items"][2].startswith("c")
    assert rows[batch.budget[:16]]["warnings"] == 1
    assert rows[batch.seed_pdf[:16]]["read"] == [1, 6, 1, 13, 0, 0]
    assert rows[batch.docx[:16]]["type"] == "docx" and rows[batch.docx[:16]]["pages"] is None


def test_a_missing_or_changed_source_is_said_and_the_page_still_written(batch: Batch, tmp_path: Path) -> None:
    files = batch.folder / "files"
    moved = tmp_path / "moved.docx"
    (files / "seed.docx").rename(moved)
    original = (files / "000_4ea89972e077d80e.txt").read_bytes()
    (files / "000_4ea89972e077d80e.txt").write_bytes(original + b"\n")
    try:
        result = write_report(batch.url, tmp_path / "out", document_ids_wanted=[batch.docx, batch.text])
        docx = (tmp_path / "out" / "documents" / f"{batch.docx[:16]}.html").read_text(encoding="utf-8")
        text = (tmp_path / "out" / "documents" / f"{batch.text[:16]}.html").read_text(encoding="utf-8")
        assert "source file not found" in docx and "has changed since it was ingested" in text
        assert "生态保护红线落桩定界工作研究及部署" in docx  # the records are shown all the same
        assert result.documents == 2
        # the files given as PATHs (id → file) are used instead of the remembered source
        write_report(
            batch.url, tmp_path / "again", document_ids_wanted=[batch.docx], files={batch.docx: moved}
        )
        again = (tmp_path / "again" / "documents" / f"{batch.docx[:16]}.html").read_text(encoding="utf-8")
        assert '<div class="source">' in again and "source file not found" not in again
    finally:
        moved.rename(files / "seed.docx")
        (files / "000_4ea89972e077d80e.txt").write_bytes(original)


def test_an_archive_entry_is_read_from_its_zip_and_checked(tmp_path: Path) -> None:
    archive = tmp_path / "attachments.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SEED / "seed-ruled.pdf", "附件/seed-ruled.pdf")
    document_id = sha256_of(SEED / "seed-ruled.pdf")
    entry = read(SEED / "seed-ruled.pdf").document.model_copy(
        update={"source_uri": f"{archive}!/附件/seed-ruled.pdf"}
    )
    assert isinstance(entry, DocumentRecord)
    with Sources() as sources:
        found = sources.find(entry)
        assert found.path is not None and sha256_of(found.path) == document_id
        sources.release(found)
        assert not found.path.exists()
        missing = entry.model_copy(update={"source_uri": f"{archive}!/other.pdf"})
        assert sources.find(missing).note == f"source not readable: no entry 'other.pdf' in {archive}"


def test_a_worker_that_crashes_or_hangs_fails_alone() -> None:
    limits = WorkerLimits(timeout_s=3, memory_mb=None)
    with Pool[str](2, limits) as pool:
        jobs = [("crash", os._exit, 3), ("hang", time.sleep, 60), ("fine", abs, -2), ("after", abs, -5)]
        results = dict(pool.run(jobs))
    assert results["fine"] == 2 and results["after"] == 5
    assert results["crash"] == Failed("the worker died (exit code 3)")
    assert results["hang"] == Failed("took longer than 3 s: stopped")


def test_box_geometry() -> None:
    assert Box.parse("1,2,3,4") == Box(1, 2, 3, 4)
    assert Box.parse("3,2,1,4") is None and Box.parse("x") is None and Box.parse(None) is None
    assert Box(0, 0, 297.6, 421).style(595.2, 842) == "left:0.00%;top:0.00%;width:50.00%;height:50.00%"


def test_cli_writes_the_report_and_prints_its_path(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "cli-report"
    run = fiscaldoc(
        "report", "--warehouse", batch.url, "--out", str(out), str(batch.folder / "files" / "seed.docx")
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(out / "index.html")
    assert "report: 1 documents" in run.stderr
    assert [p.name for p in (out / "documents").iterdir()] == [f"{batch.docx[:16]}.html"]
    missing = fiscaldoc("report", "--warehouse", f"duckdb:///{tmp_path / 'none.duckdb'}", "--out", str(out))
    assert missing.returncode == 2 and "no warehouse at" in missing.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_extract_does_not_import_the_report() -> None:
    """Heavy imports are lazy: ``fiscaldoc extract`` never loads the report (nor pypdfium2 for it)."""
    code = (
        "import sys\nfrom fiscaldoc.cli import main\nsys.argv = ['fiscaldoc', 'extract', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'fiscaldoc.report' not in sys.modules, 'extract imported the report'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SEED / "000_4ea89972e077d80e.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_ingest_with_report_writes_it_prints_it_and_links_it(tmp_path: Path, prefect_api_url: str) -> None:
    """``fiscaldoc ingest --report DIR``: the run's documents (an archive's attachments too,
    read again from the zip on a re-run that skips them) and a link artifact to the index."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.settings import PREFECT_API_URL, temporary_settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "attachments.zip", "w") as zf:
        zf.write(SEED / "seed-ruled.pdf", "seed-ruled.pdf")
        zf.write(SEED / "000_4ea89972e077d80e.txt", "000_4ea89972e077d80e.txt")
    (inbox / "seed.docx").write_bytes((SEED / "seed.docx").read_bytes())
    url, out = f"duckdb:///{tmp_path / 'w.duckdb'}", tmp_path / "report"
    entry = sha256_of(SEED / "seed-ruled.pdf")
    command = [sys.executable, "-m", "fiscaldoc", "ingest", str(inbox), "--warehouse", url]
    command += ["--report", str(out)]
    for run in ("first", "again"):
        done = subprocess.run(
            command,
            env={**os.environ, "PYTHONWARNINGS": "ignore", "PREFECT_API_URL": prefect_api_url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"report {out / 'index.html'}" in done.stdout, run
        # the zip, its 2 entries, the docx
        assert len(index_rows(ReportResult(index=out / "index.html"))) == 4, run
        html = (out / "documents" / f"{entry[:16]}.html").read_text(encoding="utf-8")
        assert 'id="box-i1-1"' in html and "source file not found" not in html, run
        assert len(list((out / "pages" / entry[:16]).glob("p*.jpg"))) == 4
    wanted = ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-report"]))
    with (
        temporary_settings(updates={PREFECT_API_URL: prefect_api_url}),
        get_client(sync_client=True) as client,
    ):
        links = client.read_artifacts(artifact_filter=wanted)
    # Prefect keeps a link artifact as Markdown: [text](link)
    index = (out / "index.html").resolve().as_uri()
    assert [str(a.data) for a in links].count(f"[review report]({index})") == 2  # one per run


def test_the_report_reads_both_backends(warehouse_url: str, tmp_path: Path) -> None:
    from fiscaldoc.warehouse.load import Warehouse

    warehouse = Warehouse(warehouse_url)
    try:
        warehouse.load([read(SEED / "seed-ruled.pdf")])
    finally:
        warehouse.dispose()
    result = write_report(warehouse_url, tmp_path / "out")
    html = next((tmp_path / "out" / "documents").iterdir()).read_text(encoding="utf-8")
    assert result.documents == 1 and result.pages_drawn == 4
    assert 'id="box-i1-6"' in html and "39,000,000.00" in html
