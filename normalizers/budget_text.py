"""Figures a budget disclosure's text states (说明), as ``budget_statements``.

The running text outside the tables is joined into sentences (lines wrap mid-sentence, and
pages break them). In each sentence every figure with a unit (万元, 元, %) is read with the
words before it in its clause; those words name what it is of
(:func:`fiscaldoc.lexicon.budget_phrases.subject_of`). A sentence that names a 项 or a
“三公” item makes it the context of the sentences after it (``2024年预算安排352.67万元``,
``支出决算为1511.89万元``), until a heading names something else. Percentages become
shares (占 …%), changes (比上年增加 …%) or completion rates (完成年初预算的 …%), with the
figures the sentence gives for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fiscaldoc.lexicon.budget_phrases import (
    base_kind,
    base_prefix,
    is_change,
    item_code,
    item_path,
    subject_of,
)
from fiscaldoc.lexicon.numbers import parse_number, to_yuan
from fiscaldoc.lexicon.text import collapse, key
from fiscaldoc.model.document import Block, Line
from fiscaldoc.model.records import BudgetStatement

_FIGURE = re.compile(r"([-+]?\d[\d,，]*(?:\.\d+)?)\s*(亿元|万元|元|%|％|万(?![\d\u4e00-\u9fff]))")
_CLAUSE = re.compile(r"[，,；;：:]")
_SENTENCE_END = re.compile(r"(?<=[。])")
_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[、.．](?!\d))"
)
_SHARE = re.compile(r"占(.{0,16}?)的?$")
_DOWN = ("减少", "下降", "降低")
_UP = ("增加", "增长", "上升")
_COMPLETION = re.compile(r"完成了?(?:年初|全年|调整后?)?预算(?:数)?的?$")


@dataclass
class _Sentence:
    text: str
    page: int | None
    heading: bool


@dataclass
class _Context:
    """What the sentences being read are about."""

    subject: str | None = None
    previous: tuple[Decimal, str] | None = None
    """The earlier year's figure (yuan, as printed) a change is measured from."""
    budgeted: tuple[Decimal, str, str | None] | None = None
    """The budget an outcome is measured against (年初预算为 …), and whose it is."""


@dataclass
class _Out:
    document_id: str
    statements: list[BudgetStatement] = field(default_factory=list)

    def add(self, **fields: object) -> None:
        self.statements.append(
            BudgetStatement(document_id=self.document_id, ordinal=len(self.statements) + 1, **fields)
        )


def sentences(lines: Sequence[Line]) -> list[_Sentence]:
    """Running text as sentences; a heading line starts a new one."""
    out: list[_Sentence] = []
    buffer, heading = "", False
    pages: list[tuple[int, int | None]] = []
    for line in lines:
        text = collapse(line.text)
        if not text:
            continue
        starts = bool(_HEADING.match(key(text))) or _is_title(text)
        if starts and buffer:
            out.extend(_split(buffer, pages, heading))
            buffer, pages = "", []
        if not buffer:
            heading = starts
        if buffer and buffer[-1].isascii() and text[0].isascii():
            buffer += " "
        pages.append((len(buffer), line.page))
        buffer += text
        if _is_title(text):
            buffer += "。"  # a heading line is a sentence of its own
    if buffer:
        out.extend(_split(buffer, pages, heading))
    return out


def _is_title(text: str) -> bool:
    """A short line without sentence punctuation ending in 说明/情况/表 (a section title)."""
    k = key(text)
    return (
        len(k) <= 40 and not re.search(r"[，。；,;]", k) and bool(re.search(r"(?:说明|情况|预算|决算)$", k))
    )


def _split(text: str, pages: list[tuple[int, int | None]], heading: bool) -> list[_Sentence]:
    out: list[_Sentence] = []
    offset = 0
    for n, part in enumerate(_SENTENCE_END.split(text)):
        start = offset
        offset += len(part)
        if not part.strip():
            continue
        page = next((p for at, p in reversed(pages) if at <= start), pages[0][1] if pages else None)
        out.append(_Sentence(part.strip(), page, heading and n == 0))
    return out


def _figures(sentence: str) -> list[tuple[str, Decimal, str, str]]:
    """(label, value, unit, printed) for each figure, the label being the clause's words since
    the previous figure."""
    out = []
    start = 0
    normal = unicodedata.normalize("NFKC", sentence)
    for match in _FIGURE.finditer(normal):
        value = parse_number(match.group(1).replace("，", ","))
        if value is None:
            continue
        before = normal[start : match.start()]
        clauses = [c for c in _CLAUSE.split(before)]
        while len(clauses) > 1 and not key(clauses[-1]):
            clauses.pop()  # “…（项）”：25.77万元 — the words stand before the colon
        label = clauses[-1] if clauses else before
        unit = {"%": "%", "％": "%", "万": "万元"}.get(match.group(2), match.group(2))
        out.append((label, value, unit, match.group(0).replace(" ", "")))
        start = match.end()
    return out


def statements(lines: Sequence[Line], document_id: str, first_ordinal: int = 1) -> list[BudgetStatement]:
    """Every figure the text states about something the tables hold."""
    out = _Out(document_id)
    context = _Context()
    for sentence in sentences(lines):
        _read(sentence, context, out)
    for n, s in enumerate(out.statements):
        out.statements[n] = s.model_copy(update={"ordinal": first_ordinal + n})
    return out.statements


def _read(sentence: _Sentence, context: _Context, out: _Out) -> None:
    item = item_path(sentence.text)
    if item is not None:
        code = item_code(sentence.text)
        context.subject = f"code:{code}" if code else "item:" + "/".join(item)
        context.previous, context.budgeted = None, None
    elif sentence.heading:
        context.subject, context.previous, context.budgeted = None, None, None
    scope: str | None = None
    last: str | None = None
    last_change: tuple[Decimal, str | None] | None = None
    for label, value, unit, printed in _figures(sentence.text):
        quote = sentence.text
        if unit == "%":
            _percent(label, value, printed, context, scope, last, last_change, quote, sentence.page, out)
            continue
        yuan = to_yuan(value, unit)
        if is_change(label):
            down = any(w in key(label) for w in _DOWN)
            named = subject_of(re.sub(r"(?:增加|减少|增长|下降|上升|降低)$", "", key(label)))
            last_change = (-yuan if down else yuan, named or last or context.subject)
            continue
        kind = base_kind(label)
        subject = None if re.match(r"^[(（]?(?:含|其中含)", key(label)) else subject_of(label)
        if kind is not None:
            prefix = subject_of(base_prefix(label)) if base_prefix(label) else None
            if prefix is not None:
                context.subject = prefix
            if kind == "previous":
                context.previous = (yuan, printed)
                continue
            context.budgeted = (yuan, printed, context.subject)
            if subject is None or not subject.startswith("three_public"):
                continue  # a budget figure no table of the accounts holds
        if subject is None and _restates(label) and context.subject is not None:
            subject = _qualified(context.subject, label)
        if subject is None:
            continue
        if subject.startswith(("item:", "code:", "class:", "three_public")):
            context.subject = subject.split("|")[0] if subject.startswith("three_public") else subject
        scope = scope or subject
        last = subject
        out.add(
            kind="amount",
            subject=subject,
            value=value,
            unit=unit,
            amount_yuan=yuan,
            value_text=printed,
            quote=quote,
            page=sentence.page,
        )


_RESTATES = re.compile(r"(?:预算安排|支出决算|决算数?|决算支出)$")


def _restates(label: str) -> bool:
    """``2024年预算安排``, ``支出决算为``: the figure of what the context is about."""
    text = re.sub(r"(?:为|是)$", "", key(label))
    return bool(_RESTATES.search(text)) and len(text) <= 14


def _qualified(subject: str, label: str) -> str:
    if subject.startswith("three_public") and "决算" in label:
        return subject.split("|")[0] + "|决算数"
    return subject


def _percent(
    label: str,
    value: Decimal,
    printed: str,
    context: _Context,
    scope: str | None,
    last: str | None,
    last_change: tuple[Decimal, str | None] | None,
    quote: str,
    page: int | None,
    out: _Out,
) -> None:
    text = key(label)
    share = _SHARE.search(text)
    if share is not None:
        whole = subject_of(share.group(1)) if share.group(1) else None
        part = last
        whole = whole or (scope if scope != part else None)
        if part is not None and whole is not None and part != whole:
            out.add(
                kind="share",
                subject=part,
                of_subject=whole,
                value=value,
                unit="%",
                value_text=printed,
                quote=quote,
                page=page,
            )
        return
    completion = _COMPLETION.search(text)
    if completion is not None:
        subject = last or context.subject
        budgeted = context.budgeted
        if subject is not None and budgeted is not None and _base_of(subject) == _base_of(budgeted[2]):
            subject = _qualified(subject, "决算") if subject.startswith("three_public") else subject
            out.add(
                kind="completion",
                subject=subject,
                value=value,
                unit="%",
                base_yuan=budgeted[0],
                value_text=printed,
                quote=quote,
                page=page,
            )
        return
    down = any(text.endswith(w) or text.endswith(w + "了") for w in _DOWN)
    up = any(text.endswith(w) or text.endswith(w + "了") for w in _UP)
    if not (down or up):
        return
    signed = -value if down else value
    subject = context.subject if "执行数" in text or last is None else last
    if "执行数" in text and context.previous is not None and subject is not None:
        out.add(
            kind="change",
            subject=subject,
            value=signed,
            unit="%",
            base_yuan=context.previous[0],
            value_text=printed,
            quote=quote,
            page=page,
        )
    elif last_change is not None and last_change[1] is not None:
        out.add(
            kind="change",
            subject=last_change[1],
            value=signed,
            unit="%",
            amount_yuan=last_change[0],
            value_text=printed,
            quote=quote,
            page=page,
        )


def _base_of(subject: str | None) -> str | None:
    return subject.split("|")[0] if subject else None


def text_lines(blocks: Sequence[Block], skip: set[int]) -> list[Line]:
    """The running-text lines, less those at the ``skip`` indexes (tables' titles and notes)."""
    return [b for i, b in enumerate(blocks) if isinstance(b, Line) and i not in skip]
