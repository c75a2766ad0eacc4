"""Telling "the document is inconsistent" from "we could not read it".

A reader that found a table and could not read it (rows on the page, none read as items), or
read it in part where its arithmetic fails beside rows with figures it could not place, says
so in the table's parse report (:mod:`fiscaldoc.normalizers.parse_log`). Such a document is
``partial`` with that reason, and the sums that fail on the table are our failure, not the
document's: they become warnings that point at the reading.
"""

from __future__ import annotations

from fiscaldoc.model.records import CheckResult, Records
from fiscaldoc.normalizers.parse_log import misread_subjects, reading_problems

EXCUSED_RULES = ("total_matches_items", "subtotal_matches_items", "sequence_complete")
"""The rules whose failure on a table read in part says nothing about the document."""


def reading_failures(records: Records) -> list[str]:
    """Why the document is only partly read, one reason per table."""
    return reading_problems(records.parse_reports)


def excuse_misread(records: Records, checks: list[CheckResult]) -> list[CheckResult]:
    """``checks`` with the failing sums of tables read in part turned into warnings."""
    misread = misread_subjects(records.parse_reports)
    if not misread:
        return checks
    out = []
    for check in checks:
        subject = check.subject.split("/", 1)[0]
        if check.status == "fail" and check.rule in EXCUSED_RULES and subject in misread:
            check = check.model_copy(
                update={"status": "warn", "message": f"{check.message} (rows not read: check the reading)"}
            )
        out.append(check)
    return out
