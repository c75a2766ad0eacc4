"""The review report: a static HTML report of what was read, page by page.

Reads the warehouse (:mod:`fiscaldoc.warehouse`) and draws pages (pypdfium2); the CLI's
``fiscaldoc report`` and the ingest flow's ``--report`` call :func:`write_report`.
It sits beside the pipeline: it imports the stages and the model, never the flows.
"""

from __future__ import annotations

from fiscaldoc.report.data import ReportError
from fiscaldoc.report.write import ReportOptions, ReportResult, write_report

__all__ = ["ReportError", "ReportOptions", "ReportResult", "write_report"]
