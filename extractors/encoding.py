"""Bytes of a text file → text: byte-order marks, strict UTF-8, then charset-normalizer.

No guesswork of our own: a BOM is authoritative, valid UTF-8 (without NUL bytes,
which mean UTF-16 without a BOM) is taken as such, and everything else — GB18030,
GBK, GB2312, UTF-16 without BOM — is charset-normalizer's call. Of the encodings
it finds that fit the bytes, GB18030 is preferred when among them (short GBK text otherwise comes out as
Big5 or CP949, which fit the same bytes); GB2312 and GBK are decoded as
GB18030, their superset, so a rare character cannot fail.
"""

from __future__ import annotations

import codecs

from fiscaldoc.extractors.errors import UnreadableDocument

_BOMS = (
    ("utf-32", b"\xff\xfe\x00\x00"),
    ("utf-32", b"\x00\x00\xfe\xff"),
    ("utf-8-sig", b"\xef\xbb\xbf"),
    ("utf-16", b"\xff\xfe"),
    ("utf-16", b"\xfe\xff"),
)
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030"}
_CHINESE = {"gb18030"}


def detect_encoding(data: bytes) -> str:
    """The codec name that decodes ``data``; raises UnreadableDocument when none fits."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return encoding
    try:
        if b"\x00" not in data:
            data.decode("utf-8")
            return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise UnreadableDocument(_mixed_encodings(data) or "not text: no character encoding fits its bytes")
    chinese = [m for m in matches if _canonical(m.encoding) in _CHINESE and "\x00" not in str(m)]
    return _canonical((chinese[0] if chinese else best).encoding)


def _mixed_encodings(data: bytes) -> str | None:
    """A reason naming the line where valid UTF-8 (with CJK in it) gives way to other bytes."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start]
        if not any(b >= 0x80 for b in good):
            return None  # no UTF-8 text before the break: just not UTF-8
        line = good.count(b"\n") + 1
        return (
            f"mixed encodings: UTF-8 up to line {line}, other bytes from there; "
            "re-save the whole file in one encoding (UTF-8)"
        )
    return None


def _canonical(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _SUPERSET.get(name, name)


def decode(data: bytes) -> str:
    encoding = detect_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not valid {encoding} text: {exc.reason} at byte {exc.start}") from exc
