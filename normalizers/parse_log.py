"""The parse report of one table or form, kept while a reader walks its rows.

Every normaliser says what it saw and what it did with it through a :class:`TableLog`:
rows seen, rows read, rows skipped with the reason, and notes (text in the table, a unit
assumed). :meth:`TableLog.report` makes the ``parse_reports`` row. A table that was found
but of which nothing could be read is reported with ``subject`` NULL and the reason as the
first line of ``detail``; a table read in part, whose arithmetic fails where rows with
figures were not read, says so in a ``not read:`` line. The pipeline makes the document
``partial`` with those reasons (:func:`reading_problems`) and does not blame the document for
sums that fail there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscaldoc.lexicon.text import collapse
from fiscaldoc.model.document import Line, Row
from fiscaldoc.model.records import ParseReport

MAX_DETAIL_LINES = 40
"""Detail beyond this many lines is counted, not listed: a report is read by a person."""


def row_text(row: Row, limit: int = 60) -> str:
    """A row's filled cells as one short line."""
    text = " | ".join(collapse(c.text) for c in row.filled())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class TableLog:
    """What a reader saw and kept of one table or form."""

    kind: str
    engine: str | None = None
    rows_seen: int = 0
    rows_read: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    def _page(self, block: Row | Line) -> None:
        if block.page is not None:
            self.pages.append(block.page)
        if isinstance(block, Row) and block.engine and not self.engine:
            self.engine = block.engine

    def read(self, row: Row) -> None:
        """A row the reader understood (an item, a header, a total, a continuation)."""
        self._page(row)
        self.rows_seen += 1
        self.rows_read += 1

    def skip(self, row: Row, why: str) -> None:
        """A row the reader saw and did not take, with the reason."""
        self._page(row)
        self.rows_seen += 1
        self.skipped.append(f"p{row.page}: {why}: {row_text(row)}" if row.page else f"{why}: {row_text(row)}")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def problem(self, text: str) -> None:
        """What we failed to read (not the document's fault): the document becomes ``partial``."""
        self.problems.append(text)

    def text_inside(self, line: Line) -> None:
        """A line of running text between the table's rows (a mid-table note)."""
        self.notes.append(f"text in the table: {collapse(line.text)[:60]}")

    @property
    def first_page(self) -> int | None:
        return min(self.pages) if self.pages else None

    def report(self, document_id: str, subject: str | None) -> ParseReport:
        """The ``parse_reports`` row (its ordinal is set once the whole document is read);
        ``subject`` is None when nothing could be made of the table."""
        lines = [*(PROBLEM + p for p in self.problems), *self.notes, *self.skipped]
        if len(lines) > MAX_DETAIL_LINES:
            lines = [*lines[:MAX_DETAIL_LINES], f"… and {len(lines) - MAX_DETAIL_LINES} more"]
        return ParseReport(
            document_id=document_id,
            ordinal=0,
            kind=self.kind,
            subject=subject,
            page_start=min(self.pages) if self.pages else None,
            page_end=max(self.pages) if self.pages else None,
            engine=self.engine,
            rows_seen=self.rows_seen,
            rows_read=self.rows_read,
            rows_skipped=len(self.skipped),
            detail="\n".join(lines) or None,
        )


def number_reports(reports: list[ParseReport]) -> None:
    """Ordinals 1…n in reading order: one document's reports (plans, forms, budget tables)
    share one key space."""
    reports[:] = [r.model_copy(update={"ordinal": n}) for n, r in enumerate(reports, start=1)]


PROBLEM = "not read: "


def problems_of(report: ParseReport) -> list[str]:
    """What the reader failed to read of one table: ``page 2: 14 table rows under an
    allocation header, none read as items``."""
    lines = (report.detail or "").split("\n")
    return [line.removeprefix(PROBLEM) for line in lines if line.startswith(PROBLEM)]


def reading_problems(reports: list[ParseReport]) -> list[str]:
    """Every table's reading problems, in reading order."""
    return [p for report in reports for p in problems_of(report)]


def misread_subjects(reports: list[ParseReport]) -> set[str]:
    """Records (``plan_id`` …) read in part, whose failing sums are not the document's."""
    return {r.subject for r in reports if r.subject is not None and problems_of(r)}


def describe(report: ParseReport) -> list[str]:
    """A report as a person reads it: a heading line, then its detail lines indented
    (what ``fiscaldoc extract`` prints and the flow's artifact shows)."""
    pages = ""
    if report.page_start is not None:
        pages = f" p{report.page_start}" + (
            f"-{report.page_end}" if report.page_end not in (None, report.page_start) else ""
        )
    head = (
        f"#{report.ordinal} {report.kind}{pages} [{report.engine or '?'}]: {report.rows_seen} rows seen, "
        f"{report.rows_read} read, {report.rows_skipped} skipped"
        + ("" if report.subject else " (nothing loaded)")
    )
    return [head, *(f"    {line}" for line in (report.detail or "").split("\n") if line)]
