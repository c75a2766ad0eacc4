"""Boxes in PDF points (``x0,top,x1,bottom``, origin at the page's top left) and where they
fall on a page image, as shares of the page so the image may be drawn at any size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def parse(cls, text: str | None) -> Box | None:
        """The contract's ``x0,top,x1,bottom`` text; None for a missing or malformed one."""
        if not text:
            return None
        try:
            x0, top, x1, bottom = (float(v) for v in text.split(","))
        except ValueError:
            return None
        if not (x1 >= x0 and bottom >= top):
            return None
        return cls(x0, top, x1, bottom)

    def padded(self, points: float) -> Box:
        return Box(self.x0 - points, self.top - points, self.x1 + points, self.bottom + points)

    def style(self, width: float, height: float) -> str:
        """CSS placing the box over an image of a ``width`` × ``height`` point page, in %."""
        left, top = _share(self.x0, width), _share(self.top, height)
        right, bottom = _share(self.x1, width), _share(self.bottom, height)
        return (
            f"left:{left:.2f}%;top:{top:.2f}%;"
            f"width:{max(right - left, 0.3):.2f}%;height:{max(bottom - top, 0.3):.2f}%"
        )


def _share(value: float, whole: float) -> float:
    return min(max(value / whole * 100 if whole > 0 else 0.0, 0.0), 100.0)


def union(boxes: Iterable[Box]) -> Box | None:
    found = list(boxes)
    if not found:
        return None
    return Box(
        min(b.x0 for b in found),
        min(b.top for b in found),
        max(b.x1 for b in found),
        max(b.bottom for b in found),
    )
