"""The records read from a page, as HTML tables whose rows link to their boxes.

Each row is ``rec-<anchor>``; its first cell (a budget line: its amount) links to
``#box-<anchor>`` on the page image, or to the page itself when no box is known.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from fiscaldoc.model.records import AllocationSubtotal, BudgetLine
from fiscaldoc.report.geometry import Box
from fiscaldoc.report.layout import FormPart, PlanPart, TablePart, indicator_anchor, item_anchor
from fiscaldoc.report.markup import esc, yuan


@dataclass
class Targets:
    """Where a record's link goes: its box, else its page; and the checks that flag it."""

    boxes: set[str] = field(default_factory=set)
    pages: dict[str, int] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    line_anchors: dict[int, str] = field(default_factory=dict)
    """``id(BudgetLine)`` → anchor (budget lines have no key of their own)."""

    def link(self, anchor: str, label: str, title: str = "show it on the page") -> str:
        if anchor in self.boxes:
            return f'<a class="to-box" href="#box-{anchor}" title="{esc(title)}">{label}</a>'
        if anchor in self.pages:
            page = self.pages[anchor]
            return f'<a class="to-page" href="#page-{page}" title="box not known: page {page}">{label}</a>'
        return label

    def row_class(self, anchor: str) -> str:
        flag = self.flags.get(anchor)
        return f' class="flag-{flag}"' if flag else ""


def _facts(pairs: list[tuple[str, object]]) -> str:
    shown = [(k, v) for k, v in pairs if v not in (None, "")]
    if not shown:
        return ""
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in shown) + "</dl>"


def _pages(start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    return str(start) if end in (None, start) else f"{start}–{end}"


def plan_part(part: PlanPart, targets: Targets, declared: list[AllocationSubtotal]) -> str:
    plan = part.plan
    head_id = f' id="p{part.ordinal}"' if part.header else ""
    title = f"Allocation plan {part.ordinal}" + ("" if part.header else " (continued)")
    out = [f'<div class="record plan"{head_id}><h3>{esc(title)}: {esc(plan.title)}</h3>']
    if part.header:
        out.append(
            _facts(
                [
                    ("attachment", plan.attachment_label),
                    ("fiscal year", plan.fiscal_year),
                    ("unit", plan.unit),
                    ("declared total (yuan)", yuan(plan.declared_total_yuan)),
                    ("pages", _pages(plan.page_start, plan.page_end)),
                    ("engine", plan.engine),
                ]
            )
        )
        out.append(subtotals(part, declared))
    if part.items:
        rows = []
        for item in part.items:
            anchor = item_anchor(part.ordinal, item)
            rows.append(
                f'<tr id="rec-{anchor}"{targets.row_class(anchor)}>'
                f"<td>{targets.link(anchor, f'#{item.line_no}')}</td>"
                f"<td>{esc(item.seq)}</td><td>{esc(item.recipient)}</td><td>{esc(item.project)}</td>"
                f'<td class="num">{esc(item.amount_text)}</td><td class="num">{yuan(item.amount_yuan)}</td>'
                f"<td>{esc(item.note)}</td></tr>"
            )
        out.append(
            '<div class="scroll"><table class="rows"><thead><tr><th>line</th><th>序号</th>'
            "<th>recipient 用款单位</th><th>project 项目</th><th>printed</th><th>yuan</th>"
            f"<th>note 备注</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    out.append("</div>")
    return "".join(out)


def subtotals(part: PlanPart, declared: list[AllocationSubtotal]) -> str:
    """The subtotals a plan declares (rows or notes); they have no box of their own."""
    if not declared:
        return ""
    rows = "".join(
        f'<tr><td>{esc(s.label)}</td><td class="num">{yuan(s.declared_yuan)}</td><td>{esc(s.source)}</td>'
        f"<td>{esc(s.text)}</td></tr>"
        for s in declared
    )
    return (
        f'<details class="subtotals"><summary>{len(declared)} declared subtotals of plan {part.ordinal}'
        '</summary><table class="rows"><thead><tr><th>label</th><th>yuan</th><th>from</th><th>as printed</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></details>"
    )


def form_part(part: FormPart, targets: Targets) -> str:
    form = part.form
    head_id = f' id="f{part.ordinal}"' if part.header else ""
    title = f"Performance form {part.ordinal}" + ("" if part.header else " (continued)")
    out = [f'<div class="record form"{head_id}><h3>{esc(title)}: {esc(form.project_name)}</h3>']
    if part.header:
        out.append(
            _facts(
                [
                    ("template", form.form_title),
                    ("department", form.department),
                    ("implementing unit", form.implementing_unit),
                    ("type", form.project_type),
                    ("nature", form.project_nature),
                    ("category", form.project_category),
                    ("level", form.project_level),
                    ("years", _pages(form.start_year, form.end_year)),
                    ("dates", " – ".join(str(d) for d in (form.start_date, form.end_date) if d)),
                    ("total (yuan)", yuan(form.total_amount_yuan)),
                    ("annual (yuan)", yuan(form.annual_amount_yuan)),
                    ("fiscal funds", yuan(form.fiscal_funds_yuan)),
                    ("other funds", yuan(form.other_funds_yuan)),
                    ("current grant", yuan(form.current_grant_yuan)),
                    ("carry-over", yuan(form.carryover_yuan)),
                    ("pages", _pages(form.page_start, form.page_end)),
                    ("engine", form.engine),
                ]
            )
        )
        for label, text in (
            ("basis 设立依据", form.basis),
            ("overview 项目概述", form.overview),
            ("overall goal 总体目标", form.overall_goal),
            ("annual goal 年度目标", form.annual_goal),
        ):
            if text:
                summary = f"<summary>{esc(label)}</summary>"
                out.append(f'<details class="text">{summary}<p>{esc(text)}</p></details>')
    if part.indicators:
        rows = []
        for ind in part.indicators:
            anchor = indicator_anchor(part.ordinal, ind)
            value = "" if ind.target_value is None else f"{ind.target_value.normalize():f}"
            rows.append(
                f'<tr id="rec-{anchor}"{targets.row_class(anchor)}>'
                f"<td>{targets.link(anchor, f'#{ind.line_no}')}</td>"
                f"<td>{esc(ind.level1)}</td><td>{esc(ind.level2)}</td><td>{esc(ind.level3)}</td>"
                f"<td>{esc(ind.unit)}</td><td>{esc(ind.comparator)}</td><td>{esc(ind.target_text)}</td>"
                f'<td class="num">{esc(value)}</td></tr>'
            )
        out.append(
            '<div class="scroll"><table class="rows"><thead><tr><th>line</th><th>level 1</th><th>level 2</th>'
            "<th>indicator</th><th>unit</th><th>cmp</th><th>printed</th><th>value</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    out.append("</div>")
    return "".join(out)


def table_part(part: TablePart, targets: Targets) -> str:
    table = part.table
    head_id = f' id="t{part.ordinal}"' if part.header else ""
    title = f"Budget table {part.ordinal}" + ("" if part.header else " (continued)")
    out = [f'<div class="record budget"{head_id}><h3>{esc(title)}: {esc(table.title)}</h3>']
    if part.header:
        out.append(
            _facts(
                [
                    ("kind", table.kind),
                    ("stage", table.stage),
                    ("fiscal year", table.fiscal_year),
                    ("entity", table.entity),
                    ("unit", table.unit),
                    ("pages", _pages(table.page_start, table.page_end)),
                    ("engine", table.engine),
                ]
            )
        )
    sides: dict[str | None, list[BudgetLine]] = defaultdict(list)
    for line in part.lines:
        sides[line.side].append(line)
    for side, lines in sides.items():
        out.append(_pivot(side, lines, targets))
    out.append("</div>")
    return "".join(out)


def _measures(lines: list[BudgetLine]) -> list[str]:
    """The table's columns, left to right where boxes say so, else as first seen."""
    seen: dict[str, list[float]] = {}
    for line in lines:
        box = Box.parse(line.bbox)
        seen.setdefault(line.measure, [])
        if box is not None:
            seen[line.measure].append(box.x0)
    order = list(seen)
    if all(seen.values()):
        order.sort(key=lambda m: median(seen[m]))
    return order


def _pivot(side: str | None, lines: list[BudgetLine], targets: Targets) -> str:
    """Long-form lines back into the table's shape: a row per printed row, a column per measure."""
    measures = _measures(lines)
    column = {m: n for n, m in enumerate(measures)}
    rows: dict[int, list[BudgetLine]] = {}
    for line in lines:
        rows.setdefault(line.line_no, []).append(line)
    body = []
    for line_no, cells in rows.items():
        first = cells[0]
        by_measure: dict[int, BudgetLine] = {}
        for cell in cells:
            by_measure.setdefault(column[cell.measure], cell)
        tds = []
        for n in range(len(measures)):
            found = by_measure.get(n)
            if found is None:
                tds.append("<td></td>")
                continue
            cell = found
            anchor = targets.line_anchors[id(cell)]
            flag = targets.flags.get(anchor)
            css = f"num flag-{flag}" if flag else "num"
            title = f"{cell.measure}: {yuan(cell.amount_yuan) or 'blank'} yuan"
            tds.append(
                f'<td id="rec-{anchor}" class="{css}">'
                f"{targets.link(anchor, esc(cell.amount_text) or '·', title)}</td>"
            )
        body.append(
            f"<tr><td>{line_no}</td><td>{esc(first.code)}</td>"
            f'<td class="name lvl{esc(first.level or 0)}">{esc(first.name)}</td>{"".join(tds)}</tr>'
        )
    heads = "".join(f"<th>{esc(m)}</th>" for m in measures)
    caption = f"<caption>{esc(side)} side</caption>" if side else ""
    return (
        f'<div class="scroll"><table class="rows budget-lines">{caption}<thead><tr><th>line</th><th>code</th>'
        f"<th>name</th>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
