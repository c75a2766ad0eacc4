"""pdfplumber's ``extract_text_lines`` and ``extract_words`` for upright characters, faster.

pdfplumber builds a character-by-character text map, then finds lines in it
with a regular expression; for the few characters of one table cell that
machinery costs more than the text. This is the same algorithm with
pdfplumber's defaults (``x_tolerance = y_tolerance = 3``, blanks split words,
ligatures expanded, no layout), step for step:

1. cluster characters into lines by ``top`` (chained within the tolerance),
   sort each line by ``(x0, x1)``;
2. split each line into words at blanks, at a step back, at a gap wider than
   the tolerance, or at a jump in ``top``;
3. cluster the words again by their ``top`` (keeping order) into text lines;
   a line's text is its words joined by one space, its box the box of its
   characters.

Steps 1–2 alone are pdfplumber's ``extract_words`` with its defaults.
``tests/test_textlines.py`` holds both to pdfplumber's output on real pages.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from pdfplumber.utils.clustering import make_cluster_dict
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

Char = dict[str, Any]
_EXPAND: dict[str, str] = dict(LIGATURES)


def _letters(char: Char) -> str:
    text: str = char["text"]
    return _EXPAND.get(text, text)


def _lines_of_chars(chars: list[Char]) -> list[list[Char]]:
    cluster = make_cluster_dict([c["top"] for c in chars], DEFAULT_Y_TOLERANCE)
    ordered = sorted(chars, key=lambda c: cluster[c["top"]])
    return [
        sorted(group, key=lambda c: (c["x0"], c["x1"]))
        for _, group in groupby(ordered, key=lambda c: cluster[c["top"]])
    ]


def _words(line: list[Char]) -> list[list[Char]]:
    words: list[list[Char]] = []
    word: list[Char] = []
    for char in line:
        if char["text"].isspace():
            if word:
                words.append(word)
            word = []
            continue
        if word:
            prev = word[-1]
            if (
                char["x0"] < prev["x0"]
                or char["x0"] > prev["x1"] + DEFAULT_X_TOLERANCE
                or abs(char["top"] - prev["top"]) > DEFAULT_Y_TOLERANCE
            ):
                words.append(word)
                word = []
        word.append(char)
    if word:
        words.append(word)
    return words


def text_lines(chars: list[Char]) -> list[dict[str, Any]]:
    """``[{text, x0, top, x1, bottom}]`` exactly as pdfplumber's
    ``chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False)``
    gives them, for upright characters."""
    words = [w for line in _lines_of_chars(chars) for w in _words(line)]
    if not words:
        return []
    tops = [min(c["top"] for c in w) for w in words]
    cluster = make_cluster_dict(tops, DEFAULT_Y_TOLERANCE)
    out: list[dict[str, Any]] = []
    for _, group in groupby(zip(words, tops, strict=True), key=lambda pair: cluster[pair[1]]):
        line_words = [w for w, _ in group]
        members = [c for w in line_words for c in w]
        out.append(
            {
                "text": " ".join("".join(_letters(c) for c in w) for w in line_words),
                "x0": min(c["x0"] for c in members),
                "top": min(c["top"] for c in members),
                "x1": max(c["x1"] for c in members),
                "bottom": max(c["bottom"] for c in members),
            }
        )
    return out


def words(chars: list[Char]) -> list[dict[str, Any]]:
    """``[{text, x0, x1, top, bottom}]`` as pdfplumber's ``extract_words()`` (defaults) gives
    them, in its order, for upright characters."""
    out: list[dict[str, Any]] = []
    for line in _lines_of_chars(chars) if chars else []:
        for word in _words(line):
            out.append(
                {
                    "text": "".join(_letters(c) for c in word),
                    "x0": min(c["x0"] for c in word),
                    "x1": max(c["x1"] for c in word),
                    "top": min(c["top"] for c in word),
                    "bottom": max(c["bottom"] for c in word),
                }
            )
    return out
