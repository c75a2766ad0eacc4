"""Checks as a person reads them: what was compared, the two figures and their difference,
and where on the pages the rows are."""

from __future__ import annotations

from fiscaldoc.model.records import CheckResult
from fiscaldoc.report.markup import esc, yuan

SYMBOL = {"fail": "✗", "warn": "!", "pass": "✓"}


def figures(check: CheckResult) -> str:
    parts = []
    if check.expected is not None:
        parts.append(f'<dt>expected</dt><dd class="num">{yuan(check.expected)}</dd>')
    if check.actual is not None:
        parts.append(f'<dt>actual</dt><dd class="num">{yuan(check.actual)}</dd>')
    if check.expected is not None and check.actual is not None:
        difference = check.actual - check.expected
        sign = "+" if difference > 0 else ""
        parts.append(f'<dt>difference</dt><dd class="num diff">{sign}{yuan(difference)}</dd>')
    return f'<dl class="figures">{"".join(parts)}</dl>' if parts else ""


def badge(status: str) -> str:
    return f'<span class="badge {esc(status)}">{esc(SYMBOL.get(status, ""))} {esc(status)}</span>'


def callout(check: CheckResult, anchor: str | None, where: str) -> str:
    """The check in full; ``anchor`` is its element id (``c3``), ``where`` links to its rows."""
    element_id = f' id="{esc(anchor)}"' if anchor else ""
    return (
        f'<div class="check {esc(check.status)}"{element_id}><div class="check-head">{badge(check.status)} '
        f"<code>{esc(check.rule)}</code> {where}</div><p>{esc(check.message)}</p>{figures(check)}"
        f'<p class="subject">subject <code>{esc(check.subject)}</code></p></div>'
    )


def continued(check: CheckResult, anchor: str, first_page: int) -> str:
    """A check whose rows run over several pages, on a page after its first."""
    return (
        f'<div class="check {esc(check.status)} continued">{badge(check.status)} '
        f"<code>{esc(check.rule)}</code> "
        f'continues here: <a href="#{esc(anchor)}">the check, on page {first_page}</a></div>'
    )
