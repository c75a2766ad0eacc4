"""Text dumps (.txt/.tsv/.csv, no suffix): encoding detected, table lines → rows.

A line with tabs is a row split at the tabs (a space-separated line right above
tab rows is their header, split at its gaps); space-aligned tables are read by
:mod:`fiscaldoc.extractors.aligned`; ``.csv`` files go through the csv module (quoted
cells, embedded commas and line breaks). Other non-blank lines are running text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fiscaldoc.extractors import aligned
from fiscaldoc.extractors.encoding import decode
from fiscaldoc.extractors.errors import UnreadableDocument
from fiscaldoc.model.document import Block, Cell, Line, RawDocument, Row
from fiscaldoc.model.settings import ReadingLimits

ENGINE = "text"
CSV_SUFFIXES = (".csv",)
MIN_ALIGNED_LINES = 2
"""A space-aligned table has a header and a row at least; one spaced-out line
(``分  配  方  案``, a letter-spaced title) is text."""


def _row(cells: list[str], engine: str = ENGINE) -> Row:
    return Row(tuple(Cell(c.strip()) for c in cells), engine=engine)


def _candidate_runs(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of lines that may be an aligned table: lines with two or
    more tokens, or indented, with blank lines allowed between them."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    last = -1
    for i, line in enumerate(lines):
        if aligned.continues_region(line) and not is_title(line):
            start = i if start is None else start
            last = i
        elif line.strip() and start is not None:
            runs.append((start, last + 1))
            start = None
    if start is not None:
        runs.append((start, last + 1))
    return runs


def _plain(line: str) -> Block | None:
    if "\t" in line:
        return _row(line.split("\t"))
    return Line(line.strip()) if line.strip() else None


def to_blocks(text: str) -> list[Block]:
    """In a dump without tabs, a run of candidate lines holding two or more aligned lines
    is a space-aligned table; every other line is a tab row, running text, or blank."""
    lines = text.splitlines()
    tables: dict[int, int] = {}
    runs: dict[int, int] = {}
    if not any("\t" in line for line in lines):  # a dump keeps to one convention
        runs = dict(_candidate_runs(lines))
        tables = {start: end for start, end in runs.items() if _is_table(lines, start, end)}
    blocks: list[Block] = []
    header: aligned.PlanHeader | None = None  # the plan whose rows a note may have interrupted
    i = 0
    while i < len(lines):
        if i not in tables and i in runs and header is not None and _after_a_note(lines, i):
            tables[i] = runs[i]  # the rest of a plan after a note: its header's columns
        if i in tables:
            region = [line for line in lines[i : tables[i]] if line.strip()]
            own = _plan_header_in(region)
            header = own or (header if _after_a_note(lines, i) else None)
            if own:
                # a caption over the header (金额单位：万元, set right) is a line, not a row
                while len(aligned.tokens(region[0])) == 1 and region[0] != own.line:
                    blocks.append(Line(region.pop(0).strip()))
            cells = aligned.split_by_header(region, header) if header else aligned.split_region(region)
            blocks.extend(_row(row, "text-aligned") for row in cells)
            i = tables[i]
            continue
        if is_title(lines[i]):
            header = None
        if _space_header(lines, i):
            blocks.append(_row([t for _, t in aligned.tokens(lines[i])]))
        elif (block := _plain(lines[i])) is not None:
            blocks.append(block)
        i += 1
    return blocks


_TITLE = re.compile(r"(?:表|方案|计划|明细|清单)$|^附件\d*$|绩效目标")


def is_title(line: str) -> bool:
    """A table's title (or 附件 label) on a line of its own: what starts another table."""
    found = aligned.tokens(line)
    return len(found) == 1 and bool(_TITLE.search(re.sub(r"\s+", "", found[0][1])))


def _plan_header_in(region: list[str]) -> aligned.PlanHeader | None:
    """The first allocation header among the lines (a cell of it perhaps wrapped onto the
    line above)."""
    lines = [line for line in region if line.strip()]
    for n, line in enumerate(lines):
        if header := aligned.plan_header(line, lines[n - 1] if n else ""):
            return header
    return None


def _is_table(lines: list[str], start: int, end: int) -> bool:
    """Two aligned lines make a table; so does a plan's header with a line under it, and, under
    a title, two lines of two or more cells (a form's label lines)."""
    run = lines[start:end]
    if sum(aligned.is_aligned(line) for line in run) >= MIN_ALIGNED_LINES:
        return True
    if len(run) >= MIN_ALIGNED_LINES and _plan_header_in(run):
        return True
    titled = any(is_title(line) for line in lines[max(0, start - 2) : start])
    return titled and sum(len(aligned.tokens(line)) >= 2 for line in run) >= MIN_ALIGNED_LINES


def _after_a_note(lines: list[str], i: int) -> bool:
    """Only a short line or two (a note, ``（以下为市县项目）``) stands between line ``i`` and the
    table region above it."""
    between = 0
    for line in reversed(lines[:i]):
        if not line.strip():
            continue
        if aligned.continues_region(line):
            return between > 0
        between += 1
        if between > MAX_NOTE_LINES or is_title(line):
            return False
    return False


MAX_NOTE_LINES = 2


def _space_header(lines: list[str], i: int) -> bool:
    """In a tab dump, a space-separated line (2+ gaps) right above a tab row: its header."""
    if not aligned.is_aligned(lines[i]):
        return False
    after = next((line for line in lines[i + 1 :] if line.strip()), "")
    return "\t" in after


def csv_blocks(text: str) -> list[Block]:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    blocks: list[Block] = []
    for record in csv.reader(io.StringIO(text, newline=""), dialect):
        filled = [c for c in record if c.strip()]
        if len(record) > 1 and filled:
            blocks.append(_row(record, "text-csv"))
        elif filled:
            blocks.append(Line(filled[0].strip()))
    return blocks


def extract(path: Path, limits: ReadingLimits | None = None) -> RawDocument:
    size, limit = path.stat().st_size, (limits or ReadingLimits()).max_text_bytes
    if size > limit:
        raise UnreadableDocument(
            f"text file of {size / (1 << 20):.0f} MB, over the {limit >> 20} MB limit for text dumps "
            f"(FISCALDOC_MAX_TEXT_MB); split it"
        )
    text = decode(path.read_bytes())
    if "\x00" in text:
        raise UnreadableDocument("binary content, not a text dump (NUL bytes)")
    if path.suffix.lower() in CSV_SUFFIXES:
        return RawDocument(media_type="text", engine="text-csv", blocks=csv_blocks(text))
    return RawDocument(media_type="text", engine=ENGINE, blocks=to_blocks(text))
