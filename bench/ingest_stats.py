"""``fiscaldoc ingest`` exactly as the command runs it, in this process, then its summary as JSON.

    python -m bench.ingest_stats OUT.json fiscaldoc-ingest-arguments…

The benchmark's way to read the run's CPU seconds per stage (``Summary.cpu_s``), which the
command itself does not print.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

cli = importlib.import_module("fiscaldoc.cli.app")


def _server_cpu(kept: dict[str, object]) -> None:
    """Note the CPU seconds of Prefect's temporary server just before it is stopped."""
    import psutil

    from fiscaldoc.flows import api

    stop = api.TemporaryApi.stop

    def noting(self: api.TemporaryApi) -> None:
        try:
            times = psutil.Process(self.process.pid).cpu_times()
            kept["server_cpu_s"] = times.user + times.system
        except psutil.Error:
            pass
        stop(self)

    api.TemporaryApi.stop = noting  # type: ignore[method-assign]


def main() -> int:
    import resource

    out = Path(sys.argv[1])
    kept: dict[str, object] = {}
    _server_cpu(kept)
    printed = cli._print_summary

    def keep(summary: object, console: object) -> None:
        kept["summary"] = summary
        printed(summary, console)

    cli._print_summary = keep
    code = 0
    try:
        cli.app(["ingest", *sys.argv[2:]], standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    summary = kept.get("summary")
    if summary is None:
        return code or 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = json.loads(summary.model_dump_json())  # type: ignore[attr-defined]
    figures["ingest_cpu_s"] = usage.ru_utime + usage.ru_stime
    figures["server_cpu_s"] = kept.get("server_cpu_s")
    out.write_text(json.dumps(figures), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
