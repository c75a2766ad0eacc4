"""The words budget attachments use for their columns, fields and rows.

One vocabulary for the two steps that need it: finding a table or form on a
page (the PDF readers look for header lines and field labels) and
interpreting it (the normalisers give columns and rows their roles). Matching
is done on comparison keys (:func:`fiscaldoc.lexicon.text.key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

# Performance-form field labels (comparison key) → field; a label starts with one of them.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称",),
    "project_type": ("项目类型", "项目类别"),
    "project_level": ("项目等级", "项目级次", "项目层级"),
    "department": ("省级主管部门", "主管部门", "主管单位", "预算部门"),
    "period": ("实施周期", "项目期限", "执行期限"),
    "amount": ("项目金额", "资金情况", "项目资金", "资金总额", "项目总金额"),
    "basis": ("设立依据", "立项依据", "项目依据"),
    "overview": ("项目概述", "项目概况", "项目内容", "主要内容"),
    "overall_goal": ("总体绩效目标", "年度绩效目标", "绩效目标", "总体目标"),
    "indicators": ("绩效指标",),
}
MAX_LABEL_CHARS = 12
"""A field label is short; a longer cell is a value that merely starts like one."""

# Indicator-grid header words per column.
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "target": ("目标值", "指标值", "目标", "标准"),
}

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
    roles: dict[str, int] = {}
    unit = None
    for index, cell in enumerate(texts):
        text = key(cell)
        if not text or len(text) > MAX_HEADER_CHARS:
            continue
        for role, words in COLUMN_WORDS.items():
            if role in roles or not any(w in text for w in words):
                continue
            if role == "seq" and text not in words:
                continue
            if role == "amount" and len(_BRACKETED.sub("", text)) > MAX_AMOUNT_HEADER_CHARS:
                continue
            roles[role] = index
            if role == "amount":
                unit = unit_in(text)
            break
    if "amount" not in roles or ("recipient" not in roles and "project" not in roles):
        return None
    return AllocationHeader(unit=unit, **roles)


def field_of(label: str) -> str | None:
    """The form field a label cell names (``项目名称`` → ``project_name``), if any."""
    text = key(label)
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    for name, words in FIELD_LABELS.items():
        if any(text.startswith(w) for w in words):
            return name
    return None


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
