"""The report's index: every document with its status, how its text was read, parse
warnings and failed or warned checks. The rows are data for ``index.js``, which filters
(status, rule, text) and pages through them, so a batch of thousands opens at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fiscaldoc.lexicon.escaping import printable
from fiscaldoc.report.data import DocumentData
from fiscaldoc.report.layout import Layout
from fiscaldoc.report.markup import esc, json_script, page_head

PAGE_SIZE = 50


@dataclass
class IndexEntry:
    href: str
    row: dict[str, Any]


def index_entry(doc: DocumentData, lay: Layout, href: str, notes: list[str]) -> IndexEntry:
    d = doc.document
    problems = [
        [p.check.rule, p.check.status, p.anchor, p.check.message]
        for p in lay.checks
        if p.check.status != "pass"
    ]
    row = {
        "href": href,
        "file": printable(d.file_name),
        "source": printable(d.source_uri),
        "status": d.status,
        "type": d.media_type,
        "pages": d.page_count,
        "text": d.text_source,
        "read": [
            len(records)
            for records in (doc.plans, doc.items, doc.forms, doc.indicators, doc.tables, doc.lines)
        ],
        "warnings": len(doc.warnings),
        "checks": problems,
        "passed": sum(1 for c in doc.checks if c.status == "pass"),
        "error": d.error or "",
        "notes": notes,
    }
    return IndexEntry(href, row)


@dataclass
class BatchFacts:
    documents: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)

    def add(self, entry: IndexEntry) -> None:
        self.documents += 1
        self.statuses[entry.row["status"]] += 1
        self.checks["pass"] += entry.row["passed"]
        for rule, status, *_ in entry.row["checks"]:
            self.checks[status] += 1
            self.rules[rule] += 1


def index_html(entries: list[IndexEntry], title: str) -> str:
    facts = BatchFacts()
    for entry in entries:
        facts.add(entry)
    statuses = ", ".join(
        f'<span class="{esc(s)}">{n} {esc(s)}</span>' for s, n in sorted(facts.statuses.items())
    )
    checks = ", ".join(
        f'<span class="{s}">{facts.checks[s]} {s}</span>' for s in ("fail", "warn", "pass") if facts.checks[s]
    )
    status_options = "".join(f'<option value="{esc(s)}">{esc(s)}</option>' for s in sorted(facts.statuses))
    rule_options = "".join(
        f'<option value="{esc(r)}">{esc(r)} ({n})</option>' for r, n in sorted(facts.rules.items())
    )
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        page_head(title, "", ("index.js",))
        + '<body class="index"><header><h1>'
        + esc(title)
        + f"</h1><p>{facts.documents} documents: {statuses or 'none'}. Checks: {checks or 'none'}. "
        f"Written {esc(made)}.</p></header>"
        '<form class="filters" id="filters">'
        '<label>status <select id="f-status"><option value="">any</option>'
        f"{status_options}</select></label>"
        '<label>rule <select id="f-rule"><option value="">any</option><option value="*">any failed or warned'
        f"</option>{rule_options}</select></label>"
        '<label>check status <select id="f-check"><option value="">fail or warn</option>'
        '<option value="fail">fail</option><option value="warn">warn</option></select></label>'
        '<label><input type="checkbox" id="f-warnings"> parse warnings</label>'
        '<label>file <input type="search" id="f-text" placeholder="name or path"></label>'
        '<span id="f-count" aria-live="polite"></span></form>'
        '<table class="rows documents" id="documents"><thead><tr><th>file</th><th>status</th><th>type</th>'
        "<th>pages</th><th>text</th><th>read</th><th>parse warnings</th><th>failed / warned checks</th>"
        '</tr></thead><tbody id="rows"></tbody></table>'
        '<nav class="pager" id="pager"></nav>'
        "<noscript><p>The index needs JavaScript to list the documents; each document's page is in "
        "the documents folder.</p></noscript>"
        + json_script("report-data", {"pageSize": PAGE_SIZE, "documents": [e.row for e in entries]})
        + "</body></html>\n"
    )
