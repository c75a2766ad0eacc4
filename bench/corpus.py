"""A reproducible corpus of allocation-table PDFs, ruled and borderless, with their ground truth.

Each document is one 资金分配方案: label, title, unit line, then a table
(序号 / 用款单位 / 项目内容 / 金额（万元） / 备注) running over 1–N pages with the
header repeated on every page, 用款单位 merged over its group of rows, wrapped
project texts, 合计 notes on a group's first row and a 总计 row at the end.
About half the documents are ruled (every cell boxed); the others draw no line
at all, the layout of many exported attachments. Drawn with reportlab in an
embedded TrueType CJK font (WenQuanYi Micro Hei).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
FONT = "CJK"
SIZE = 10.5
LEADING = 14.0
PAD = 4.0
PAGE_W, PAGE_H = 595.3, 841.9
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.7, 60.0, 60.0
COLS = (("序号", 40.0), ("用款单位", 95.0), ("项目内容", 190.0), ("金额（万元）", 70.0), ("备注", 86.6))

_TOPICS = (
    "国土空间规划",
    "生态保护修复",
    "耕地保护",
    "矿产资源管理",
    "地质灾害防治",
    "自然资源调查监测",
    "不动产登记",
    "海洋经济发展",
    "林业改革发展",
    "水利工程建设",
    "农村人居环境整治",
    "公共卫生服务",
)
_WORK = (
    "专项调查与评估",
    "信息系统建设及运行维护",
    "技术标准研究及制定",
    "试点示范项目实施",
    "监测网络建设",
    "成果数据库建设与更新",
    "实施监督研究",
    "动态巡查及执法监管",
    "规划编制与审查",
    "基础设施改造提升",
    "人员培训及宣传推广",
    "第三方技术服务",
    "应急处置能力建设",
    "设备购置及更新",
)
_PLACES = (
    "省",
    "广州市",
    "深圳市",
    "珠海市",
    "汕头市",
    "佛山市",
    "韶关市",
    "河源市",
    "梅州市",
    "惠州市",
    "汕尾市",
    "东莞市",
    "中山市",
    "江门市",
    "阳江市",
    "湛江市",
    "茂名市",
    "肇庆市",
    "清远市",
    "潮州市",
)
_UNITS = (
    "自然资源局",
    "自然资源厅",
    "国土空间规划院",
    "地质局",
    "林业局",
    "生态环境局",
    "水利局",
    "测绘院",
    "土地调查规划院",
    "海洋综合执法总队",
)


@dataclass
class Item:
    seq: int
    recipient: str
    project: str
    amount: Decimal
    note: str | None = None

    def truth(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "recipient": self.recipient,
            "project": self.project,
            "amount_yuan": f"{self.amount * 10000:.2f}",
            "amount_text": _amount_text(self.amount),
            "note": self.note,
        }


@dataclass
class Doc:
    name: str
    label: str
    title: str
    year: int
    ruled: bool = True
    items: list[Item] = field(default_factory=list)
    pages: int = 0

    def total(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal(0))


def _amount_text(value: Decimal) -> str:
    return f"{value:f}"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = next((p for p in FONT_FILES if Path(p).exists()), None)
        if path is None:
            raise SystemExit("no CJK TrueType font: apt-get install -y fonts-wqy-microhei")
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def _wrap(text: str, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, FONT, SIZE) > width - 2 * PAD:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


_DISTRICTS = ("", "第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十")


def _groups(rng: random.Random) -> list[tuple[str, int]]:
    """(用款单位, rows) — names unique within a document, so a 合计 note sums one group."""
    names = [p + d + u for p in _PLACES for d in _DISTRICTS for u in _UNITS]
    rng.shuffle(names)
    # long documents outgrow the 2,200 names: later rounds get a numbered office
    names += [f"{name}第{n}分部" for n in range(2, 12) for name in names]
    return [(name, rng.choice((1, 1, 2, 3, 4))) for name in names]


def _row_height(texts: list[str], widths: list[float]) -> float:
    return max(len(_wrap(t, w)) or 1 for t, w in zip(texts, widths, strict=True)) * LEADING + 2 * PAD


class _Writer:
    """Lays rows out page by page, merging 用款单位 over a group's rows on each page."""

    def __init__(self, path: Path, ruled: bool) -> None:
        from reportlab.pdfgen.canvas import Canvas

        self.ruled = ruled
        self.canvas = Canvas(str(path), pagesize=(PAGE_W, PAGE_H), pageCompression=1)
        self.canvas.setLineWidth(0.5)
        self.xs = [MARGIN_X]
        for _, w in COLS:
            self.xs.append(self.xs[-1] + w)
        self.widths = [w for _, w in COLS]
        self.pages = 0

    def text(self, x: float, top: float, s: str) -> None:
        self.canvas.setFont(FONT, SIZE)
        self.canvas.drawString(x, PAGE_H - top - SIZE, s)

    def cell_text(self, col: int, top: float, text: str) -> None:
        for n, line in enumerate(_wrap(text, self.widths[col])):
            self.text(self.xs[col] + PAD, top + PAD + n * LEADING + 1.5, line)

    def hline(self, x0: float, x1: float, top: float) -> None:
        if self.ruled:
            self.canvas.line(x0, PAGE_H - top, x1, PAGE_H - top)

    def vline(self, x: float, top: float, bottom: float) -> None:
        if self.ruled:
            self.canvas.line(x, PAGE_H - top, x, PAGE_H - bottom)

    def new_page(self) -> float:
        if self.pages:
            self.canvas.showPage()
        self.pages += 1
        return MARGIN_TOP

    def header(self, top: float) -> float:
        height = _row_height([c for c, _ in COLS], self.widths)
        for col, (name, _) in enumerate(COLS):
            self.cell_text(col, top, name)
        self.hline(self.xs[0], self.xs[-1], top)
        return top + height


def _draw(doc: Doc, rows: list[tuple[Item, bool]], total_row: bool, path: Path, max_pages: int) -> int:
    """Draw; returns how many items fitted in ``max_pages`` (the rest are dropped by the caller)."""
    w = _Writer(path, doc.ruled)
    top = w.new_page()
    w.text(MARGIN_X, top, doc.label)
    w.canvas.setFont(FONT, 16)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    title_w = stringWidth(doc.title, FONT, 16)
    w.canvas.drawString((PAGE_W - title_w) / 2, PAGE_H - top - 40, doc.title)
    w.text(w.xs[-1] - 60, top + 56, "单位：万元")
    top = w.header(top + 74)
    page_table_top = top - _row_height([c for c, _ in COLS], w.widths)
    fitted = 0
    group_top: float | None = None

    def close_page(bottom: float) -> None:
        for x in w.xs:
            w.vline(x, page_table_top, bottom)

    i = 0
    while i < len(rows):
        item, first_of_group = rows[i]
        texts = [str(item.seq), item.recipient, item.project, _amount_text(item.amount), item.note or ""]
        height = _row_height(texts, w.widths)
        if top + height > PAGE_H - MARGIN_BOTTOM:
            w.hline(w.xs[0], w.xs[-1], top)
            close_page(top)
            if w.pages >= max_pages:
                break
            top = w.new_page()
            page_table_top = top
            top = w.header(top)
            group_top = None
        if first_of_group or group_top is None:
            # the group's name opens its merged cell on this page
            w.cell_text(1, top, item.recipient)
            w.hline(w.xs[1], w.xs[2], top)
        w.hline(w.xs[0], w.xs[1], top)
        w.hline(w.xs[2], w.xs[-1], top)
        group_top = top
        for col in (0, 2, 3, 4):
            w.cell_text(col, top, texts[col])
        top += height
        fitted += 1
        i += 1
    if fitted == len(rows) and total_row:
        height = LEADING + 2 * PAD
        if top + height > PAGE_H - MARGIN_BOTTOM and w.pages < max_pages:
            w.hline(w.xs[0], w.xs[-1], top)
            close_page(top)
            top = w.new_page()
            page_table_top = top
            top = w.header(top)
        w.hline(w.xs[0], w.xs[-1], top)
        w.cell_text(1, top, "总计")
        w.cell_text(3, top, _amount_text(doc.total()))
        top += height
    w.hline(w.xs[0], w.xs[-1], top)
    close_page(top)
    w.canvas.save()
    return fitted


def make_doc(n: int, rng: random.Random, max_pages: int, folder: Path, exact: bool = False) -> dict[str, Any]:
    _font()
    year = rng.choice(range(2018, 2025))
    topic = rng.choice(_TOPICS)
    doc = Doc(
        name=f"doc{n:04d}.pdf",
        label=f"附件 {rng.randint(1, 12)}",
        title=f"{year} 年{topic}专项资金分配方案",
        year=year,
        ruled=exact or rng.random() < 0.5,
    )
    pages = max_pages if exact else rng.randint(1, max_pages)
    rows_wanted = max(2, pages * (40 if exact else 20))
    rows: list[tuple[Item, bool]] = []
    seq = 0
    for recipient, size in _groups(rng):
        group = []
        for k in range(size):
            seq += 1
            project = "".join(
                rng.choice(_TOPICS) + rng.choice(_WORK) for _ in range(rng.choice((1, 1, 2, 3)))
            )
            amount = Decimal(rng.randint(5, 5000)) / (Decimal(10) if rng.random() < 0.3 else 1)
            group.append(Item(seq, recipient, project, amount))
            rows.append((group[-1], k == 0))
        if size > 1 and rng.random() < 0.5:
            group[0].note = f"合计 {_amount_text(sum((g.amount for g in group), Decimal(0)))} 万元"
        if len(rows) >= rows_wanted:
            break
    path = folder / doc.name
    doc.items = [item for item, _ in rows]
    fitted = _draw(doc, rows, True, path, pages)
    if fitted < len(rows):  # cut at the page limit: drop the rest and redraw so 总计 fits
        rows = rows[: max(1, fitted - 3)]
        # a note promising a group sum must not outlive the group's cut rows
        last = rows[-1][0].recipient
        for item, _ in rows:
            if item.recipient == last:
                item.note = None
        doc.items = [item for item, _ in rows]
        _draw(doc, rows, True, path, pages + 1)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    doc.pages = len(pdf)
    pdf.close()
    return {
        "file": doc.name,
        "pages": doc.pages,
        "layout": "ruled" if doc.ruled else "borderless",
        "title": doc.title,
        "attachment_label": doc.label,
        "fiscal_year": doc.year,
        "declared_total_yuan": f"{doc.total() * 10000:.2f}",
        "items": [i.truth() for i in doc.items],
    }


def build(folder: Path, docs: int, max_pages: int, seed: int = 7, exact: bool = False) -> Path:
    """Generate (once) and return the corpus folder; ``truth.json`` lists every document.

    ``exact``: every document has ``max_pages`` pages (the memory check's long file).
    """
    target = folder / f"mixed-d{docs}-p{max_pages}-s{seed}{'-exact' if exact else ''}"
    truth_file = target / "truth.json"
    if truth_file.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    truth = [make_doc(n, rng, max_pages, target, exact) for n in range(docs)]
    truth_file.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


TYPICAL_PDF_FORMATS = ("pdf-lines", "pdf-segments", "pdf-rects", "pdf-borderless", "pdf-word", "pdf-sheet")
"""Text-layer PDFs as attachments come: ruled three ways, borderless, exported by Writer and Calc."""
MIXED_FORMATS = (*TYPICAL_PDF_FORMATS, "docx", "text")
LONG_EVERY = 50
"""One document in this many is a long one (20–60 pages of allocation table)."""


def build_typical(folder: Path, docs: int, seed: int = 7, mixed: bool = False) -> Path:
    """A batch as users run them (generated once): mostly 1–5-page attachments (plans and
    performance forms, ``fixtures/adversarial``) of every text-layer kind, and one long
    allocation table in :data:`LONG_EVERY`. ``mixed`` adds DOCX and text dumps to the PDFs.

    ``truth.json`` lists every file with its pages (a DOCX or a text dump counts as one),
    its format and its allocation items, in :func:`build`'s shape."""
    import shutil
    import subprocess
    import sys

    target = folder.resolve() / f"typical{'-mixed' if mixed else ''}-d{docs}-s{seed}"
    truth_file = target / "truth.json"
    if truth_file.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    longs = docs // LONG_EVERY
    formats = ",".join(MIXED_FORMATS if mixed else TYPICAL_PDF_FORMATS)
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    command = [sys.executable, "-m", "adversarial", str(target), "--seed", str(seed)]
    command += ["--count", str(docs - longs), "--formats", formats]
    subprocess.run(command, cwd=fixtures, check=True, stdout=subprocess.DEVNULL)
    truth: list[dict[str, Any]] = []
    for path in sorted(target.glob("*.truth.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        items = [i for plan in doc["allocation_plans"] for i in plan["items"]]
        truth.append(
            {"file": doc["file"], "pages": doc["page_count"] or 1, "layout": doc["format"], "items": items}
        )
    rng = random.Random(seed)
    for n in range(longs):
        truth.append({**make_doc(n, rng, rng.randint(20, 60), target, exact=True), "layout": "long"})
    truth_file.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return target
