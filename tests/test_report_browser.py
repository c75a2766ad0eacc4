"""The review report in a real browser (Debian's headless Chromium): records and highlights
are rendered, a click on an item reaches its box on the page image and a click on the box
comes back, a failed check is found from the index in two clicks, document text stays
text, and the index of a 200-document batch opens in well under 2 s."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from fiscaldoc.report import ReportResult, write_report

from helpers.browser import chromium
from helpers.report_batch import HOSTILE, Batch, make_batch, many, read

pytestmark = pytest.mark.slow  # starts a browser: the full suite's, not the fast tier's

OPEN_LIMIT_S = 2.0


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return make_batch(tmp_path_factory.mktemp("report-browser"))


@pytest.fixture(scope="module")
def report(batch: Batch) -> ReportResult:
    return write_report(batch.url, batch.folder / "out")


@pytest.fixture(scope="module")
def browser() -> Any:
    with chromium() as driver:
        yield driver


def document_url(report: ReportResult, document_id: str, fragment: str = "") -> str:
    path = report.index.parent / "documents" / f"{document_id[:16]}.html"
    return path.resolve().as_uri() + fragment


def in_view(driver: Any, element_id: str) -> bool:
    return bool(
        driver.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight;",
            element_id,
        )
    )


def target_id(driver: Any) -> str:
    return str(driver.execute_script("const t = document.querySelector(':target'); return t ? t.id : '';"))


def test_a_click_on_an_item_reaches_its_box_and_a_click_on_the_box_comes_back(
    batch: Batch, report: ReportResult, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(document_url(report, batch.lost_row))
    page1 = browser.find_element(By.ID, "page-1")
    rows = page1.find_elements(By.CSS_SELECTOR, "tr[id^='rec-i1-']")
    assert [r.get_attribute("id") for r in rows] == [f"rec-i1-{n}" for n in (1, 2, 4, 5, 6)]  # 3 was lost
    assert "生态保护红线落桩定界工作研究及部署" in rows[0].text
    boxes = page1.find_elements(By.CSS_SELECTOR, ".sheet a.box")
    assert len(boxes) == 5 and all(b.size["width"] > 100 for b in boxes)  # drawn over the image
    image = page1.find_element(By.CSS_SELECTOR, ".sheet img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 800
    regions = page1.find_elements(By.CSS_SELECTOR, ".sheet .region.fail")
    assert regions and regions[0].is_displayed()  # the failed checks' frame

    page1.find_element(By.CSS_SELECTOR, "#rec-i1-5 a.to-box").click()
    assert browser.current_url.endswith("#box-i1-5") and target_id(browser) == "box-i1-5"
    assert in_view(browser, "box-i1-5")
    box = browser.find_element(By.ID, "box-i1-5")
    assert box.value_of_css_property("border-top-width") == "3px"  # highlighted
    assert "linked" in browser.find_element(By.ID, "rec-i1-5").get_attribute("class")
    browser.save_screenshot(str(tmp_path / "item-box.png"))
    assert (tmp_path / "item-box.png").stat().st_size > 20_000

    box.click()
    assert browser.current_url.endswith("#rec-i1-5") and target_id(browser) == "rec-i1-5"
    assert in_view(browser, "rec-i1-5")
    assert "linked" in browser.find_element(By.ID, "box-i1-5").get_attribute("class")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_budget_cells_and_the_file_without_pages_link_the_same_way(
    batch: Batch, report: ReportResult, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(document_url(report, batch.budget))
    browser.find_element(By.CSS_SELECTOR, "#rec-l2-3-2 a.to-box").click()
    assert target_id(browser) == "box-l2-3-2" and in_view(browser, "box-l2-3-2")
    browser.find_element(By.ID, "box-l2-3-2").click()
    assert target_id(browser) == "rec-l2-3-2"

    browser.get(document_url(report, batch.docx))
    browser.find_element(By.CSS_SELECTOR, "#rec-i1-5 a.to-box").click()
    assert target_id(browser) == "box-i1-5" and in_view(browser, "box-i1-5")
    row = browser.find_element(By.XPATH, "//a[@id='box-i1-5']/ancestor::tr")
    assert "省土地调查规划院" in row.text


def test_from_the_index_a_failed_check_is_two_clicks_away(report: ReportResult, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(report.index.resolve().as_uri())
    assert len(browser.find_elements(By.CSS_SELECTOR, "#rows tr")) == 6
    Select(browser.find_element(By.ID, "f-rule")).select_by_value("total_matches_items")
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    assert len(rows) == 1 and "seed-ruled-lost-row.pdf" in rows[0].text
    assert "#rule=total_matches_items" in browser.current_url  # the filter survives a reload
    rows[0].find_element(By.LINK_TEXT, "total_matches_items").click()
    check = target_id(browser)
    assert check.startswith("c") and in_view(browser, check)
    callout = browser.find_element(By.ID, check)
    assert "37,000,000.00" in callout.text and "-2,000,000.00" in callout.text
    section = callout.find_element(By.XPATH, "ancestor::section")
    assert section.get_attribute("id") == "page-1"  # beside the page where its rows are
    browser.find_element(By.CSS_SELECTOR, f"a[href='#box-{check}-p1']").click()
    assert target_id(browser) == f"box-{check}-p1" and in_view(browser, f"box-{check}-p1")


def test_document_text_is_shown_as_text_never_run(batch: Batch, report: ReportResult, browser: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for url in (document_url(report, batch.hostile), report.index.resolve().as_uri()):
        browser.get(url)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 (reading it is the check)
        assert browser.execute_script("return document.querySelectorAll('img[src=x]').length") == 0
    browser.get(document_url(report, batch.hostile))
    assert HOSTILE in browser.find_element(By.TAG_NAME, "body").text


def test_the_index_of_200_documents_opens_in_under_two_seconds(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from helpers.truth import SEED

    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    many(url, read(SEED / "seed-ruled.pdf"), 200)
    written = write_report(url, tmp_path / "out")
    assert written.documents == 200
    started = time.perf_counter()
    browser.get(written.index.resolve().as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    elapsed = time.perf_counter() - started
    assert len(rows) == 50 and len(browser.find_elements(By.CSS_SELECTOR, "#pager button")) == 4
    assert elapsed < OPEN_LIMIT_S, f"the index took {elapsed:.2f} s to open"
    loaded = browser.execute_script(
        "const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime;"
    )
    assert loaded < OPEN_LIMIT_S * 1000
    browser.find_element(By.CSS_SELECTOR, "#pager button:nth-child(4)").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#rows tr")) == 50
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "f-status")).select_by_value("failed")
    assert "50 of 200 documents" in browser.find_element(By.ID, "f-count").text
