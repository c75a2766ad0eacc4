"""A batch: which files, which of them need work, and what came of it.

Pure library code the flow calls; nothing here imports Prefect.
"""

from __future__ import annotations

import glob
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import BaseModel

from fiscaldoc.extractors import archive as archives
from fiscaldoc.extractors import suffixes
from fiscaldoc.flows.ahead import Job
from fiscaldoc.lexicon.escaping import path_text
from fiscaldoc.model.records import DocumentResult
from fiscaldoc.model.settings import ZipLimits
from fiscaldoc.pipeline.process import failed_result, file_sha256

if TYPE_CHECKING:
    from fiscaldoc.warehouse.load import Known

from fiscaldoc import PIPELINE_VERSION

RETRY_STATUSES = ("failed", "partial")


def discover(paths: Iterable[str]) -> list[Path]:
    """Files named by PATH arguments: files, folders (recursively) or globs; sorted, unique.

    A file named explicitly is always taken; inside folders only files whose suffix
    a registered format claims (or that have none) are, so a folder's README or
    truth JSON is not ingested as a broken attachment.
    """
    claimed = suffixes()
    found: dict[str, Path] = {}
    for arg in paths:
        candidates = [Path(p) for p in glob.glob(arg, recursive=True)] if glob.has_magic(arg) else [Path(arg)]
        for candidate in candidates:
            files: Iterable[Path]
            if candidate.is_dir():
                files = (p for p in candidate.rglob("*") if p.is_file() and p.suffix.lower() in claimed)
            elif candidate.is_file():
                files = [candidate]
            else:
                raise FileNotFoundError(f"no such file or folder: {arg}")
            for f in files:
                if not any(part.startswith(".") for part in f.parts if part not in (".", "..")):
                    found.setdefault(str(f.resolve()), f)
    return sorted(found.values(), key=str)


@dataclass
class Plan:
    """What to do with each discovered file, and with each attachment inside an archive.

    An archive's entries are extracted into a temporary folder that lives until
    :meth:`close`; ``sources`` maps such a temporary path to the entry's
    ``archive.zip!/name`` URI. Entries that could not be extracted (zip-slip,
    limits, damage) come ready as failed results in ``rejected``.
    """

    todo: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    moved: list[tuple[Path, str]] = field(default_factory=list)
    """Known content under a new path: only ``source_uri`` is updated."""
    sources: dict[str, str] = field(default_factory=dict)
    rejected: list[DocumentResult] = field(default_factory=list)
    entries: int = 0
    """Attachments found inside archives (extracted or rejected)."""
    workdir: Path | None = None

    def largest_first(self) -> list[tuple[Path, str]]:
        """``todo`` with the largest files first: with several documents at once, a long one
        started last would leave the other workers idle while it finishes."""
        return sorted(self.todo, key=lambda item: _size(item[0]), reverse=True)

    def source(self, path: Path) -> str:
        """Where ``path``'s bytes came from: the path itself (as :func:`path_text`: a name that is
        not UTF-8 keeps its bytes as ``\\xNN``), or an archive entry's URI."""
        return self.sources.get(str(path)) or path_text(path)

    def scratch(self) -> Path:
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="fiscaldoc-zip-"))
        return self.workdir

    def close(self) -> None:
        """Remove extracted archive entries."""
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # its worker reports why it cannot be read


@dataclass
class _Planner:
    plan: Plan
    known: dict[str, Known]
    force: bool
    failed_only: bool
    limits: ZipLimits
    expand_archives: bool = True
    seen: set[str] = field(default_factory=set)

    def redo(self, digest: str) -> bool:
        before = self.known.get(digest)
        if self.failed_only:
            return before is not None and before.status in RETRY_STATUSES
        return self.force or before is None or before.pipeline_version != PIPELINE_VERSION

    def consider(self, path: Path, digest: str, source: str, depth: int = 0) -> None:
        plan = self.plan
        if digest in self.seen:
            plan.skipped.append((path, digest))
            return
        self.seen.add(digest)
        if source != path_text(path):
            plan.sources[str(path)] = source
        before = self.known.get(digest)
        redo = self.redo(digest)
        if redo:
            plan.todo.append((path, digest))
        else:
            plan.skipped.append((path, digest))
            if before is not None and before.source_uri != source:
                plan.moved.append((path, digest))
        if (
            self.expand_archives
            and (redo or self.failed_only)
            and depth < MAX_ARCHIVE_DEPTH
            and _is_archive(path)
        ):
            self.expand(path, digest, source, depth + 1)

    def expand(self, archive: Path, digest: str, source: str, depth: int) -> None:
        plan = self.plan
        folder = Path(tempfile.mkdtemp(dir=plan.scratch()))
        for found in archives.expand(archive, folder, self.limits, suffixes()):
            plan.entries += 1
            uri = archives.entry_uri(source, found.member.name)
            if found.path is None:
                rejected_id = archives.rejected_id(digest, found.member.name)
                if self.redo(rejected_id):
                    media_type = PurePosixPath(found.member.name).suffix.lstrip(".").lower() or "unknown"
                    plan.rejected.append(failed_result(uri, rejected_id, media_type, found.problem or ""))
                continue
            self.consider(found.path, file_sha256(found.path), uri, depth)


MAX_ARCHIVE_DEPTH = 3
"""Archives inside archives are expanded this deep."""


def _is_archive(path: Path) -> bool:
    from fiscaldoc.extractors import UnreadableDocument, detect

    try:
        return detect(path).archive
    except UnreadableDocument:
        return False


def plan_batch(
    files: list[Path],
    known: dict[str, Known],
    *,
    force: bool = False,
    failed_only: bool = False,
    limits: ZipLimits | None = None,
    expand_archives: bool = True,
) -> Plan:
    """Idempotent by content: a file whose bytes were already ingested by this pipeline
    version is skipped; ``force`` redoes everything, ``failed_only`` only failed/partial ones.
    An archive being (re)done is expanded: its attachments are planned like files."""
    planner = _Planner(Plan(), known, force, failed_only, limits or ZipLimits(), expand_archives)
    try:
        for path in files:
            planner.consider(path, file_sha256(path), path_text(path))
    except BaseException:
        planner.plan.close()
        raise
    return planner.plan


MAX_LOT = 32
"""Documents per lot at most (one ``process-documents`` task run each)."""
LOTS_PER_WORKER = 4
"""Lots per document run at once at least: the last lots stay small enough to share out."""


def lots(jobs: list[Job], parallel: int) -> list[list[Job]]:
    """``jobs`` (largest first) cut into lots of about equal bytes, in order, for one Prefect
    task run each: a task run costs the flow and Prefect's server tens of milliseconds, about
    what a small attachment takes to read, so small documents share one; a large document
    is a lot of its own. At least :data:`LOTS_PER_WORKER` lots per worker, at most
    :data:`MAX_LOT` documents in one."""
    if not jobs:
        return []
    sizes = [_size(job[0]) for job in jobs]
    count = max(LOTS_PER_WORKER * parallel, -(-len(jobs) // MAX_LOT))
    budget = sum(sizes) / count
    cut: list[list[Job]] = [[]]
    held = 0
    for job, size in zip(jobs, sizes, strict=True):
        if cut[-1] and (held + size > budget or len(cut[-1]) >= MAX_LOT):
            cut.append([])
            held = 0
        cut[-1].append(job)
        held += size
    return cut


def plan_ahead(
    paths: list[str],
    warehouse_url: str,
    *,
    limit: int | None = None,
    force: bool = False,
    failed_only: bool = False,
    zip_limits: ZipLimits | None = None,
) -> list[Job]:
    """The documents the ingest flow will ask for (the first ``limit``), in its order (largest
    first), as its ``process-documents`` tasks get them (absolute path, id, source), for reading ahead
    (:func:`fiscaldoc.flows.isolation.read_ahead`). Only the files that may be among them are
    hashed. Archives' entries are left to the flow (it extracts them to temporary paths of its
    own). Empty when anything is amiss: the flow says what."""
    from fiscaldoc.warehouse.load import Warehouse

    try:
        warehouse = Warehouse(warehouse_url, wait_s=0)
        try:
            known = warehouse.known()
        finally:
            warehouse.dispose()
        # Sorting is stable: files of one size keep discovery order, as in the flow's plan.
        files = sorted(discover(paths), key=_size, reverse=True)
        planner = _Planner(
            Plan(), known, force, failed_only, zip_limits or ZipLimits(), expand_archives=False
        )
        for path in files:
            if limit is not None and len(planner.plan.todo) >= limit:
                break
            planner.consider(path, file_sha256(path), path_text(path))
    except Exception:
        return []
    return [(path.absolute(), digest, path_text(path)) for path, digest in planner.plan.todo]


class Summary(BaseModel):
    files: int = 0
    processed: int = 0
    skipped: int = 0
    loaded: int = 0
    partial: int = 0
    failed: int = 0
    plans: int = 0
    items: int = 0
    forms: int = 0
    indicators: int = 0
    checks_pass: int = 0
    checks_fail: int = 0
    checks_warn: int = 0
    failures: list[tuple[str, str]] = []
    """(file, reason) for every failed or partial document."""
    cpu_s: dict[str, float] = {}
    """CPU seconds per stage (extract, normalise, check in the workers; load in the flow)."""

    def add(self, result: DocumentResult) -> None:
        self.processed += 1
        doc = result.document
        setattr(self, doc.status, getattr(self, doc.status) + 1)
        if doc.error:
            self.failures.append((doc.source_uri, doc.error))
        r = result.records
        self.plans += len(r.allocation_plans)
        self.items += len(r.allocation_items)
        self.forms += len(r.performance_forms)
        self.indicators += len(r.performance_indicators)
        for check in result.check_results:
            name = f"checks_{check.status}"
            setattr(self, name, getattr(self, name) + 1)


Progress = Callable[[DocumentResult | None, int], None]
"""Told of each document done (``None``: the batch size is now known) and the batch size."""


class Pending:
    """Results waiting to be loaded. Loading pays per statement, so results are loaded a few
    documents at a time: :meth:`add` says when enough have gathered (documents, rows, or
    seconds since the first, so a slow batch still shows progress)."""

    def __init__(
        self,
        results: Iterable[DocumentResult] = (),
        documents: int = 32,
        rows: int = 20_000,
        seconds: float = 2.0,
    ) -> None:
        self.limits = (documents, rows, seconds)
        self.results: list[DocumentResult] = []
        self.rows = 0
        self.since = 0.0
        for result in results:
            self.add(result)

    def add(self, result: DocumentResult) -> bool:
        """Hold ``result``; true when the held ones should be loaded now."""
        if not self.results:
            self.since = time.monotonic()
        self.results.append(result)
        self.rows += sum(len(rows) for rows in result.tables().values())
        documents, rows, seconds = self.limits
        return len(self.results) >= documents or self.rows >= rows or time.monotonic() - self.since >= seconds

    def take(self) -> list[DocumentResult]:
        taken, self.results, self.rows = self.results, [], 0
        return taken
