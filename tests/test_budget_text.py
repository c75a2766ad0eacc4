"""The 说明's figures read as statements: what each one is of, from the words before it.

The sentences are the real disclosures' (budgets 2024–2026, final accounts 2024), some
rephrased the way other units write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiscaldoc.lexicon.budget_phrases import subject_of
from fiscaldoc.model.document import Line
from fiscaldoc.normalizers.budget_text import statements


def _read(*texts: str) -> list[tuple[str, str, str | None, Decimal | None]]:
    lines = [Line(t, page=6) for t in texts]
    return [(s.kind, s.subject, s.value_text, s.base_yuan) for s in statements(lines, "doc")]


@pytest.mark.parametrize(
    ("label", "subject"),
    [
        ("2024年，上海市普陀区人民政府万里街道办事处收入预算", "income_total"),
        ("其中：财政拨款收入", "income:财政拨款"),
        ("事业单位经营收入", "income:事业单位经营收入"),
        ("财政拨款支出预算中，一般公共预算拨款支出预算", "general_public"),
        ("政府性基金拨款支出预算", "gov_fund"),
        ("上海市普陀区财政局2024年度收入支出总计", "grand_total"),
        ("2024年度收入、支出决算总计", "grand_total"),
        ("财政拨款收入支出总计", "fiscal_grand_total"),
        ("一般公共预算财政拨款基本支出", "general_public_basic"),
        (
            "1.“一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”",
            "item:一般公共服务支出/统计信息事务/专项普查活动",
        ),
        (
            "“社会保障和就业支出-行政事业单位养老支出-行政单位离退休”科目",
            "item:社会保障和就业支出/行政事业单位养老支出/行政单位离退休",
        ),
        ("1、公共安全支出（204类）司法（06款）行政运行（01项）", "code:2040601"),
        ("主要用于以下方面：一般公共服务支出（类）", "class:一般公共服务支出"),
        ("2024年“三公”经费预算数为", "three_public:合计|预算数"),
        ("因公出国（境）费决算为", "three_public:因公出国(境)费|决算数"),
        ("公务用车购置及运行维护费支出决算为", "three_public:公务用车购置及运行费|决算数"),
        ("下属1家机关和1家参公事业单位财政拨款的机关运行经费预算为", "agency_running"),
        ("政府采购预算", None),
        ("编报绩效目标的项目50个，涉及项目预算资金", None),
        ("比2024年预算减少", None),
    ],
)
def test_subject_from_the_words_before_a_figure(label: str, subject: str | None) -> None:
    assert subject_of(label) == subject


def test_an_item_is_the_context_of_the_sentences_after_it() -> None:
    found = _read(
        "31. “住房保障支出（类）住房改革支出（款）住房公积金（项）”350.35万元，主要用于住房公积金。",
        "2023年当年预算执行数为",
        "348.52万元，2024年预算安排352.67万元，比2023年预算执行数增加0.53%。主要原因是：住房公积金经费增加。",
    )
    item = "item:住房保障支出/住房改革支出/住房公积金"
    assert found == [
        ("amount", item, "350.35万元", None),
        ("amount", item, "352.67万元", None),
        ("change", item, "0.53%", Decimal("3485200.00")),
    ]


def test_shares_changes_and_completion_rates() -> None:
    found = _read(
        "一、收入支出决算总体情况说明",
        "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入支出总计减少56.95万元，下降1.87%。",
        "本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；其他收入6.2万元，占0.21%；",
        "一般公共预算财政拨款支出年初预算为2993.92万元，支出决算为2940.05万元，完成年初预算的98.20%。",
    )
    assert ("change", "grand_total", "1.87%", None) in found
    assert ("share", "income:财政拨款", "99.79%", None) in found
    assert ("completion", "general_public", "98.20%", Decimal("29939200.00")) in found
    assert ("amount", "general_public", "2940.05万元", None) in found  # 支出决算为: the context's figure
    assert not any(
        s == "general_public" and v == "2993.92万元" for _, s, v, _ in found
    )  # a budget, no table's


def test_words_before_a_colon_and_an_unfinished_unit() -> None:
    found = _read(
        "（一）“教育支出（类）普通教育（款）小学教育（项）”：120.00万元。",
        "3、公务接待费支出0.39万元。其中：国内公务接待支出0.39万（含外宾接待支出0.00万元）。",
    )
    assert found[0] == ("amount", "item:教育支出/普通教育/小学教育", "120.00万元", None)
    assert [s for _, s, _, _ in found[1:]] == ["three_public:公务接待费", "three_public:公务接待费"]


def test_a_sentence_naming_no_table_figure_gives_nothing() -> None:
    assert _read("2024年本部门政府采购预算1662.44万元，其中：政府采购货物预算93.98万元。") == []
    assert _read("截至2023年8月31日，共有车辆7辆；单价100万元（含）以上设备0台（套）。") == []
