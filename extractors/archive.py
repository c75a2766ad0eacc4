"""ZIP archives of attachments: each entry is a document of its own.

An entry's ``source_uri`` is ``{archive}!/{name}`` and its ``file_name`` the
name's last part. Names stored without the UTF-8 flag (bit 0x800) are bytes
in the creating system's code page; zipfile decodes them as cp437, so they are
re-encoded to cp437 and decoded as UTF-8 or else GB18030 (Chinese Windows).

Safety: entries are written only inside a temporary folder, each under a
fresh numbered folder with just its base name, so no stored path is ever
followed; a name that tries to leave the archive (``../``, absolute, drive
letter) is rejected anyway. :class:`ZipLimits` bounds entry count, each
entry's and the archive's uncompressed size, and the compression ratio. The
limits are checked against the central directory and again while
decompressing, since headers can lie.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fiscaldoc.model.settings import ZipLimits

UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
_CHUNK = 1 << 20


class ArchiveProblem(Exception):
    """Why an archive or one entry was not extracted; ``str(e)`` is one line."""


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its creator meant it (GBK names without the UTF-8 flag)."""
    name = info.filename
    if info.flag_bits & UTF8_FLAG:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def entry_uri(archive: str, name: str) -> str:
    return f"{archive}!/{name}"


def file_name_of(source_uri: str) -> str:
    """The base name of a path or of an archive entry's URI. Inside an archive a backslash
    separates folders (zips made on Windows); in a path it is part of a name (a byte that is
    not UTF-8 kept as ``\\xNN``, :func:`fiscaldoc.lexicon.escaping.storable`)."""
    _, bang, name = source_uri.rpartition("!/")
    return PurePosixPath(name.replace("\\", "/") if bang else name).name


def unsafe_reason(name: str) -> str | None:
    """Why a stored name would escape the extraction folder (zip-slip), or None."""
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        return f"absolute path {name!r} in archive (zip-slip): not extracted"
    if ".." in path.split("/"):
        return f"path {name!r} leaves the archive folder (zip-slip): not extracted"
    return None


@dataclass
class Member:
    info: zipfile.ZipInfo
    name: str
    problem: str | None = None


@dataclass
class Survey:
    """An archive's central directory, judged: members to extract or reject, or why not at all."""

    members: list[Member] = field(default_factory=list)
    problem: str | None = None

    @property
    def rejected(self) -> list[Member]:
        return [m for m in self.members if m.problem]


def _is_junk(name: str) -> bool:
    return name.endswith("/") or any(part in name for part in _JUNK)


def survey(archive: Path, limits: ZipLimits, wanted: set[str] | None = None) -> Survey:
    """Read the central directory; ``wanted`` suffixes (lower case) keep only attachments."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return Survey(problem=f"damaged ZIP archive: {exc}")
    if len(infos) > limits.max_entries:
        return Survey(problem=f"archive has {len(infos)} entries, more than the limit {limits.max_entries}")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        return Survey(
            problem=f"archive expands to {declared} bytes, more than the limit {limits.max_total_bytes}"
        )
    out = Survey()
    for info in infos:
        name = entry_name(info)
        if _is_junk(name):
            continue
        if wanted is not None and PurePosixPath(name).suffix.lower() not in wanted:
            continue
        member = Member(info, name)
        member.problem = unsafe_reason(name) or _limit_reason(info, limits)
        out.members.append(member)
    return out


def _limit_reason(info: zipfile.ZipInfo, limits: ZipLimits) -> str | None:
    if info.flag_bits & ENCRYPTED_FLAG:
        return "encrypted entry: it needs a password"
    if info.file_size > limits.max_entry_bytes:
        return f"entry expands to {info.file_size} bytes, more than the limit {limits.max_entry_bytes}"
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        return f"compression ratio above {limits.max_ratio:g} (zip bomb?)"
    return None


def extract_member(archive: Path, member: Member, folder: Path, limits: ZipLimits) -> Path:
    """Decompress one member to ``folder/<base name>``, enforcing the limits on the real bytes."""
    base = file_name_of(member.name) or "entry"
    folder.mkdir(parents=True, exist_ok=False)
    target = folder / base
    if target.resolve().parent != folder.resolve():  # never reached: the name has no folders
        raise ArchiveProblem(f"entry name {member.name!r} would leave the extraction folder")
    written = 0
    with zipfile.ZipFile(archive) as zf, zf.open(member.info) as src, target.open("wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > limits.max_entry_bytes:
                raise ArchiveProblem(f"entry expands past the limit {limits.max_entry_bytes} bytes")
            ratio = written / max(member.info.compress_size, 1)
            if written > limits.ratio_floor_bytes and ratio > limits.max_ratio:
                raise ArchiveProblem(f"compression ratio above {limits.max_ratio:g} (zip bomb?)")
            out.write(chunk)
    return target


def rejected_id(archive_digest: str, name: str) -> str:
    """A stable id for an entry that was never extracted (its bytes are unknown)."""
    return hashlib.sha256(f"zip-entry:{archive_digest}!/{name}".encode()).hexdigest()


@dataclass
class Extracted:
    path: Path | None
    member: Member
    problem: str | None = None


def expand(archive: Path, folder: Path, limits: ZipLimits, wanted: set[str]) -> Iterator[Extracted]:
    """Each wanted member extracted under ``folder`` (which must be a fresh temporary
    folder), or with the reason it was not; stops at the archive's total size limit."""
    found = survey(archive, limits, wanted)
    total = 0
    for n, member in enumerate(found.members):
        if member.problem:
            yield Extracted(None, member, member.problem)
            continue
        try:
            path = extract_member(archive, member, folder / f"{n:05d}", limits)
        except (ArchiveProblem, zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            yield Extracted(None, member, " ".join(str(exc).split())[:300] or type(exc).__name__)
            continue
        total += path.stat().st_size
        if total > limits.max_total_bytes:
            path.unlink()
            yield Extracted(None, member, f"archive expands past the limit {limits.max_total_bytes} bytes")
            continue
        yield Extracted(path, member)
