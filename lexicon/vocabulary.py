"""The words budget attachments use for their columns, fields and rows.

One vocabulary for the two steps that need it: finding a table or form on a
page (the PDF readers look for header lines and field labels) and
interpreting it (the normalisers give columns and rows their roles). Matching
is done on comparison keys (:func:`fiscaldoc.lexicon.text.key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fiscaldoc.lexicon.numbers import parse_number, unit_in
from fiscaldoc.lexicon.text import key

# Allocation-plan header words per role, most specific first; a header cell takes the
# first role it matches.
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "amount": ("金额", "额度", "资金", "补助", "分配数", "安排数", "预算数", "万元"),
    "note": ("备注", "说明"),
    "recipient": (
        "用款单位",
        "资金使用单位",
        "使用单位",
        "单位名称",
        "项目单位",
        "用款部门",
        "实施单位",
        "承担单位",
        "单位",
        "部门",
        "地区",
        "市县",
    ),
    "project": ("项目内容", "项目名称", "项目", "内容", "用途", "支出"),
}
TOTAL_WORDS = ("总计", "合计", "总额")
SUBTOTAL_WORDS = ("小计",)

# Performance-form field labels (comparison key) → field. A label cell starts with one of the
# words; the longest word that fits wins (项目资金总额 is the total, 项目资金（元） the money block).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称",),
    "project_type": ("项目类型",),
    "project_category": ("项目类别",),
    "project_nature": ("项目性质",),
    "project_level": ("项目等级", "项目级次", "项目层级"),
    "department": ("省级主管部门", "主管部门", "主管单位", "预算部门", "主管部门及代码"),
    "implementing_unit": ("实施单位", "项目实施单位", "执行单位", "项目承担单位"),
    "period": ("实施周期", "项目期限", "执行期限", "项目周期"),
    "start_date": ("计划开始日期", "开始日期", "起始日期", "计划开始时间", "项目开始日期"),
    "end_date": ("计划完成日期", "完成日期", "结束日期", "计划结束日期", "计划完成时间", "项目完成日期"),
    "amount": ("项目金额", "资金情况", "项目资金", "项目总金额", "资金来源", "项目预算"),
    # the money block's own labels (项目资金（元） | 项目资金总额 | … | 年度资金申请总额 | …)
    "money_total": ("总金额", "项目资金总额", "资金总额", "项目总预算", "项目总额"),
    "money_annual": (
        "年度金额",
        "年度资金申请总额",
        "年度资金总额",
        "年度申请金额",
        "年度预算",
        "当年金额",
        "本年金额",
    ),
    "money_fiscal": ("财政资金", "财政拨款", "财政性资金"),
    "money_other": ("其他资金", "其它资金", "自筹资金"),
    "money_current": ("当年财政拨款", "本年财政拨款", "当年财政资金"),
    "money_carryover": ("上年结转资金", "上年结转", "结转资金", "以前年度结转"),
    "basis": ("设立依据", "立项依据", "项目依据", "政策依据"),
    "overview": ("项目概述", "项目概况", "项目内容", "主要内容", "项目简介"),
    "overall_goal": ("总体绩效目标", "绩效目标", "总体目标", "项目总目标", "长期目标", "项目总体目标"),
    "annual_goal": ("年度总体目标", "年度绩效目标", "年度目标", "当年绩效目标", "本年度绩效目标"),
    "indicators": ("绩效指标",),
}
DATED_LABELS = ("money_annual",)
"""Fields whose label may start with a year (``2021年度金额``)."""
MAX_LABEL_CHARS = 12
"""A field label is short; a longer cell is a value that merely starts like one."""
_LABEL_LEAD = re.compile(r"^(?:其中[:：]?|(?:19|20)\d{2}(?=年))")
"""What a label may carry before its word: ``其中：财政资金``, ``2021年度金额``."""
_LABEL_TAIL = re.compile(r"[(（][^()（）]*[)）]$|[:：]$")
_FORM_TITLE = re.compile(r"绩效目标(?:申报|填报|申请)?表")

# Indicator-grid header words per column.
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标内容", "指标名称"),
    "target": ("目标值", "指标值", "目标", "标准"),
}
INDICATOR_EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "nature": ("指标性质", "指标方向", "指标属性", "计算符号"),
    "unit": ("度量单位", "计量单位", "指标单位", "单位"),
    "weight": ("权重", "分值", "指标分值", "分数"),
}
"""Columns some templates give the comparator, the unit and the weight (项目支出绩效目标表)."""
MAX_INDICATOR_HEADER_CHARS = 12

MAX_HEADER_CHARS = 16
"""A header cell is short; a longer cell is data."""
MAX_AMOUNT_HEADER_CHARS = 10
"""An amount header without its unit is short: 项目名称 | 自然资源事务专项资金-… names 资金 but is a value."""
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class AllocationHeader:
    """Which cell of a header row plays which role (None: the table has no such column)."""

    seq: int | None = None
    recipient: int | None = None
    project: int | None = None
    amount: int | None = None
    note: int | None = None
    unit: str | None = None
    """The unit the amount header names (``金额（万元）``), if any."""


def allocation_header(texts: list[str]) -> AllocationHeader | None:
    """The roles of a header row's cells, or None if it is not an allocation header.

    A row with a plain number in a cell is data, not a header: an item whose project names a
    项目 and whose note says 合计 … 万元 would otherwise pass for a repeated header and be lost.
    """
    if any(parse_number(text) is not None for text in texts if text.strip()):
        return None
    # (length of the word matched, role's rank, cell): the longest word decides a cell's role
    # (资金使用单位 names the recipient, though it holds 资金), then the role order, then the
    # leftmost cell; each role and each cell is taken once.
    candidates: list[tuple[int, int, int, str]] = []
    for index, cell in enumerate(texts):
        text = key(cell)
        if not text or len(text) > MAX_HEADER_CHARS:
            continue
        for rank, (role, words) in enumerate(COLUMN_WORDS.items()):
            if role == "seq" and text not in words:
                continue
            if role == "amount" and len(_BRACKETED.sub("", text)) > MAX_AMOUNT_HEADER_CHARS:
                continue
            longest = max((len(w) for w in words if w in text), default=0)
            if longest:
                candidates.append((-longest, rank, index, role))
    roles: dict[str, int] = {}
    for _, _, index, role in sorted(candidates):
        if role not in roles and index not in roles.values():
            roles[role] = index
    if "amount" not in roles or ("recipient" not in roles and "project" not in roles):
        return None
    return AllocationHeader(unit=unit_in(key(texts[roles["amount"]])), **roles)


def field_of(label: str) -> str | None:
    """The form field a label cell names (``项目名称`` → ``project_name``), if any.

    Matching is on the comparison key (letter spacing, wraps and full width do not matter);
    ``其中：`` and a leading year (``2021年度金额``) are set aside, and the longest label word
    that the cell starts with decides.
    """
    return label_parts(label)[0]


@lru_cache(maxsize=8192)  # pure in a string; asked for every cell of every reading
def label_parts(label: str) -> tuple[str | None, str]:
    """The field a label names and what follows its word (``项目资金（万元）`` → ``（万元）``)."""
    text = key(label)
    if not text or len(text) > MAX_LABEL_CHARS or _FORM_TITLE.search(text):
        return None, text
    stripped = _LABEL_LEAD.sub("", text)
    dated = stripped != text and not text.startswith("其中")
    best: tuple[int, str] | None = None
    for name, words in FIELD_LABELS.items():
        if dated and name not in DATED_LABELS:
            continue  # 2021年度目标 heads a paragraph of the goal; 2021年度金额 is a label
        for word in words:
            if stripped.startswith(word) and (best is None or len(word) > best[0]):
                best = (len(word), name)
    return (best[1], stripped[best[0] :]) if best else (None, stripped)


@lru_cache(maxsize=8192)  # pure in a string; asked for every cell of every reading
def is_label_start(text: str) -> bool:
    """The first part of a label cut by a wrap (``项目名``, ``年度总体``, ``主管部门及``)."""
    k = _LABEL_LEAD.sub("", key(text))
    return bool(k) and any(w.startswith(k) or k.startswith(w) for ws in FIELD_LABELS.values() for w in ws)


_LEVEL_WORDS = ("产出指标", "效益指标", "满意度指标", "成本指标", "一级指标", "二级指标", "三级指标")


@lru_cache(maxsize=8192)  # pure in a string; asked for every cell of every reading
def part_of_a_word(text: str) -> bool:
    """Part of a form label, an indicator-grid header word or a level name: what a
    letter-spaced word cut into characters can be rejoined into (``三 级 指``, ``日 期`` …)."""
    k = key(text)
    words = [
        *(w for ws in FIELD_LABELS.values() for w in ws),
        *(w for ws in INDICATOR_COLUMNS.values() for w in ws),
        *(w for ws in INDICATOR_EXTRA_COLUMNS.values() for w in ws),
        *_LEVEL_WORDS,
    ]
    return bool(k) and any(k in w for w in words)


def is_complete_label(label: str) -> bool:
    """A label with nothing after its word but a bracketed unit or a colon (``主管部门及`` is cut
    short, ``项目资金（万元）`` is whole)."""
    name, rest = label_parts(label)
    return name is not None and (not rest or _LABEL_TAIL.fullmatch(rest) is not None)


def is_form_title(text: str) -> bool:
    """A performance form's title line (``绩效目标申报表``, ``财政项目支出绩效目标填报表``, …)."""
    k = key(text)
    return bool(_FORM_TITLE.search(k)) and len(k) <= 40 and "：" not in k[:6]


def indicator_columns(texts: list[str]) -> dict[str, int]:
    """Which cell of an indicator-grid header names which column (``level1`` … ``target``)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(texts):
        text = key(cell)
        for name, words in INDICATOR_COLUMNS.items():
            if name not in found and any(w in text for w in words):
                found[name] = index
                break
    return found


# Department/unit budgets and final accounts (部门预算, 单位预算, 部门决算). -----------------
#
# A standard table's kind comes from its title, read by meaning: the first rule whose words all
# occur (and whose excluded words do not) wins, most specific first, so 财政拨款收支预算总表 is a
# fiscal-grant summary before it is a 收支总表, and 一般公共预算基本支出… an economic table
# before it is a function-classification one.
BUDGET_KIND_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("three_public", ("三公",), ()),
    ("gov_fund", ("政府性基金",), ()),
    ("state_capital", ("国有资本经营",), ()),
    ("general_public_basic_expenditure", ("一般公共预算", "基本支出"), ()),
    ("general_public_basic_expenditure", ("一般公共预算", "经济分类"), ()),
    ("general_public_expenditure", ("一般公共预算", "支出"), ("项目支出",)),
    ("fiscal_grant_summary", ("财政拨款", "收支"), ()),
    ("fiscal_grant_summary", ("财政拨款", "收入支出"), ()),
    ("income_expenditure_summary", ("收支", "总表"), ()),
    ("income_expenditure_summary", ("收入支出", "总表"), ()),
    ("income", ("收入",), ("支出",)),
    ("expenditure", ("支出",), ("收入", "项目支出", "绩效", "采购")),
)
BUDGET_STAGE_WORDS = {"决算": "final", "预算": "budget"}
"""决算 first: a final account's 三公 table title says 预决算."""
BUDGET_TITLE_MAX_CHARS = 60
NOT_BUDGET_TABLES = ("绩效", "分配", "申报")
"""Titles of the other document types (绩效目标表, 资金分配表): their own readers take them."""
BUDGET_TABLE_WORDS = ("科目", "功能分类", "经济分类", "预算数", "决算数", "基本支出", "收入", "支出")
"""Header words of a budget table: a title the kinds do not name starts one only over these."""
_TITLE_TAIL = re.compile(
    r"(?:[(（]?续(?:表)?[0-9一二三四五六七八九十]*[)）]?|[(（]?(?:金额)?单位[:：]?(?:亿元|万元|元)[)）]?)$"
)
_CN_NUMBER = "一二三四五六七八九十"
_TITLE_HEAD = re.compile(
    rf"^(?:附?表\s*[0-9{_CN_NUMBER}]+(?:[-—－][0-9]+)?\s*[:：.、]?|[0-9]+\s*[.．、]|[{_CN_NUMBER}]+\s*、)"
)
_LEADERS = re.compile(r"[…．.·]{3,}|\.{2,}\s*\d+$")
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:!?！？]")
_PART_HEADING = re.compile(r"^第[一二三四五六七八九十0-9]+部分")


def budget_title_key(text: str) -> str | None:
    """A budget table's title as a comparison key (numbering, ``（续）`` removed), or None when
    the text is not one: too long, a sentence, a TOC entry with leader dots, or a name that
    does not end in 表."""
    text = key(text)
    if not text or len(text) > BUDGET_TITLE_MAX_CHARS or _LEADERS.search(text):
        return None
    text = _TITLE_HEAD.sub("", _TITLE_TAIL.sub("", _TITLE_TAIL.sub("", text)))
    if _SENTENCE_PUNCT.search(text) or not text.endswith("表") or _PART_HEADING.match(text):
        return None
    if not any(w in text for w in ("预算", "决算", "三公", "收支", "收入", "支出")):
        return None
    if any(w in text for w in NOT_BUDGET_TABLES):
        return None
    return text


def budget_kind(title_key: str) -> str:
    """The contract's kind for a budget table title (``other`` when no rule fits)."""
    for kind, words, excluded in BUDGET_KIND_RULES:
        if all(w in title_key for w in words) and not any(w in title_key for w in excluded):
            return kind
    return "other"


def budget_stage(text: str) -> str | None:
    """``final`` for 决算, ``budget`` for 预算, None when the text names neither."""
    for word, stage in BUDGET_STAGE_WORDS.items():
        if word in text:
            return stage
    return None


# Header words of the label columns (科目编码, 名称, 行次); a header path holding one of them
# is a label column, never an amount. Exact words match a whole header cell, parts anywhere.
BUDGET_LABEL_EXACT = ("项目", "类", "款", "项", "科目", "名称", "序号", "编码")
BUDGET_LABEL_PARTS = ("科目编码", "科目名称", "功能分类", "经济分类", "名称", "行次", "栏次", "代码")
BUDGET_CODE_WORDS = ("编码", "代码", "类", "款", "项")
BUDGET_ROWNO_WORDS = ("行次", "栏次", "序号")
BUDGET_TOTAL_WORDS = ("总计", "合计", "小计")
_ORDINAL_LABEL = re.compile(rf"^(?:[{_CN_NUMBER}]+、|[(（][{_CN_NUMBER}]+[)）]|\d+\s*[.．、)）])")
_SUB_ORDINAL = re.compile(rf"^(?:[(（][{_CN_NUMBER}]+[)）]|\d+\s*[.．、)）])")


def budget_label_header(text: str) -> bool:
    """A header cell over label columns (项目, 科目编码, 类/款/项, 科目名称, 行次)."""
    k = key(text)
    return k in BUDGET_LABEL_EXACT or any(p in k for p in BUDGET_LABEL_PARTS)


def is_total_label(text: str) -> bool:
    """合计, 总计, 收入总计, 本年支出合计, 人员经费合计 …: a row that totals others."""
    k = key(text)
    return bool(k) and len(k) <= 12 and any(k.endswith(w) for w in BUDGET_TOTAL_WORDS)


def ordinal_level(text: str) -> int | None:
    """1 for a ``一、`` item, 2 for ``1.``/``（一）`` sub-items, None for an unnumbered label."""
    k = key(text)
    if _SUB_ORDINAL.match(k):
        return 2
    if _ORDINAL_LABEL.match(k):
        return 1
    return None


def strip_ordinal(text: str) -> str:
    """The label without its ``一、``/``1.``/``（一）`` numbering, as a comparison key."""
    return _ORDINAL_LABEL.sub("", key(text))


def indicator_column_of(cell: str) -> str | None:
    """The indicator-grid column a header cell names (``level1`` … ``weight``), if any."""
    text = key(cell)
    if (
        not text
        or len(_BRACKETED.sub("", text)) > MAX_INDICATOR_HEADER_CHARS
        or any(ch.isdigit() for ch in text)
    ):
        return None
    for name, words in (*INDICATOR_EXTRA_COLUMNS.items(), *INDICATOR_COLUMNS.items()):
        if any(w in text for w in words):
            if name == "target" and "值" not in text and field_of(text) is not None:
                return None  # 年度总体目标 is a form label, not a target column
            return name
    return None


def indicator_header(texts: list[str]) -> dict[str, int]:
    """Every column an indicator-grid header names, the extra ones included (``nature``,
    ``unit``, ``weight``); empty unless it is a header: short cells naming a level or name
    column and a target column."""
    found: dict[str, int] = {}
    for index, cell in enumerate(texts):
        text = key(cell)
        if not text:
            continue
        if len(_BRACKETED.sub("", text)) > MAX_INDICATOR_HEADER_CHARS or any(ch.isdigit() for ch in text):
            return {}
        name = indicator_column_of(text)
        if name is not None and name not in found:
            found[name] = index
    levels = {"level1", "level2", "level3"} & found.keys()
    if "target" not in found or not levels or len(found) < 3:
        return {}
    return found
