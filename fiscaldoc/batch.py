"""A batch: which files, which of them need work, and what came of it.

Pure library code the flow calls; nothing here imports Prefect.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from fiscaldoc import PIPELINE_VERSION
from fiscaldoc.pipeline import file_sha256
from fiscaldoc.records import DocumentResult
from warehouse.load import Known

RETRY_STATUSES = ("failed", "partial")


def _attachment_suffixes() -> set[str]:
    from extractors import FORMATS

    return {s for fmt in FORMATS.values() for s in fmt.suffixes}


def discover(paths: Iterable[str]) -> list[Path]:
    """Files named by PATH arguments: files, folders (recursively) or globs; sorted, unique.

    A file named explicitly is always taken; inside folders only files whose suffix
    a registered format claims (or that have none) are, so a folder's README or
    truth JSON is not ingested as a broken attachment.
    """
    suffixes = _attachment_suffixes()
    found: dict[str, Path] = {}
    for arg in paths:
        candidates = [Path(p) for p in glob.glob(arg, recursive=True)] if glob.has_magic(arg) else [Path(arg)]
        for candidate in candidates:
            files: Iterable[Path]
            if candidate.is_dir():
                files = (p for p in candidate.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
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
    """What to do with each discovered file."""

    todo: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    moved: list[tuple[Path, str]] = field(default_factory=list)
    """Known content under a new path: only ``source_uri`` is updated."""


def plan_batch(
    files: list[Path], known: dict[str, Known], *, force: bool = False, failed_only: bool = False
) -> Plan:
    """Idempotent by content: a file whose bytes were already ingested by this pipeline
    version is skipped; ``force`` redoes everything, ``failed_only`` only failed/partial ones."""
    plan = Plan()
    seen: set[str] = set()
    for path in files:
        digest = file_sha256(path)
        if digest in seen:
            plan.skipped.append((path, digest))
            continue
        seen.add(digest)
        before = known.get(digest)
        if failed_only:
            redo = before is not None and before.status in RETRY_STATUSES
        else:
            redo = force or before is None or before.pipeline_version != PIPELINE_VERSION
        if redo:
            plan.todo.append((path, digest))
        else:
            plan.skipped.append((path, digest))
            if before is not None and before.source_uri != str(path):
                plan.moved.append((path, digest))
    return plan


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


# Progress reporting for whoever drives the flow (the CLI's progress bar).
Reporter = Callable[[DocumentResult | None, int], None]
_reporters: list[Reporter] = []


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    _reporters.append(reporter)
    try:
        yield
    finally:
        _reporters.remove(reporter)


def report(result: DocumentResult | None, total: int) -> None:
    """Tell reporters one document is done (``None``: the batch size is now known)."""
    for reporter in list(_reporters):
        reporter(result, total)
