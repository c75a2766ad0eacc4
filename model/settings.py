"""Every setting of a run in one typed object, resolved once at start and passed down.

:meth:`Settings.resolve` reads the defaults, then the ``FISCALDOC_*``
environment variables, then explicit overrides (the CLI's options, a flow's
parameters), and rejects a bad value with a one-line :class:`SettingsError`
naming the variable, before any work starts. Nothing deeper in the code reads
the environment: each stage receives the part it needs (:attr:`Settings.reading`
for the extractors, :attr:`Settings.worker` for the isolation workers, …).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any


class SettingsError(ValueError):
    """A setting with a bad value; ``str(e)`` is one line naming the variable or option."""


@dataclass(frozen=True)
class ZipLimits:
    """Zip-bomb guards for archives of attachments."""

    max_entries: int = 10_000
    max_entry_bytes: int = 256 << 20
    max_total_bytes: int = 2 << 30
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1 << 20
    """Entries smaller than this are never refused for their ratio (a page of spaces compresses well)."""


@dataclass(frozen=True)
class ReadingLimits:
    """What an extractor may take on: bounds against hostile or absurd files."""

    max_pages: int = 2000
    """Pages per PDF (the declared count is checked before any page is parsed)."""
    max_text_mb: int = 50
    """Size of a text dump."""
    ocr_budget_s: float | None = 45.0
    """Seconds of OCR per document (scanned pages); past it the rest is not read and the
    document is ``partial``. Below the worker's timeout, so a long scan ends ``partial``, not
    killed."""
    zip: ZipLimits = field(default_factory=ZipLimits)

    @property
    def max_text_bytes(self) -> int:
        return self.max_text_mb << 20


@dataclass(frozen=True)
class WorkerLimits:
    """Limits per document in its isolation worker; ``None`` disables a limit."""

    timeout_s: float | None = 60.0
    memory_mb: int | None = 2048
    """Address space (``RLIMIT_AS``): the backstop against an allocation too fast to watch."""
    rss_mb: int | None = 1024
    """Resident memory, measured every few milliseconds by the ingest: what a worker really uses.
    OCR of a scanned page (onnxruntime's detection on a whole page) peaks near 750 MB."""


@dataclass(frozen=True)
class Settings:
    """One run's settings (see the module docstring; the README lists the variables)."""

    reading: ReadingLimits = field(default_factory=ReadingLimits)
    worker: WorkerLimits = field(default_factory=WorkerLimits)
    load_batch: int = 32
    """Documents per load transaction at most (1: every document commits on its own)."""
    warehouse_wait_s: float = 600.0
    """How long to wait out a DuckDB file held by another ingest, or a PostgreSQL outage."""
    test_crash: str | None = None
    """Tests only: ``point:N`` kills the process the Nth time ``point`` is reached."""

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``FISCALDOC_*`` variables of ``env`` (default: this process'
        environment), then ``overrides`` (``None`` keeps the value below it), validated."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for variable in VARIABLES:
            raw = env.get(variable.name, "").strip()
            if raw:
                values[variable.field] = variable.parse(raw, variable.name)
        for name, value in overrides.items():
            if name not in _OPTION_FIELDS:
                raise TypeError(f"unknown setting {name!r}")
            if value is not None:
                values[_OPTION_FIELDS[name]] = _option(name, value)
        return _ocr_within_timeout(_build(values))


@dataclass(frozen=True)
class Variable:
    """One ``FISCALDOC_*`` environment variable and the setting it fills."""

    name: str
    field: str
    """Dotted path into :class:`Settings` (``worker.timeout_s``)."""
    parse: Callable[[str, str], Any]
    help: str


def _number(kind: type[int] | type[float], minimum: float, zero_disables: bool) -> Callable[[str, str], Any]:
    def parse(raw: str, name: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise SettingsError(f"{name} must be {what}, not {raw!r}") from None
        if zero_disables and value == 0:
            return None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum:g}, not {raw!r}")
        return value

    return parse


def _text(raw: str, name: str) -> str:
    return raw


_SECONDS_OR_NONE = _number(float, 0, True)
_MB_OR_NONE = _number(int, 1, True)
_COUNT = _number(int, 1, False)

VARIABLES: tuple[Variable, ...] = (
    Variable("FISCALDOC_TIMEOUT_S", "worker.timeout_s", _SECONDS_OR_NONE, "seconds per document (0: none)"),
    Variable("FISCALDOC_MEMORY_MB", "worker.memory_mb", _MB_OR_NONE, "MB per document (0: none)"),
    Variable(
        "FISCALDOC_WORKER_RSS_MB", "worker.rss_mb", _MB_OR_NONE, "resident MB per document's worker (0: none)"
    ),
    Variable("FISCALDOC_MAX_PAGES", "reading.max_pages", _COUNT, "pages per PDF"),
    Variable("FISCALDOC_MAX_TEXT_MB", "reading.max_text_mb", _COUNT, "MB per text dump"),
    Variable("FISCALDOC_OCR_BUDGET_S", "reading.ocr_budget_s", _SECONDS_OR_NONE, "OCR seconds per document"),
    Variable("FISCALDOC_ZIP_MAX_ENTRIES", "reading.zip.max_entries", _COUNT, "entries per archive"),
    Variable("FISCALDOC_ZIP_MAX_ENTRY_BYTES", "reading.zip.max_entry_bytes", _COUNT, "bytes per entry"),
    Variable("FISCALDOC_ZIP_MAX_TOTAL_BYTES", "reading.zip.max_total_bytes", _COUNT, "bytes per archive"),
    Variable(
        "FISCALDOC_ZIP_MAX_RATIO", "reading.zip.max_ratio", _number(float, 1, False), "compression ratio"
    ),
    Variable("FISCALDOC_LOAD_BATCH", "load_batch", _COUNT, "documents per load transaction"),
    Variable("FISCALDOC_WAREHOUSE_WAIT_S", "warehouse_wait_s", _number(float, 0, False), "seconds to wait"),
    Variable("FISCALDOC_TEST_CRASH", "test_crash", _text, "tests only: point:N kills the process"),
)

_OPTION_FIELDS = {"timeout_s": "worker.timeout_s", "memory_mb": "worker.memory_mb"}
"""CLI options (``--timeout``, ``--memory-mb``) and flow parameters that override a variable."""
_OPTION_NAMES = {"timeout_s": "--timeout", "memory_mb": "--memory-mb"}


def _option(name: str, value: Any) -> Any:
    variable = next(v for v in VARIABLES if v.field == _OPTION_FIELDS[name])
    return variable.parse(f"{value:g}" if isinstance(value, float) else str(value), _OPTION_NAMES[name])


OCR_SHARE_OF_TIMEOUT = 0.75
"""The OCR budget never exceeds this share of the worker's timeout: the page in progress,
the second opinions and the checks need the rest, or a long scan is killed, not ``partial``."""


def _ocr_within_timeout(settings: Settings) -> Settings:
    timeout, budget = settings.worker.timeout_s, settings.reading.ocr_budget_s
    if timeout is None or (budget is not None and budget <= OCR_SHARE_OF_TIMEOUT * timeout):
        return settings
    reading = replace(settings.reading, ocr_budget_s=round(OCR_SHARE_OF_TIMEOUT * timeout, 1))
    return replace(settings, reading=reading)


def _build(values: dict[str, Any]) -> Settings:
    """A :class:`Settings` with the dotted ``values`` set."""

    def build(cls: type[Any], prefix: str) -> Any:
        current = cls()
        changes: dict[str, Any] = {}
        for f in fields(cls):
            path = f"{prefix}{f.name}"
            nested = getattr(current, f.name)
            if hasattr(nested, "__dataclass_fields__"):
                changes[f.name] = build(type(nested), f"{path}.")
            elif path in values:
                changes[f.name] = values[path]
        return replace(current, **changes)

    settings: Settings = build(Settings, "")
    return settings
