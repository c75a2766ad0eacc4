"""Accuracy benchmark: an adversarial set nobody tuned on, extracted and scored.

    .venv/bin/python bench/accuracy.py [--seed 20261201] [--count 60] [--workers 2] [--formats …]

Generates (once; cached in the git-ignored ``bench/corpora/``) a set of
fund-allocation plans and performance forms with ``fixtures/adversarial``
(every format: Word-, spreadsheet- and directly drawn PDFs in three grid
styles, borderless PDFs, DOCX, XLSX, text), extracts every file the way
``fiscaldoc extract`` does (isolated workers, the same settings), writes each
result as ``X.json`` and prints the scorer's tables: items, indicators per
template, long text fields, form fields, planted inconsistencies caught, false
alarms, documents loaded with an empty plan or form.

The held-out seed is 20261201: report it, never tune on it. Develop on others.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "corpora"
HELD_OUT_SEED = 20261201


def generate(seed: int, count: int, formats: str | None) -> Path:
    """The set for ``seed``/``count``/``formats``, generated once."""
    name = f"adversarial-s{seed}-n{count}" + (f"-{formats.replace(',', '+')}" if formats else "")
    folder = CACHE / name
    if not (folder / ".complete").exists():
        command = [
            sys.executable,
            "-m",
            "adversarial",
            str(folder),
            "--seed",
            str(seed),
            "--count",
            str(count),
        ]
        if formats:
            command += ["--formats", formats]
        subprocess.run(command, cwd=ROOT / "fixtures", check=True)
        (folder / ".complete").touch()
    return folder


def extract_all(folder: Path, results: Path, workers: int) -> None:
    """Every input of ``folder`` as ``fiscaldoc extract`` prints it, into ``results/X.json``."""
    from fiscaldoc.flows.isolation import process_isolated, warm_up
    from fiscaldoc.model.settings import Settings
    from fiscaldoc.pipeline.process import file_sha256

    settings = Settings.resolve()
    inputs = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".json") and p.name[0] != "."
    )
    warm_up(workers, settings.worker)
    results.mkdir(parents=True, exist_ok=True)

    def one(path: Path) -> None:
        result = process_isolated(path, file_sha256(path), settings)
        tables = {name: [r.model_dump(mode="json") for r in rows] for name, rows in result.tables().items()}
        (results / f"{path.name}.json").write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, inputs))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--formats", help="comma-separated subset of the generator's formats")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fields", action="store_true", help="also print per-field accuracy")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    args = parser.parse_args()
    started = time.monotonic()
    folder = generate(args.seed, args.count, args.formats)
    results = folder.with_name(folder.name + "-results")
    extract_all(folder, results, args.workers)
    sys.path.insert(0, str(ROOT / "fixtures"))
    from adversarial.score.__main__ import main as score

    print(f"seed {args.seed}{' (held out)' if args.seed == HELD_OUT_SEED else ''}: {folder}")
    argv = [str(folder), str(results)] + (["--fields"] if args.fields else [])
    argv += ["--json", str(args.json)] if args.json else []
    score(argv)
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
