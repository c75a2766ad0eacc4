"""ZIP archives: entries are documents of their own; names, zip-slip and bombs handled."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest

from fiscaldoc.extractors import archive as archives
from fiscaldoc.extractors.archive import ZipLimits, entry_name
from fiscaldoc.flows.batch import plan_batch
from fiscaldoc.model.settings import Settings
from fiscaldoc.pipeline.process import process

from helpers.cli import fiscaldoc
from helpers.truth import SEED, differences

GBK_NAME = "附件8.pdf"


def _write_gbk_named(zf: zipfile.ZipFile, name: str, data: bytes) -> bytes:
    """Store ``name`` as GBK bytes without the UTF-8 flag, as Chinese Windows tools do:
    zipfile would set the flag, so an ASCII stand-in of the same length is patched later."""
    raw = name.encode("gbk")
    stand_in = "x" * (len(raw) - 4) + ".pdf"
    zf.writestr(stand_in, data)
    return stand_in.encode()


def make_archive(path: Path, *, hostile: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        stand_in = _write_gbk_named(zf, GBK_NAME, (SEED / "seed-ruled.pdf").read_bytes())
        zf.write(SEED / "seed.docx", "表格/seed.docx")  # UTF-8 flagged name in a folder
        zf.writestr("README.md", "not an attachment")
        zf.writestr("__MACOSX/._seed.docx", b"junk")
        if hostile:
            zf.writestr("../evil.txt", "escaped")
            zf.writestr("/abs/evil.txt", "escaped")
            zf.writestr("bomb.txt", b"\0" * (4 << 20))
    data = path.read_bytes().replace(stand_in, GBK_NAME.encode("gbk"))
    path.write_bytes(data)
    return path


def test_gbk_name_without_utf8_flag_is_decoded(tmp_path: Path) -> None:
    with zipfile.ZipFile(make_archive(tmp_path / "a.zip")) as zf:
        gbk = next(i for i in zf.infolist() if i.filename.endswith(".pdf"))
        assert not gbk.flag_bits & archives.UTF8_FLAG
        assert entry_name(gbk) == GBK_NAME


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("../evil.txt", True),
        ("a/../../evil.txt", True),
        ("/etc/passwd", True),
        ("C:\\x.txt", True),
        ("a/b.txt", False),
        ("附件..1.txt", False),
    ],
)
def test_zip_slip_names(name: str, unsafe: bool) -> None:
    assert (archives.unsafe_reason(name) is not None) == unsafe


def test_entries_are_documents_of_their_own(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "attachments.zip", hostile=True)
    plan = plan_batch([archive], {})
    try:
        results = [process(path, digest, plan.source(path)) for path, digest in plan.todo]
        workdir = plan.workdir
        assert workdir is not None and workdir.exists()
    finally:
        plan.close()
    assert not workdir.exists()
    assert not (tmp_path / "evil.txt").exists() and not Path("/abs/evil.txt").exists()
    by_name = {r.document.file_name: r.document for r in results + plan.rejected}
    assert set(by_name) == {"attachments.zip", GBK_NAME, "seed.docx", "evil.txt", "bomb.txt"}

    pdf = next(r for r in results if r.document.file_name == GBK_NAME)
    assert pdf.document.source_uri == f"{archive}!/{GBK_NAME}"
    assert pdf.document.status == "loaded" and differences(pdf.records) == []
    docx = next(r for r in results if r.document.file_name == "seed.docx")
    assert docx.document.source_uri.endswith("attachments.zip!/表格/seed.docx")
    assert differences(docx.records) == []

    zipped = by_name["attachments.zip"]
    assert (zipped.media_type, zipped.status) == ("zip", "partial")
    assert zipped.error and "3 of 5 entries not extracted" in zipped.error
    for rejected in plan.rejected:
        assert rejected.document.status == "failed" and rejected.document.error
    reasons = " | ".join(r.document.error or "" for r in plan.rejected)
    assert "zip-slip" in reasons and "compression ratio" in reasons


def test_limits_are_configurable(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "a.zip")
    settings = Settings.resolve({"FISCALDOC_ZIP_MAX_ENTRY_BYTES": "1000"})
    plan = plan_batch([archive], {}, limits=settings.reading.zip)
    plan.close()
    assert [p for p, _ in plan.todo] == [archive]  # only the archive itself
    assert len(plan.rejected) == 2
    assert all("limit 1000" in (r.document.error or "") for r in plan.rejected)
    settings = Settings.resolve({"FISCALDOC_ZIP_MAX_ENTRIES": "2"})
    result = process(archive, limits=settings.reading)
    assert result.document.status == "failed" and "more than the limit 2" in (result.document.error or "")


def test_lying_header_is_caught_while_decompressing(tmp_path: Path) -> None:
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"a" * (3 << 20))
    with zipfile.ZipFile(archive) as zf:
        member = archives.Member(zf.infolist()[0], "big.txt")
    member.info.file_size = 10  # what a forged central directory would claim
    # zipfile stops at the declared size (then the CRC fails); our own count stops the rest.
    with pytest.raises((archives.ArchiveProblem, zipfile.BadZipFile)):
        archives.extract_member(archive, member, tmp_path / "out", ZipLimits(max_entry_bytes=1 << 20))
    assert (tmp_path / "out" / "big.txt").stat().st_size <= 1 << 20


@pytest.mark.slow
def test_ingest_archive_end_to_end(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "attachments.zip")
    db = tmp_path / "w.duckdb"
    run = fiscaldoc("ingest", str(archive), "--warehouse", f"duckdb:///{db}")
    assert run.returncode == 0, run.stdout + run.stderr
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute("SELECT file_name, media_type, status, source_uri FROM documents").fetchall()
        plans = conn.execute("SELECT COUNT(*) FROM allocation_plans").fetchone()
    assert sorted((r[0], r[1], r[2]) for r in rows) == [
        ("attachments.zip", "zip", "loaded"),
        ("seed.docx", "docx", "loaded"),
        (GBK_NAME, "pdf", "loaded"),
    ]
    assert f"{archive}!/{GBK_NAME}" in [r[3] for r in rows]
    assert plans == (2,)
    # Re-running changes nothing: the archive is known, so it is not even expanded.
    from fiscaldoc.warehouse.load import Warehouse

    warehouse = Warehouse(f"duckdb:///{db}")
    try:
        again = plan_batch([archive], warehouse.known())
    finally:
        warehouse.dispose()
    assert again.todo == [] and again.entries == 0 and again.workdir is None
