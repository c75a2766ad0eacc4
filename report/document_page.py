"""One document's HTML page: its facts and checks at the top, then every page image with
the boxes of what was read from it, beside those records (a file without pages: its rows
as read, beside the records)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fiscaldoc.lexicon.escaping import printable
from fiscaldoc.report.checks_html import SYMBOL, badge, callout, continued
from fiscaldoc.report.data import DocumentData
from fiscaldoc.report.geometry import Box
from fiscaldoc.report.layout import CheckPlace, Layout, PageContent
from fiscaldoc.report.markup import esc, page_head
from fiscaldoc.report.matching import Spot
from fiscaldoc.report.records_html import Targets, form_part, plan_part, table_part
from fiscaldoc.report.render import SourceBlocks

PAGE_PADDING_PT = 1.5
"""Boxes drawn this much larger than the text they hold, so the text stays readable."""
TAG_LINE_PT = 14.0
TAG_CHAR_EM = 0.62
"""A check's tag is about this wide per character of its rule id (11 px sans-serif)."""


@dataclass
class Rendering:
    """What was made of the document's file: page images, or its rows as read."""

    sizes: list[tuple[float, float]] = field(default_factory=list)
    images: dict[int, str] = field(default_factory=dict)
    """Page number → image URL relative to the document's page."""
    source: SourceBlocks | None = None
    spots: dict[str, Spot] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Nav:
    index: str
    previous: str | None = None
    next: str | None = None


def document_html(doc: DocumentData, lay: Layout, rendering: Rendering, nav: Nav) -> str:
    targets = _targets(lay, rendering)
    regions = {place.ordinal: lay.regions(place) for place in lay.checks}
    name = printable(doc.document.file_name)
    out = [page_head(f"{name} — fiscaldoc report", "../"), '<body class="document">']
    out.append(_header(doc, lay, rendering, nav, regions))
    out.append("<main>")
    if rendering.source is not None or (not rendering.sizes and doc.document.media_type != "pdf"):
        out.append(_source_section(doc, lay, rendering, targets))
    else:
        out.extend(_page_sections(doc, lay, rendering, targets, regions))
    out.append("</main></body></html>\n")
    return "".join(out)


def _targets(lay: Layout, rendering: Rendering) -> Targets:
    targets = Targets(flags=lay.flagged(), line_anchors=lay.line_anchors)
    for anchor, mark in lay.marks.items():
        if rendering.source is not None or not rendering.sizes:
            if anchor in rendering.spots:
                targets.boxes.add(anchor)
        elif mark.page is not None:
            if mark.box is not None and mark.page <= len(rendering.sizes):
                targets.boxes.add(anchor)
            else:
                targets.pages[anchor] = mark.page
    return targets


def _header(
    doc: DocumentData, lay: Layout, rendering: Rendering, nav: Nav, regions: dict[int, dict[int, Box | None]]
) -> str:
    d = doc.document
    links = [f'<a href="{esc(nav.index)}">← all documents</a>']
    if nav.previous:
        links.append(f'<a href="{esc(nav.previous)}" rel="prev">‹ previous</a>')
    if nav.next:
        links.append(f'<a href="{esc(nav.next)}" rel="next">next ›</a>')
    facts = [
        ("status", badge(d.status)),
        ("type", esc(d.media_type)),
        ("pages", esc(d.page_count if d.page_count is not None else "—")),
        ("text", esc(d.text_source or "—")),
        ("source", esc(printable(d.source_uri))),
        ("ingested", esc(d.ingested_at.strftime("%Y-%m-%d %H:%M UTC"))),
        ("pipeline", esc(d.pipeline_version)),
        ("document id", f"<code>{esc(d.document_id)}</code>"),
    ]
    out = [
        f'<header class="doc-head"><nav>{" · ".join(links)}</nav>',
        f"<h1>{esc(printable(d.file_name))}</h1>",
        '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
    ]
    if d.error:
        out.append(f'<p class="error">{esc(d.error)}</p>')
    for note in rendering.notes:
        out.append(f'<p class="note">{esc(note)}</p>')
    out.append(_counts(doc))
    out.append(_check_summary(lay, regions))
    out.append(_parse_reports(doc))
    out.append(_page_list(lay, rendering, regions))
    out.append("</header>")
    return "".join(out)


def _counts(doc: DocumentData) -> str:
    parts = [
        (len(doc.plans), "allocation plans"),
        (len(doc.items), "items"),
        (len(doc.forms), "performance forms"),
        (len(doc.indicators), "indicators"),
        (len(doc.tables), "budget tables"),
        (len(doc.lines), "budget lines"),
    ]
    read = ", ".join(f"{n} {what}" for n, what in parts if n)
    return f'<p class="counts">Read: {esc(read or "nothing")}.</p>'


def _check_summary(lay: Layout, regions: dict[int, dict[int, Box | None]]) -> str:
    if not lay.checks:
        return '<p class="checks-none">No checks ran on this document.</p>'
    problems = [p for p in lay.checks if p.check.status != "pass"]
    passed = [p for p in lay.checks if p.check.status == "pass"]
    out = ['<section class="check-summary">']
    counts: dict[str, int] = defaultdict(int)
    for place in lay.checks:
        counts[place.check.status] += 1
    shown = [f'<span class="{s}">{counts[s]} {s}</span>' for s in ("fail", "warn", "pass") if counts[s]]
    out.append(f"<h2>Checks: {', '.join(shown)}</h2>")
    for place in problems:
        out.append(_summary_entry(place, regions[place.ordinal]))
    if passed:
        rows = "".join(
            f"<li>{SYMBOL['pass']} <code>{esc(p.check.rule)}</code> {esc(p.check.message)}</li>"
            for p in passed
        )
        out.append(
            f'<details><summary>{len(passed)} passed</summary><ul class="passed">{rows}</ul></details>'
        )
    out.append("</section>")
    return "".join(out)


def _summary_entry(place: CheckPlace, pages: dict[int, Box | None]) -> str:
    """A failed or warned check: a link to it on its page, or the check itself when it is
    about the document as a whole."""
    check = place.check
    if not pages:
        return callout(check, place.anchor, '<span class="where">(the document as a whole)</span>')
    where = ", ".join(str(p) for p in pages)
    return (
        f'<p class="check-link {esc(check.status)}">{badge(check.status)} <code>{esc(check.rule)}</code> '
        f'<a href="#{place.anchor}">{esc(check.message)}</a> <span class="where">page {esc(where)}</span></p>'
    )


def _parse_reports(doc: DocumentData) -> str:
    if not doc.parse_reports:
        return ""
    rows = []
    for report in doc.parse_reports:
        flag = ' class="flag-warn"' if report.rows_skipped or report.detail else ""
        start = report.page_start
        page = f'<a href="#page-{start}">{start}</a>' if start is not None else ""
        detail = esc(report.detail or "").replace("\n", "<br>")
        rows.append(
            f'<tr{flag} id="r{report.ordinal}"><td>{report.ordinal}</td>'
            f"<td>{esc(report.kind)}</td><td><code>{esc(report.subject or '—')}</code></td><td>{page}</td>"
            f'<td>{esc(report.engine)}</td><td class="num">{report.rows_seen}</td>'
            f'<td class="num">{report.rows_read}</td><td class="num">{report.rows_skipped}</td>'
            f'<td class="detail">{detail}</td></tr>'
        )
    warnings = len(doc.warnings)
    summary = f"Parse reports: {len(doc.parse_reports)}" + (f", {warnings} with warnings" if warnings else "")
    return (
        f'<details class="parse-reports"{" open" if warnings else ""}><summary>{esc(summary)}</summary>'
        '<div class="scroll"><table class="rows"><thead><tr><th>#</th><th>kind</th><th>subject</th>'
        "<th>page</th><th>engine</th><th>seen</th><th>read</th><th>skipped</th><th>detail</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def _page_list(lay: Layout, rendering: Rendering, regions: dict[int, dict[int, Box | None]]) -> str:
    if not rendering.sizes:
        return ""
    flagged: dict[int, str] = {}
    for place in lay.checks:
        if place.check.status != "pass":
            for page in regions[place.ordinal]:
                if flagged.get(page) != "fail":
                    flagged[page] = place.check.status
    links = []
    for number in range(1, len(rendering.sizes) + 1):
        content = lay.pages.get(number)
        rows = _row_count(content) if content else 0
        css = f' class="{flagged[number]}"' if number in flagged else (' class="read"' if rows else "")
        title = f"{rows} rows read" if rows else "nothing read"
        links.append(f'<a href="#page-{number}"{css} title="{title}">{number}</a>')
    return f'<nav class="pages">Pages: {" ".join(links)}</nav>'


def _row_count(content: PageContent) -> int:
    return (
        sum(len(p.items) for p in content.plans)
        + sum(len(f.indicators) for f in content.forms)
        + sum(len(t.lines) for t in content.tables)
    )


def _records(doc: DocumentData, content: PageContent, targets: Targets) -> list[str]:
    out = []
    for part in content.plans:
        declared = [s for s in doc.subtotals if s.plan_id == part.plan.plan_id] if part.header else []
        out.append(plan_part(part, targets, declared))
    out.extend(form_part(part, targets) for part in content.forms)
    out.extend(table_part(part, targets) for part in content.tables)
    return out


def _page_sections(
    doc: DocumentData,
    lay: Layout,
    rendering: Rendering,
    targets: Targets,
    regions: dict[int, dict[int, Box | None]],
) -> list[str]:
    numbers = sorted({*range(1, len(rendering.sizes) + 1), *(n for n in lay.pages if n is not None)})
    checks_on: dict[int, list[tuple[CheckPlace, Box | None, int]]] = defaultdict(list)
    for place in lay.checks:
        pages = regions[place.ordinal]
        if pages:
            first = min(pages)
            for page, box in pages.items():
                checks_on[page].append((place, box, first))
    boxes_on: dict[int, list[str]] = defaultdict(list)
    for anchor in targets.boxes:
        mark = lay.marks[anchor]
        if mark.page is not None:
            boxes_on[mark.page].append(anchor)
    out = []
    total = len(rendering.sizes)
    for number in numbers:
        content = lay.pages.get(number) or PageContent(number)
        size = rendering.sizes[number - 1] if 1 <= number <= total else None
        image = rendering.images.get(number)
        sheet = _sheet(number, size, image, lay, sorted(boxes_on[number]), checks_on[number], total > 0)
        records = []
        for place, _, first in checks_on[number]:
            if place.check.status == "pass":
                continue
            if first == number:
                where = f'<a href="#box-{place.anchor}-p{number}">on the page</a>'
                records.append(callout(place.check, place.anchor, where))
            else:
                records.append(continued(place.check, place.anchor, first))
        records.extend(_records(doc, content, targets))
        if not records:
            records.append('<p class="nothing">Nothing was read from this page.</p>')
        of = f" of {total}" if total else ""
        out.append(
            f'<section class="page" id="page-{number}"><div class="sheet-col">'
            f'<h2>Page {number}{of} <button type="button" class="zoom" title="wider">⤢</button></h2>'
            f'{sheet}</div><div class="records">{"".join(records)}</div></section>'
        )
    unplaced = lay.pages.get(None)
    if unplaced is not None and not unplaced.empty:
        out.append(
            '<section class="page unplaced" id="page-none"><div class="sheet-col"><h2>No page</h2>'
            '<p class="nothing">These records do not say which page they came from.</p></div>'
            f'<div class="records">{"".join(_records(doc, unplaced, targets))}</div></section>'
        )
    return out


def _sheet(
    number: int,
    size: tuple[float, float] | None,
    image: str | None,
    lay: Layout,
    anchors: list[str],
    checks: list[tuple[CheckPlace, Box | None, int]],
    drawn: bool,
) -> str:
    if size is None:
        why = "This page is not in the file." if drawn else "No image: see the note above."
        return f'<p class="nothing">{why}</p>'
    width, height = size
    ratio = width / height if height else 1.0
    style = f"aspect-ratio:{width:.1f}/{height:.1f};--ratio:{ratio:.4f}"
    parts = [f'<div class="sheet" style="{style}">']
    if image:
        parts.append(
            f'<img src="{esc(image)}" loading="lazy" decoding="async" alt="page {number}" '
            f'width="{round(width)}" height="{round(height)}">'
        )
    else:
        parts.append('<p class="nothing">No image of this page.</p>')
    regions: dict[Box | None, list[CheckPlace]] = {}
    for place, box, _ in checks:
        if place.check.status != "pass":
            regions.setdefault(box, []).append(place)
    shift: dict[int, float] = defaultdict(float)
    for box, places in regions.items():
        # Checks about the same rows share one frame, each with its own tag; the tags of
        # frames that start on the same line are set side by side, not on top of each other.
        status = "fail" if any(p.check.status == "fail" for p in places) else "warn"
        region = box.padded(3 * PAGE_PADDING_PT) if box else None
        where = region.style(width, height) if region else "left:0;top:0;width:100%;height:100%"
        line = round(region.top / TAG_LINE_PT) if region else -1
        tags = "".join(
            f'<a class="region-tag {esc(p.check.status)}" id="box-{p.anchor}-p{number}" href="#{p.anchor}">'
            f"{esc(SYMBOL.get(p.check.status, ''))} {esc(p.check.rule)}</a>"
            for p in places
        )
        offset = f' style="left:calc({shift[line]:.1f}em - 3px)"' if shift[line] else ""
        shift[line] += sum(len(p.check.rule) * TAG_CHAR_EM + 2.4 for p in places)
        tags = f'<div class="region-tags"{offset}>{tags}</div>'
        parts.append(f'<div class="region {status}" style="{where}">{tags}</div>')
    for anchor in anchors:
        mark = lay.marks[anchor]
        assert mark.box is not None
        css = "box located" if mark.located else "box"
        label = " · ".join(n for n in mark.needles[:2] if n)
        parts.append(
            f'<a class="{css} k-{anchor[0]}" id="box-{anchor}" href="#rec-{anchor}" '
            f'style="{mark.box.padded(PAGE_PADDING_PT).style(width, height)}" title="{esc(label)}"></a>'
        )
    parts.append("</div>")
    return "".join(parts)


def _source_section(doc: DocumentData, lay: Layout, rendering: Rendering, targets: Targets) -> str:
    """A file without pages: its rows as read, with each record's row marked, beside the records."""
    by_block: dict[int, list[tuple[str, Spot]]] = defaultdict(list)
    for anchor, spot in rendering.spots.items():
        by_block[spot.block].append((anchor, spot))
    flags = targets.flags
    records = []
    for place in lay.checks:
        if place.check.status == "pass" or not (place.anchors or place.pages):
            continue
        first = next((a for a in place.anchors if a in rendering.spots), None)
        where = f'<a href="#box-{first}">in the file</a>' if first else ""
        records.append(callout(place.check, place.anchor, where))
    for content in lay.pages.values():
        records.extend(_records(doc, content, targets))
    if not records:
        records.append('<p class="nothing">Nothing was read from this file.</p>')
    view = _source_view(rendering.source, by_block, flags, lay)
    return (
        '<section class="page source-page" id="page-source"><div class="sheet-col">'
        f'<h2>The file as read <button type="button" class="zoom" title="wider">⤢</button></h2>{view}</div>'
        f'<div class="records">{"".join(records)}</div></section>'
    )


def _source_view(
    source: SourceBlocks | None,
    by_block: dict[int, list[tuple[str, Spot]]],
    flags: dict[str, str],
    lay: Layout,
) -> str:
    if source is None:
        return '<p class="nothing">The file could not be shown.</p>'
    out = ['<div class="source">']
    table_open = False
    page: int | None = None
    for n, block in enumerate(source.blocks):
        if block.page != page and block.page is not None:
            if table_open:
                out.append("</tbody></table>")
                table_open = False
            out.append(f'<h3 class="sheet-name">part {block.page}</h3>')
            page = block.page
        marks = by_block.get(n, [])
        flag = next((flags[a] for a, _ in marks if flags.get(a) == "fail"), None) or next(
            (flags[a] for a, _ in marks if a in flags), None
        )
        css = " ".join(filter(None, ["read" if marks else "", f"flag-{flag}" if flag else ""]))
        css_attr = f' class="{css}"' if css else ""
        if block.cells is None:
            if table_open:
                out.append("</tbody></table>")
                table_open = False
            links = "".join(_mark_link(a, lay) for a, _ in marks)
            out.append(f"<p{css_attr}>{links}{esc(block.text)}</p>")
            continue
        if not table_open:
            out.append('<table class="grid"><tbody>')
            table_open = True
        cells = []
        row_marks = "".join(_mark_link(a, lay) for a, spot in marks if spot.cell is None)
        first = next((i for i, text in enumerate(block.cells) if text is not None), None)
        for i, text in enumerate(block.cells):
            if text is None:
                cells.append('<td class="covered"></td>')
                continue
            inside = "".join(_mark_link(a, lay) for a, spot in marks if spot.cell == i)
            lead = row_marks if i == first else ""
            cell_css = ' class="hit"' if inside else ""
            cells.append(f"<td{cell_css}>{lead}{inside}{esc(text)}</td>")
        out.append(f'<tr id="src-{n}"{css_attr}>{"".join(cells)}</tr>')
    if table_open:
        out.append("</tbody></table>")
    if source.total > len(source.blocks):
        shown = len(source.blocks)
        out.append(f'<p class="note">Only the first {shown} of {source.total} rows are shown.</p>')
    out.append("</div>")
    return "".join(out)


def _mark_link(anchor: str, lay: Layout) -> str:
    label = " · ".join(n for n in lay.marks[anchor].needles[:2] if n)
    return f'<a class="mark k-{anchor[0]}" id="box-{anchor}" href="#rec-{anchor}" title="{esc(label)}">◎</a>'
