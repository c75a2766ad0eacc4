"""Text dumps of the seed in every encoding and layout yield the seed's truth records."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscaldoc.extractors.encoding import detect_encoding
from fiscaldoc.pipeline.process import process

from helpers.renderings import SEED_TEXT, as_csv, space_aligned
from helpers.truth import differences

ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",  # with BOM
    "utf-16-le": "utf-16-le",  # no BOM
    "utf-16-be": "utf-16-be",
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
}


def _assert_truth(path: Path) -> None:
    result = process(path)
    assert result.document.status == "loaded", result.document.error
    assert result.document.media_type == "text"
    assert differences(result.records) == []


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_seed_in_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(SEED_TEXT.encode(encoding))
    _assert_truth(path)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encoding_detected(encoding: str) -> None:
    data = SEED_TEXT.encode(encoding)
    assert data.decode(detect_encoding(data)) == SEED_TEXT
    if encoding.startswith("gb"):
        assert detect_encoding(data) == ENCODINGS[encoding]


def test_crlf_and_no_suffix(tmp_path: Path) -> None:
    path = tmp_path / "seed"
    path.write_bytes(SEED_TEXT.replace("\n", "\r\n").encode("gb18030"))
    _assert_truth(path)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_space_aligned(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "seed-aligned.txt"
    path.write_bytes(space_aligned().encode(encoding))
    assert "\t" not in space_aligned()
    _assert_truth(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "seed.csv"
    path.write_bytes(as_csv().encode(encoding))
    assert '"39,000,000"' in as_csv()
    _assert_truth(path)


def test_aligned_columns_by_header() -> None:
    from fiscaldoc.extractors.aligned import split_region

    region = [
        "序号  用款单位      金额（万元）  备注",
        "1     省自然资源厅           300  厅本级",
        "2                           1200",
        "      总计                  1500",
    ]
    assert split_region(region) == [
        ["序号", "用款单位", "金额（万元）", "备注"],
        ["1", "省自然资源厅", "300", "厅本级"],
        ["2", "", "1200", ""],
        ["", "总计", "1500", ""],
    ]


def test_prose_with_single_spaces_is_not_a_table(tmp_path: Path) -> None:
    from fiscaldoc.extractors.text import to_blocks
    from fiscaldoc.model.document import Line

    blocks = to_blocks("附件 8\n\n2021 年国土空间规划专项资金分配方案\n- 备注：1. 本表的填报主体。\n")
    assert all(isinstance(b, Line) for b in blocks) and len(blocks) == 3


@pytest.mark.parametrize("text", ["金额", "序号\t用款单位\t金额\n", "项目名称\t某项目\n"])
def test_short_gbk_is_not_big5(text: str) -> None:
    data = text.encode("gbk")
    assert data.decode(detect_encoding(data)) == text


def test_letter_spaced_title_stays_text() -> None:
    from fiscaldoc.extractors.text import to_blocks
    from fiscaldoc.model.document import Line

    blocks = to_blocks("附  件  8\n\n分  配  方  案\n")
    assert [b.text for b in blocks if isinstance(b, Line)] == ["附  件  8", "分  配  方  案"]


def test_space_header_over_tab_rows(tmp_path: Path) -> None:
    lines = SEED_TEXT.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("序号\t"))
    lines[header] = lines[header].replace("\t", "   ")
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    _assert_truth(path)
