"""Item F1 against the corpus' truth.

An item is (file, 序号, 用款单位, 项目内容, 金额, 备注), compared the contract's way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from fiscaldoc.lexicon.text import key

ItemKey = tuple[str, int | None, str, str, Decimal, str]


def item_key(
    file: str, seq: int | None, recipient: str, project: str, amount: Any, note: str | None
) -> ItemKey:
    return (file, seq, key(recipient), key(project), Decimal(str(amount)).normalize(), key(note))


def truth_keys(truth: list[dict[str, Any]]) -> list[ItemKey]:
    return [
        item_key(doc["file"], i["seq"], i["recipient"], i["project"], i["amount_yuan"], i["note"])
        for doc in truth
        for i in doc["items"]
    ]


def f1(got: Iterable[ItemKey], want: Iterable[ItemKey]) -> dict[str, float]:
    g, w = Counter(got), Counter(want)
    hit = sum((g & w).values())
    precision = hit / max(1, sum(g.values()))
    recall = hit / max(1, sum(w.values()))
    score = 2 * precision * recall / (precision + recall) if hit else 0.0
    return {"precision": precision, "recall": recall, "f1": score, "items": sum(g.values())}
