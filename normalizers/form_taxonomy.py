"""The standard indicator taxonomy: level-1 names and the level-1 each level-2 name sits under."""

from __future__ import annotations

from functools import lru_cache

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


# Words that mark an indicator's name as belonging under a level-2 heading. Only a tie-break
# (where a merged heading printed mid-run fits two partitions equally well).
LEVEL2_HINTS: dict[str, tuple[str, ...]] = {
    "数量指标": ("数量", "人次", "人数", "面积", "里程", "个数", "次数", "户数", "点位"),
    "质量指标": ("合格率", "达标率", "完好率", "实现率", "通过率", "合规", "准确率", "质量"),
    "时效指标": ("及时", "完成时间", "进度", "时限", "按时"),
    "经济成本指标": ("成本", "单价", "费用"),
    "经济效益指标": ("带动", "投资", "产业", "收入"),
    "社会效益指标": ("覆盖", "知晓", "公共服务", "宣传"),
    "生态效益指标": ("生态", "排放", "污染", "红线"),
    "环境效益指标": ("环境", "排放", "污染"),
    "可持续影响指标": ("长效", "年限", "发挥作用", "持续"),
    "服务对象满意度指标": ("满意",),
}


@lru_cache(maxsize=8192)  # pure in a string; asked for every cell of every reading
def hinted_level2(name: str | None) -> tuple[str, ...]:
    """The level-2 headings an indicator's name points at by its words (empty: no hint)."""
    if not name:
        return ()
    k = key(name)
    return tuple(level2 for level2, words in LEVEL2_HINTS.items() if any(w in k for w in words))
