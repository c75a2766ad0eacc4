"""How a budget disclosure's 说明 names the figures it states.

The words just before a figure (its label: ``收入预算``, ``“三公”经费预算数为``,
``“一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”``) say what it is of. A
label resolves to a *subject*, a short name both the normaliser (which records the
statements) and the checks (which find the table cells a subject means) understand:

| subject | the figure of |
|---|---|
| ``income_total`` / ``expenditure_total`` / ``grand_total`` | the 收支总表's 收入总计 / 支出总计 / 总计 |
| ``income_this_year`` / ``expenditure_this_year`` | its 本年收入(合计) / 本年支出(合计) |
| ``income:<来源>`` | an income source (财政拨款, 事业收入, 其他收入, 年初结转和结余 …) |
| ``fiscal_expenditure`` / ``fiscal_grand_total`` | the 财政拨款 summary's 支出 / 总计 |
| ``general_public`` / ``gov_fund`` / ``state_capital`` | spending of each fund |
| ``basic`` / ``project`` / ``personnel`` / ``public_funds`` | 基本支出, 项目支出, 人员经费, 公用经费 |
| ``general_public_basic`` | 一般公共预算(财政拨款)基本支出 |
| ``three_public:<part>`` (``|预算数`` / ``|决算数``) | a “三公” figure (合计, 因公出国(境)费 …) |
| ``agency_running`` | 机关运行经费 |
| ``class:<名称>`` / ``item:<类>/<款>/<项>`` | a 类 / a 项 of the function classification |
"""

from __future__ import annotations

import re

from fiscaldoc.lexicon.text import key

_FILLER = re.compile(r"(?:为|是|共计|合计为|总计为|达到|达|约)+$")
_QUOTES = re.compile(r"[“”\"'‘’《》]")
_ITEM = re.compile(r"([^“”\"]*?)\((\d{3})?类\)([^“”\"]*?)\((\d{1,2})?款\)([^“”\"]*?)\((\d{1,2})?项\)")
_ITEM_DASHED = re.compile(r"“([^“”]+?)[-—－]([^“”]+?)[-—－]([^“”]+?)”(?:科目)?$")
_CLASS = re.compile(r"([^,.;:“”]{2,20}?)\(类\)$")
_CHANGE = re.compile(r"(?:增加|减少|增长|下降|上升|降低|持平)$")
_PREVIOUS = re.compile(r"(?:预算执行数|执行数|上年预算|上年决算)$")
_BUDGETED = re.compile(r"(?:年初|全年|调整后?)预算数?$")

# Ordered: the first pattern matching the end of a label wins.
_SUBJECTS: tuple[tuple[str, str], ...] = (
    (r"财政拨款收入[、和与]?支出(?:决算|预算)?总计$|财政拨款收支(?:决算|预算)?总计$", "fiscal_grand_total"),
    (r"收入[、和与]?支出(?:决算|预算)?总计$|收支(?:决算|预算)?总计$|收入支出总额$", "grand_total"),
    (r"本年收入合计$|本年收入$", "income_this_year"),
    (r"本年支出合计$|本年支出$", "expenditure_this_year"),
    (
        r"一般公共预算(?:财政)?拨款基本支出(?:预算|决算)?$|一般公共预算基本支出(?:预算|决算)?$",
        "general_public_basic",
    ),
    (r"一般公共预算(?:财政)?拨款(?:支出)?(?:预算|决算)?$|一般公共预算支出(?:预算|决算)?$", "general_public"),
    (r"政府性基金(?:预算)?(?:财政)?拨款(?:支出)?(?:预算|决算)?$|政府性基金预算支出$", "gov_fund"),
    (r"国有资本经营预算(?:财政)?拨款(?:支出)?(?:预算|决算)?$|国有资本经营预算支出$", "state_capital"),
    (r"财政拨款支出(?:预算|决算)?$", "fiscal_expenditure"),
    (r"财政拨款(?:收入)?(?:预算|决算)?$", "income:财政拨款"),
    (r"收入(?:总)?预算(?:总额|总计|数)?$|收入总计$|收入总额$", "income_total"),
    (r"支出(?:总)?预算(?:总额|总计|数)?$|支出总计$|支出总额$", "expenditure_total"),
    (r"事业单位经营收入$", "income:事业单位经营收入"),
    (r"上级补助收入$", "income:上级补助收入"),
    (r"附属单位上缴收入$", "income:附属单位上缴收入"),
    (r"事业收入$", "income:事业收入"),
    (r"经营收入$", "income:经营收入"),
    (r"其他收入$", "income:其他收入"),
    (r"年初结转和结余$|上年结转(?:结余)?$", "income:年初结转和结余"),
    (r"年末结转和结余$|结转下年$", "expenditure:年末结转和结余"),
    (r"机关运行经费(?:支出)?(?:预算数?|决算数?)?$", "agency_running"),
    (r"人员经费$", "personnel"),
    (r"公用经费$", "public_funds"),
    (r"基本支出(?:预算|决算)?$", "basic"),
    (r"项目支出(?:预算|决算)?$", "project"),
)
_COMPILED = tuple((re.compile(p), s) for p, s in _SUBJECTS)

_THREE_PUBLIC_PARTS: tuple[tuple[str, str], ...] = (
    ("公务用车购置及运行", "公务用车购置及运行费"),
    ("公务用车购置费", "公务用车购置费"),
    ("公务用车运行", "公务用车运行费"),
    ("购置费", "公务用车购置费"),
    ("运行费", "公务用车运行费"),
    ("运行维护费", "公务用车运行费"),
    ("因公出国", "因公出国(境)费"),
    ("公务接待", "公务接待费"),
    ("三公", "合计"),
)


def clean_label(label: str) -> str:
    """A label's comparison key without quotes and trailing filler (为, 是, 共计 …)."""
    text = key(label)
    return _FILLER.sub("", text)


def is_change(label: str) -> bool:
    """``比2023年预算减少`` (a change against another year: no table holds it)."""
    return bool(_CHANGE.search(clean_label(label)))


def base_kind(label: str) -> str | None:
    """``previous`` for an earlier year's figure (2023年当年预算执行数为), ``budget`` for the
    budget an outcome is measured against (年初预算为), None otherwise."""
    text = clean_label(label)
    if _PREVIOUS.search(text):
        return "previous"
    if _BUDGETED.search(text) and "安排" not in text:
        return "budget"
    return None


def base_prefix(label: str) -> str:
    """The label without its 年初预算/预算执行数 tail: what the base figure is of."""
    text = clean_label(label)
    return _BUDGETED.sub("", _PREVIOUS.sub("", text))


def item_code(label: str) -> str | None:
    """The 科目编码 a label prints inside its markers: ``公共安全支出（204类）司法（06款）…（01项）``."""
    match = _ITEM.search(key(label))
    if match and match.group(2) and match.group(4) and match.group(6):
        return match.group(2) + match.group(4).zfill(2) + match.group(6).zfill(2)
    return None


def item_path(label: str) -> tuple[str, str, str] | None:
    """(类, 款, 项) names a label quotes: ``“A（类）B（款）C（项）”`` or ``“A-B-C”科目``."""
    text = key(label)
    match = _ITEM.search(text)
    if match:
        first, second, third = (_QUOTES.sub("", match.group(n)) for n in (1, 3, 5))
        return re.sub(r"^[\d.、．]+", "", first), second, third
    match = _ITEM_DASHED.search(text)
    if match:
        return match.group(1), match.group(2), match.group(3)
    return None


def subject_of(label: str) -> str | None:
    """The subject a figure's label names (see the module's table), or None."""
    item = item_path(label)
    text = clean_label(label)
    if item is not None and (text.endswith(("”", "科目")) or re.search(r"\(\d*项\)$", text)):
        code = item_code(label)
        return f"code:{code}" if code else "item:" + "/".join(item)
    plain = _QUOTES.sub("", text)
    match = _CLASS.search(plain)
    if match:
        return "class:" + re.sub(r"^.*[、:]", "", match.group(1))
    if "三公" in plain or any(w in plain for w in ("因公出国", "公务接待", "公务用车")):
        return three_public(plain)
    for pattern, subject in _COMPILED:
        if pattern.search(plain):
            return subject
    return None


def three_public(text: str) -> str | None:
    """``three_public:<part>`` with ``|预算数`` or ``|决算数`` where the label says which."""
    tail = text[-20:]
    part = next((p for w, p in _THREE_PUBLIC_PARTS if w in tail), None)
    if part is None:
        return None
    qualifier = ""
    if "决算" in tail:
        qualifier = "|决算数"
    elif "预算" in tail:
        qualifier = "|预算数"  # a table without 预算数/决算数 columns ignores it
    return f"three_public:{part}{qualifier}"
