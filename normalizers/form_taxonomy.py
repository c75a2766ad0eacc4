"""The standard indicator taxonomy: level-1 names and the level-1 each level-2 name sits under."""

from __future__ import annotations

from fiscaldoc.lexicon.text import key

LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标")
# 二级 → 一级 where the standard taxonomy is unambiguous (成本指标 is both, so absent).
LEVEL2_PARENT: dict[str, str] = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "环境效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
}
MAX_CATEGORY_CHARS = 12


def is_category(text: str) -> bool:
    """A level name: ends in 指标, short, no digits (``数量指标``, ``服务对象满意度指标``)."""
    k = key(text)
    return k.endswith("指标") and len(k) <= MAX_CATEGORY_CHARS and not any(ch.isdigit() for ch in k)
