"""One settings object: every FISCALDOC_* variable, validated once, with a one-line error."""

from __future__ import annotations

import pytest

from fiscaldoc.model.settings import VARIABLES, Settings, SettingsError, WorkerLimits, ZipLimits

from helpers.cli import ROOT


def test_defaults_then_environment_then_options() -> None:
    assert Settings.resolve({}) == Settings()
    env = {"FISCALDOC_TIMEOUT_S": "7.5", "FISCALDOC_MEMORY_MB": "300", "FISCALDOC_ZIP_MAX_ENTRIES": "5"}
    settings = Settings.resolve(env)
    assert settings.worker == WorkerLimits(timeout_s=7.5, memory_mb=300)
    assert settings.reading.zip == ZipLimits(max_entries=5)
    assert Settings.resolve(env, timeout_s=3, memory_mb=0).worker == WorkerLimits(3, None)
    assert Settings.resolve(env, timeout_s=None).worker.timeout_s == 7.5, "None keeps the variable"
    assert Settings.resolve({"FISCALDOC_TIMEOUT_S": "0"}).worker.timeout_s is None, "0: no limit"
    assert Settings.resolve({"FISCALDOC_WORKER_RSS_MB": "300"}).worker.rss_mb == 300
    assert Settings.resolve({"FISCALDOC_WORKER_RSS_MB": "0"}).worker.rss_mb is None, "0: no ceiling"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("FISCALDOC_MEMORY_MB", "lots", "FISCALDOC_MEMORY_MB must be a whole number, not 'lots'"),
        ("FISCALDOC_WORKER_RSS_MB", "1.5", "FISCALDOC_WORKER_RSS_MB must be a whole number"),
        ("FISCALDOC_TIMEOUT_S", "-1", "FISCALDOC_TIMEOUT_S must be at least 0"),
        ("FISCALDOC_LOAD_BATCH", "0", "FISCALDOC_LOAD_BATCH must be at least 1"),
        ("FISCALDOC_MAX_PAGES", "2.5", "FISCALDOC_MAX_PAGES must be a whole number"),
        ("FISCALDOC_WAREHOUSE_WAIT_S", "soon", "FISCALDOC_WAREHOUSE_WAIT_S must be a number"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.resolve({name: value})
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_option_names_the_option() -> None:
    with pytest.raises(SettingsError, match="--timeout must be at least 0"):
        Settings.resolve({}, timeout_s=-1)


def test_every_variable_sets_a_field_and_is_documented() -> None:
    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for variable in VARIABLES:
        raw = "1" if variable.name != "FISCALDOC_TEST_CRASH" else "after-commit:1"
        assert Settings.resolve({variable.name: raw}) != Settings(), f"{variable.name} changes nothing"
        assert variable.name in documented, f"{variable.name} is not in docs/operations.md"


def test_the_ocr_budget_stays_under_the_worker_timeout() -> None:
    assert Settings.resolve({}).reading.ocr_budget_s == 45
    assert Settings.resolve({"FISCALDOC_OCR_BUDGET_S": "10"}).reading.ocr_budget_s == 10
    assert Settings.resolve({"FISCALDOC_TIMEOUT_S": "20"}).reading.ocr_budget_s == 15
    assert Settings.resolve({"FISCALDOC_OCR_BUDGET_S": "0"}, timeout_s=20).reading.ocr_budget_s == 15
    unlimited = {"FISCALDOC_OCR_BUDGET_S": "300", "FISCALDOC_TIMEOUT_S": "0"}
    assert Settings.resolve(unlimited).reading.ocr_budget_s == 300
