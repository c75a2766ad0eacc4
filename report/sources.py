"""The file a document was read from, found again for showing it.

A document is its bytes (``document_id`` is their SHA-256), so a file is used only when
its bytes still hash to that id: boxes drawn over a file changed since the ingest would
point at the wrong places. An archive entry (``archive.zip!/name``) is decompressed into
a temporary folder under the same limits as an ingest (zip-bomb and zip-slip guards).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fiscaldoc.extractors.archive import ArchiveProblem, extract_member, survey
from fiscaldoc.model.records import DocumentRecord
from fiscaldoc.model.settings import ZipLimits

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    path: Path | None
    """A file holding exactly the document's bytes, or None."""
    note: str | None = None
    """Why there is none (one line), shown on the document's page."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Sources:
    """Finds documents' files: ``files`` (document id → path, from PATH arguments) first,
    else the ``source_uri`` the warehouse remembers. Close it to remove extracted entries."""

    def __init__(self, files: Mapping[str, Path] | None = None, limits: ZipLimits | None = None) -> None:
        self.files = dict(files or {})
        self.limits = limits or ZipLimits()
        self._scratch: Path | None = None
        self._count = 0

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def release(self, source: Source) -> None:
        """Remove ``source``'s file if it is an entry this object extracted."""
        if source.path is not None and self._scratch is not None and self._scratch in source.path.parents:
            shutil.rmtree(source.path.parent, ignore_errors=True)

    def find(self, document: DocumentRecord) -> Source:
        given = self.files.get(document.document_id)
        if given is not None:
            return Source(given)
        uri = document.source_uri
        try:
            if "!/" in uri:
                archive, name = uri.rsplit("!/", 1)
                path = self._entry(Path(archive), name)
            else:
                path = Path(uri)
                if not path.is_file():
                    return Source(None, f"source file not found: {uri}")
            if sha256_of(path) != document.document_id:
                return Source(None, f"{uri} has changed since it was ingested")
        except (OSError, ArchiveProblem, zipfile.BadZipFile, RuntimeError, EOFError) as exc:
            return Source(None, f"source not readable: {' '.join(str(exc).split())[:200]}")
        return Source(path)

    def _entry(self, archive: Path, name: str) -> Path:
        if not archive.is_file():
            raise ArchiveProblem(f"archive not found: {archive}")
        found = survey(archive, self.limits)
        if found.problem:
            raise ArchiveProblem(found.problem)
        for member in found.members:
            if member.name == name:
                if member.problem:
                    raise ArchiveProblem(member.problem)
                if self._scratch is None:
                    self._scratch = Path(tempfile.mkdtemp(prefix="fiscaldoc-report-"))
                self._count += 1
                return extract_member(archive, member, self._scratch / f"{self._count:05d}", self.limits)
        raise ArchiveProblem(f"no entry {name!r} in {archive}")
