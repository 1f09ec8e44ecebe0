"""Run the benchmarks: ``python -m bench.run [--quick] [--only render,api] --out bench/results.json``.

Writes the JSON and, next to it, the markdown tables (results.md, or results-quick.md for --quick).
A stage that fails is recorded with its error; the run itself always exits 0: benchmarks report, they
do not gate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

STAGES = ("render", "coldstart", "email", "hooks", "pipeline", "api", "einvoice")
# Stages that need the database (and Redis): they run after it is created and migrated.
DATABASE_STAGES = {"hooks", "pipeline", "api"}
ROOT = Path(__file__).resolve().parent.parent


def run_stage(name: str, quick: bool) -> dict[str, Any]:
    """One stage in a process of its own.

    Stages share nothing but the database: the naive references of the render stage (a new
    FontConfiguration per document, never wholly freed) must not leave their heap to the stages after.
    """
    from .machine import load_average

    load = load_average()
    started = time.perf_counter()
    print(f"[{name}]", flush=True)
    with tempfile.TemporaryDirectory(prefix="saypro-bench-stage-") as folder:
        out = Path(folder) / "stage.json"
        command = [sys.executable, "-m", "bench.run", "--stage", name, "--stage-out", str(out)]
        done = subprocess.run(command + (["--quick"] if quick else []), cwd=ROOT, check=False)
        try:
            result = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            result = {"error": f"the stage process exited with {done.returncode} and wrote no result"}
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average_before"] = load
    return result


def stage_process(name: str, quick: bool, out: Path) -> None:
    """The body of a stage's own process: run it, write its result (or its error) as JSON."""
    from importlib import import_module

    from .env import setup_django

    setup_django()
    try:
        result = import_module(f"bench.{name}").run(quick)
    except Exception:  # noqa: BLE001 - a broken stage is reported, the others still run
        result = {"error": traceback.format_exc()}
        print(f"  {name} failed:\n{result['error']}", flush=True)
    out.write_text(json.dumps(result, default=str), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts; finishes in under 2 minutes")
    parser.add_argument("--only", default="", help=f"comma-separated stages among {', '.join(STAGES)}")
    parser.add_argument("--out", default="bench/results.json")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other stages already in --out (re-measure only the --only stages)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage in this process
    parser.add_argument("--stage-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        stage_process(args.stage, args.quick, Path(args.stage_out))
        return
    stages = [s.strip() for s in args.only.split(",") if s.strip()] or list(STAGES)
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    from .env import ensure_database, setup_django

    setup_django()
    from . import machine, report

    results: dict[str, Any] = {"quick": args.quick, **machine.describe(), "stages": {}}
    if DATABASE_STAGES & set(stages):
        try:
            ensure_database()
        except Exception:  # noqa: BLE001
            error = traceback.format_exc()
            print(f"benchmark database unavailable:\n{error}", flush=True)
            for name in DATABASE_STAGES & set(stages):
                results["stages"][name] = {"error": error}
            stages = [s for s in stages if s not in DATABASE_STAGES]
    for name in stages:
        results["stages"][name] = run_stage(name, args.quick)
    out = Path(args.out)
    if args.merge and out.exists():
        # The earlier run's description (date, machine, versions) stays; each re-measured stage carries its own.
        earlier = json.loads(out.read_text(encoding="utf-8"))
        for name in stages:
            results["stages"][name]["measured"] = {
                key: results[key] for key in ("date", "quick", "load_average_at_start") if key in results}
        merged = sorted(set(earlier.get("merged_stages", [])) | set(stages))
        results = {**earlier, "stages": {**earlier.get("stages", {}), **results["stages"]}, "merged_stages": merged}
    else:
        results["total_seconds"] = round(time.perf_counter() - started, 1)
        results["load_average_at_end"] = machine.load_average()
    results["stages"] = {name: results["stages"][name] for name in STAGES if name in results["stages"]}
    results["targets"] = report.targets(results)

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    markdown = out.with_suffix(".md")
    markdown.write_text(report.markdown(results) + "\n", encoding="utf-8")
    print(f"\nTargets ({results['total_seconds']:.0f} s in all):")
    for target in results["targets"]:
        verdict = "n/a   " if target["met"] is None else "met   " if target["met"] else "MISSED"
        print(f"  {verdict} {target['stage']}: {target['name']} "
              f"(measured {target.get('value')})")
    print(f"Wrote {out} and {markdown}")


if __name__ == "__main__":
    main()
