"""A document's scanned pages: OCR'd once each, within the document's time budget.

The PDF reader asks for a page it found without a usable text layer; the page is rendered
and read by OCR the first time only, so the second opinions the pipeline may ask for
(other readers of the same views) never OCR again. Past the budget
(``FISCALDOC_OCR_BUDGET_S``) no further page is read: the document becomes ``partial``
with the pages read so far. OpenCV and RapidOCR are imported here only when a page is
read, so a born-digital PDF never loads them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fiscaldoc.extractors.ocr_page import OcrPage


class BudgetSpent(Exception):
    """The document's OCR time budget is used up; the page was not read."""


class Scans:
    def __init__(self, path: Path, budget_s: float | None) -> None:
        self.path = path
        self.budget_s = budget_s
        self.started = time.monotonic()
        """The budget counts from the start of the document's reading."""
        self.pages: dict[int, OcrPage | None] = {}
        self.spent = 0.0
        """Seconds spent reading pages (the models' loading left out)."""
        self.closed = False
        """A second look (:meth:`reread`): the pages OCR'd so far and no others."""
        self._pdf: Any = None

    def __bool__(self) -> bool:
        return any(page is not None for page in self.pages.values())

    def reread(self) -> tuple[Scans, list[str]]:
        """The same pages with their low-confidence figures read again (OCR's second
        opinion, asked for when the document's arithmetic does not hold), and what changed."""
        from fiscaldoc.extractors.ocr_cells import reread

        again = Scans(self.path, None)
        again.closed = True
        notes: list[str] = []
        for index, page in sorted(self.pages.items()):
            if page is not None:
                page, changed = reread(page, index + 1)
                notes.extend(changed)
            again.pages[index] = page
        return again, notes

    def page(self, index: int) -> OcrPage | None:
        """Page ``index`` read by OCR, or None where it holds nothing but ruling lines."""
        if index in self.pages:
            return self.pages[index]
        if self.closed:
            raise BudgetSpent
        from fiscaldoc.extractors import ocr_engine
        from fiscaldoc.extractors.ocr_page import read_pdf_page

        ocr_engine.engine()  # loading the models (once per process) is no page's time
        # a page is begun only if one taking the pages' mean time so far would end within budget
        now = time.monotonic()
        done = sum(1 for _ in self.pages)
        typical = self.spent / done if done else 0.0
        if self.budget_s is not None and now - self.started + typical > self.budget_s:
            raise BudgetSpent

        if self._pdf is None:
            import pypdfium2

            self._pdf = pypdfium2.PdfDocument(self.path)
        page = self._pdf[index]
        try:
            self.pages[index] = read_pdf_page(page)
        finally:
            page.close()
        self.spent += time.monotonic() - now
        return self.pages[index]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
