"""A hostile-input corpus, generated on demand (nothing binary is committed).

``python -m tests.hostile FOLDER`` writes it; tests call :func:`make_corpus`.
Every entry says what a person should read in its ``documents`` row: the
status it must end with and a piece of its one-line reason. Big files are
sparse or made from repeated compressed blocks, so the whole corpus takes a
second or two to write and a few MB of disk.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpers.truth import SEED

SEED_TEXT = SEED / "000_4ea89972e077d80e.txt"
SEED_PDF = SEED / "seed-ruled.pdf"


@dataclass(frozen=True)
class Expect:
    statuses: tuple[str, ...]
    """Acceptable final statuses (``failed`` unless the file is only oddly named or encoded)."""
    reason: str = ""
    """A piece of the one-line reason (case-insensitive); empty: any reason, or none for ``loaded``."""


FAILED = ("failed",)
LOADED = ("loaded",)


# --- hand-made PDFs ---------------------------------------------------------------


def pdf(objects: list[bytes], *, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF whose object ``n`` is ``objects[n-1]``, with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", *, compress: bool = False) -> bytes:
    if compress:
        data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(content: bytes, resources: bytes = b"<< >>", media_box: bytes = b"[0 0 595 842]") -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources %s /Contents 4 0 R >>"
            % (media_box, resources),
            content,
        ]
    )


def page_bomb(pages: int) -> bytes:
    """Tens of thousands of (empty) pages sharing one content stream."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        stream(b"BT ET"),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * pages
    return pdf(objects)


def page_count_claim(count: int) -> bytes:
    """A page tree that claims ``count`` pages but holds one."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(b"BT /F1 12 Tf 72 720 Td (hello) Tj ET"),
        ]
    )


def huge_image_page() -> bytes:
    """One page 200 inches square holding a 32768 x 32768 grey image (1 GB decoded)."""
    side = 32_768
    pixels = repeated_deflate(side * side)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(pixels))
        + pixels
        + b"\nendstream"
    )
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] "
            b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
            stream(b"q 14400 0 0 14400 0 0 cm /Im1 Do Q"),
            image,
        ]
    )


def deep_nesting(depth: int) -> bytes:
    """An array nested ``depth`` deep in the page's resources, a dictionary as deep in the catalog."""
    arrays = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * depth + b"1" + b" >>" * depth
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Deep %s >> /Contents 4 0 R >>" % arrays,
            stream(b"BT /F1 12 Tf 72 720 Td (deep) Tj ET"),
            dicts,
        ]
    )


def flate_bomb(gigabytes: int) -> bytes:
    """A content stream of a few MB that inflates to ``gigabytes`` GB."""
    data = repeated_deflate(gigabytes << 30)
    return one_page(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")


def operator_flood(count: int) -> bytes:
    """Millions of tiny text-showing operators: slow to interpret, small on disk."""
    content = b"BT /F1 1 Tf " + b"0 1 Td (.) Tj " * count + b"ET"
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    return one_page(stream(content, compress=True), resources=font)


def circular_pages() -> bytes:
    """A page tree whose node lists itself as a kid."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(b"BT ET"),
        ]
    )


def repeated_deflate(size: int, block: int = 1 << 20) -> bytes:
    """A zlib stream of ``size`` zero bytes, built from one flushed block repeated (fast to make)."""
    assert size % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    assert again.compress(bytes(block)) + again.flush(zlib.Z_FULL_FLUSH) == piece
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros
    return b"\x78\xda" + piece * (size // block) + tail + adler.to_bytes(4, "big")


# --- pypdf-made and damaged copies of the seed -------------------------------------


def encrypted(user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(SEED_PDF))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated() -> bytes:
    data = SEED_PDF.read_bytes()
    return data[: len(data) // 3]


def broken_xref() -> bytes:
    """The seed PDF with every xref offset and ``startxref`` pointing to the wrong place."""
    import re

    data = SEED_PDF.read_bytes()
    data = re.sub(rb"\d{10} 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(0)[:10]) + 7), data)
    return re.sub(rb"startxref\s+\d+", b"startxref\n999999999", data)


def png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


# --- text --------------------------------------------------------------------------


def seed_text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


def mixed_encodings() -> bytes:
    lines = seed_text().splitlines(keepends=True)
    half = len(lines) // 2
    return "".join(lines[:half]).encode("utf-8") + "".join(lines[half:]).encode("gb18030")


def sparse(path: Path, size: int, head: bytes) -> None:
    """A file of ``size`` bytes that costs no disk: ``head`` then a hole."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)


# --- archives ----------------------------------------------------------------------


def zip_bomb() -> bytes:
    """One entry that inflates to 64 MB of zeros (a 1000:1 ratio)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("zeros.txt", "w", force_zip64=True) as entry,
    ):
        chunk = bytes(1 << 20)
        for _ in range(64):
            entry.write(chunk)
    return out.getvalue()


def zip_slip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("../../evil.txt", "escaped")
        zf.writestr("/etc/passwd-copy.txt", "absolute")
        zf.writestr("附件/000.txt", seed_text())
    return out.getvalue()


# --- the corpus --------------------------------------------------------------------

Writer = Callable[[Path], None]


def _bytes(make: Callable[[], bytes]) -> Writer:
    return lambda path: path.write_bytes(make())


LONG_NAME = "很长的文件名" * 13 + ".txt"  # 78 CJK characters: 238 bytes, near the 255-byte limit
GBK_NAME = os.fsdecode("附件3资金表.txt".encode("gbk"))  # not UTF-8: Python keeps surrogate escapes
ODD_NOTE = "会议纪要：本文件没有表格。\n".encode()

CORPUS: dict[str, tuple[Writer, Expect]] = {
    "empty.pdf": (_bytes(lambda: b""), Expect(FAILED, "empty file")),
    "truncated.pdf": (_bytes(truncated), Expect(FAILED, "damaged pdf: the file ends early")),
    "broken-xref.pdf": (_bytes(broken_xref), Expect(("loaded", "partial", "failed"))),
    "encrypted-user-password.pdf": (_bytes(lambda: encrypted("secret", "owner")), Expect(FAILED, "password")),
    "encrypted-owner-only.pdf": (_bytes(lambda: encrypted("", "owner")), Expect(LOADED)),
    "really-a-png.pdf": (_bytes(png), Expect(FAILED, "it is a png image")),
    "really-html.pdf": (
        _bytes(lambda: b"<!DOCTYPE html>\n<html><body><p>404 Not Found</p></body></html>\n"),
        # HTML is a registered format: content wins over the name, and the page holds no table.
        Expect(FAILED, "not a budget attachment"),
    ),
    "page-bomb.pdf": (
        _bytes(lambda: page_bomb(20_000)),
        Expect(FAILED, "20000 pages, over the limit"),
    ),
    "page-count-claim.pdf": (_bytes(lambda: page_count_claim(1_000_000_000)), Expect(FAILED)),
    "huge-image-page.pdf": (_bytes(huge_image_page), Expect(FAILED, "too large to ocr")),
    "deep-nesting.pdf": (_bytes(lambda: deep_nesting(50_000)), Expect(FAILED)),
    "flate-bomb.pdf": (
        _bytes(lambda: flate_bomb(4)),
        Expect(FAILED, "512 MB"),
    ),  # MemoryError, or pdfium aborting under the limit
    "operator-flood.pdf": (
        _bytes(lambda: operator_flood(3_000_000)),
        Expect(FAILED),
    ),  # time or memory limit, whichever comes first
    "circular-pages.pdf": (_bytes(circular_pages), Expect(FAILED)),
    "junk.pdf": (_bytes(lambda: b"%PDF-1.4\n" + os.urandom(1 << 16)), Expect(FAILED)),
    "junk.txt": (_bytes(lambda: os.urandom(1 << 16)), Expect(FAILED)),
    "gb18030-undeclared.txt": (_bytes(lambda: seed_text().encode("gb18030")), Expect(LOADED)),
    "utf16-no-bom.txt": (_bytes(lambda: seed_text().encode("utf-16-le")), Expect(LOADED)),
    "mixed-encodings.txt": (_bytes(mixed_encodings), Expect(("partial", "failed"), "mixed encodings")),
    "huge-200MB.txt": (
        lambda p: sparse(p, 200 << 20, "单位：万元\n".encode()),
        Expect(FAILED, "200 MB, over the 50 MB limit"),
    ),
    "zip-bomb.zip": (_bytes(zip_bomb), Expect(("partial", "failed"), "zip bomb")),
    "zip-slip.zip": (_bytes(zip_slip), Expect(("partial", "failed"), "zip-slip")),
    "  spaces 'single' \"double\" .txt": (_bytes(lambda: ODD_NOTE + b"1"), Expect(FAILED, "not a budget")),
    "中文附件（2021）.txt": (_bytes(lambda: ODD_NOTE + b"2"), Expect(FAILED, "not a budget")),
    "new\nline.txt": (_bytes(lambda: ODD_NOTE + b"3"), Expect(FAILED, "not a budget")),
    "[bold red]markup a|b <script>alert(1)<script> `code` *x*.txt": (
        _bytes(lambda: ODD_NOTE + b"4"),
        Expect(FAILED, "not a budget"),
    ),
    LONG_NAME: (_bytes(lambda: ODD_NOTE + b"5"), Expect(FAILED, "not a budget")),
    GBK_NAME: (_bytes(lambda: ODD_NOTE + b"6"), Expect(FAILED, "not a budget")),
}


def make_corpus(folder: Path, names: list[str] | None = None) -> dict[Path, Expect]:
    """Write the corpus (or the named part of it) into ``folder``; what each file must yield."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names or list(CORPUS):
        write, expect = CORPUS[name]
        path = folder / name
        write(path)
        out[path] = expect
    return out


if __name__ == "__main__":
    for made in make_corpus(Path(sys.argv[1])):
        print(made)
