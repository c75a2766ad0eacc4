"""Where everything of one document goes: each record's anchor and box, which page it is
shown beside, and which rows and pages each check is about.

Pure: no HTML, no PDF. Anchors are short ids unique within the document page
(``i2-5``: plan 2, item line 5); the HTML gives a record's row ``rec-<anchor>`` and its
box on the page ``box-<anchor>``, each linking to the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from fiscaldoc.lexicon.text import key
from fiscaldoc.model.records import (
    AllocationItem,
    AllocationPlan,
    BudgetLine,
    BudgetTable,
    CheckResult,
    PerformanceForm,
    PerformanceIndicator,
)
from fiscaldoc.report.data import DocumentData
from fiscaldoc.report.geometry import Box, union

R = TypeVar("R", AllocationItem, PerformanceIndicator, BudgetLine)


@dataclass
class Mark:
    """A record's place: its page and box (PDF points), or the texts to find it by."""

    anchor: str
    page: int | None
    box: Box | None
    needles: tuple[str, ...] = ()
    """Its texts as printed, the most distinctive first (a name, then the amount)."""
    located: bool = False
    """The box was found by searching the page's text (drawn dashed: approximate)."""


@dataclass
class PlanPart:
    plan: AllocationPlan
    ordinal: int
    items: list[AllocationItem]
    header: bool
    """The plan's own facts are shown here (its first page)."""


@dataclass
class FormPart:
    form: PerformanceForm
    ordinal: int
    indicators: list[PerformanceIndicator]
    header: bool


@dataclass
class TablePart:
    table: BudgetTable
    ordinal: int
    lines: list[BudgetLine]
    header: bool


@dataclass
class CheckPlace:
    """A check and what it is about: the anchors of its rows, or pages without rows."""

    check: CheckResult
    ordinal: int
    anchors: list[str]
    pages: list[int]
    """Pages of its subject when no row is known (a form's first page, a plan without items)."""

    @property
    def anchor(self) -> str:
        return f"c{self.ordinal}"


@dataclass
class PageContent:
    number: int | None
    plans: list[PlanPart] = field(default_factory=list)
    forms: list[FormPart] = field(default_factory=list)
    tables: list[TablePart] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.plans or self.forms or self.tables)


@dataclass
class Layout:
    marks: dict[str, Mark]
    pages: dict[int | None, PageContent]
    """Records per page number; ``None`` holds those without a page (every record of a
    document that has no pages)."""
    checks: list[CheckPlace]
    line_anchors: dict[int, str] = field(default_factory=dict)
    """``id(BudgetLine)`` → its anchor: a budget line has no key of its own."""

    def regions(self, place: CheckPlace) -> dict[int, Box | None]:
        """Per page, the box around the check's rows there (None: the page as a whole)."""
        boxes: dict[int, list[Box]] = defaultdict(list)
        pages: set[int] = set(place.pages)
        for anchor in place.anchors:
            mark = self.marks[anchor]
            if mark.page is not None:
                pages.add(mark.page)
                if mark.box is not None:
                    boxes[mark.page].append(mark.box)
        return {page: union(boxes[page]) for page in sorted(pages)}

    def flagged(self) -> dict[str, str]:
        """Anchor → the worst status among the failed or warned checks about it."""
        out: dict[str, str] = {}
        for place in self.checks:
            if place.check.status == "pass":
                continue
            for anchor in place.anchors:
                if out.get(anchor) != "fail":
                    out[anchor] = place.check.status
        return out


def item_anchor(plan: int, item: AllocationItem) -> str:
    return f"i{plan}-{item.line_no}"


def indicator_anchor(form: int, indicator: PerformanceIndicator) -> str:
    return f"n{form}-{indicator.line_no}"


def line_anchor(table: int, line: BudgetLine, nth: int) -> str:
    return f"l{table}-{line.line_no}-{nth}"


def layout(doc: DocumentData) -> Layout:
    marks: dict[str, Mark] = {}
    pages: dict[int | None, PageContent] = {}

    def page(number: int | None) -> PageContent:
        if number not in pages:
            pages[number] = PageContent(number)
        return pages[number]

    plan_ordinal = {p.plan_id: n for n, p in enumerate(doc.plans, 1)}
    items_of: dict[str, list[AllocationItem]] = defaultdict(list)
    for item in doc.items:
        items_of[item.plan_id].append(item)
        anchor = item_anchor(plan_ordinal[item.plan_id], item)
        texts = (item.project or item.recipient, item.amount_text, item.recipient)
        marks[anchor] = Mark(anchor, item.page, Box.parse(item.bbox), texts)
    for plan in doc.plans:
        n = plan_ordinal[plan.plan_id]
        for number, items, header in _split(plan.page_start, items_of[plan.plan_id]):
            page(number).plans.append(PlanPart(plan, n, items, header))

    form_ordinal = {f.form_id: n for n, f in enumerate(doc.forms, 1)}
    indicators_of: dict[str, list[PerformanceIndicator]] = defaultdict(list)
    for ind in doc.indicators:
        indicators_of[ind.form_id].append(ind)
        anchor = indicator_anchor(form_ordinal[ind.form_id], ind)
        name = ind.level3 or ind.level2 or ind.level1
        box = Box.parse(getattr(ind, "bbox", None))  # indicators gain boxes once readers record them
        marks[anchor] = Mark(anchor, ind.page, box, (name, ind.target_text or ""))
    for form in doc.forms:
        n = form_ordinal[form.form_id]
        for number, indicators, header in _split(form.page_start, indicators_of[form.form_id]):
            page(number).forms.append(FormPart(form, n, indicators, header))

    table_ordinal = {t.table_id: n for n, t in enumerate(doc.tables, 1)}
    lines_of: dict[str, list[BudgetLine]] = defaultdict(list)
    nth: dict[tuple[str, int], int] = defaultdict(int)
    line_anchors: dict[int, str] = {}
    for line in doc.lines:
        lines_of[line.table_id].append(line)
        nth[(line.table_id, line.line_no)] += 1
        anchor = line_anchor(table_ordinal[line.table_id], line, nth[(line.table_id, line.line_no)])
        line_anchors[id(line)] = anchor
        texts = (line.name, line.amount_text, line.code or "")
        marks[anchor] = Mark(anchor, line.page, Box.parse(line.bbox), texts)
    for table in doc.tables:
        n = table_ordinal[table.table_id]
        for number, lines, header in _split(table.page_start, lines_of[table.table_id]):
            page(number).tables.append(TablePart(table, n, lines, header))

    subjects = _Subjects(doc, plan_ordinal, form_ordinal, table_ordinal, items_of, lines_of, line_anchors)
    checks = [subjects.place(check, n) for n, check in enumerate(doc.checks, 1)]
    ordered = dict(sorted(pages.items(), key=_page_order))
    return Layout(marks, ordered, checks, line_anchors)


def _split(start: int | None, rows: list[R]) -> list[tuple[int | None, list[R], bool]]:
    """A record's rows by page, in page order; its header goes on its first page (or its
    first row's), even where no row of it is."""
    by_page: dict[int | None, list[R]] = {}
    for row in rows:
        by_page.setdefault(row.page, []).append(row)
    first = start if start is not None else next(iter(by_page), None)
    by_page.setdefault(first, [])
    return [(number, here, number == first) for number, here in sorted(by_page.items(), key=_page_order)]


def _page_order(entry: tuple[int | None, object]) -> tuple[bool, int]:
    """Pages in order, the rows without a page last."""
    return (entry[0] is None, entry[0] or 0)


@dataclass
class _Subjects:
    """Maps a check's ``subject`` (``plan_id``, ``plan_id/recipient``, ``form_id``,
    ``table_id``, ``table_id/code``) to the rows and pages it is about."""

    doc: DocumentData
    plan_ordinal: dict[str, int]
    form_ordinal: dict[str, int]
    table_ordinal: dict[str, int]
    items_of: dict[str, list[AllocationItem]]
    lines_of: dict[str, list[BudgetLine]]
    line_anchors: dict[int, str]

    def place(self, check: CheckResult, ordinal: int) -> CheckPlace:
        kind, owner, rest = self._owner(check.subject, about_forms(check.rule))
        anchors: list[str] = []
        pages: list[int] = []
        if kind == "plan":
            n, plan = self.plan_ordinal[owner], next(p for p in self.doc.plans if p.plan_id == owner)
            items = self.items_of[owner]
            if rest:
                items = [i for i in items if key(i.recipient) == key(rest)]
            anchors = [item_anchor(n, i) for i in items]
            pages = [] if anchors else _first_page(plan.page_start)
        elif kind == "form":
            form = next(f for f in self.doc.forms if f.form_id == owner)
            pages = _first_page(form.page_start)
        elif kind == "table":
            table = next(t for t in self.doc.tables if t.table_id == owner)
            lines = self.lines_of[owner]
            if rest:
                wanted = key(rest)
                lines = [ln for ln in lines if (ln.code and key(ln.code) == wanted) or key(ln.name) == wanted]
            anchors = [self.line_anchors[id(ln)] for ln in lines]
            pages = [] if anchors else _first_page(table.page_start)
        return CheckPlace(check, ordinal, anchors, pages)

    def _owner(self, subject: str, forms_first: bool) -> tuple[str, str, str]:
        """The kind and id of the record a subject names (the longest id it starts with) and
        what follows its ``/``; kind ``""`` for none (the document as a whole). A plan and a
        form of one document share ids (``{document_id}:1``): the rule decides which it is."""
        kinds = [("plan", self.plan_ordinal), ("table", self.table_ordinal), ("form", self.form_ordinal)]
        if forms_first:
            kinds.reverse()
        best = ("", "")
        for kind, known in kinds:
            for record_id in known:
                named = subject == record_id or subject.startswith(record_id + "/")
                if named and len(record_id) > len(best[1]):
                    best = (kind, record_id)
        kind, record_id = best
        return kind, record_id, subject[len(record_id) + 1 :] if kind else ""


def about_forms(rule: str) -> bool:
    """Whether a rule's subject is a performance form (``form_amount_matches_plan``,
    ``overview_amounts_match``, ``indicator_value_plausible``, ``form_funds_add_up``) rather
    than an allocation plan: the contract's rule ids say which by their words."""
    return any(word in rule for word in ("form", "indicator", "overview"))


def _first_page(page: int | None) -> list[int]:
    return [page] if page is not None else []
