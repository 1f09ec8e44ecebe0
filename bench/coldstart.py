"""Cold start: from a new worker process to its first rendered PDF, with and without warm().

The parent times from spawning the process to the child's report of its first PDF; the child reports its
own phases (Django set-up with the renderer imported, warm(), first and second render). "warm" is what a
worker does at process start (warm() in worker_process_init) before its first task arrives, so its
first_render is what the first customer waits for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .stats import summary

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("cold", "warm")


def child(variant: str) -> None:
    started = time.perf_counter()
    from .env import setup_django

    setup_django()
    from saypro_invoicing.rendering import render_document_pdf, warm

    from . import documents

    content = documents.content("invoice", 5)
    ready = time.perf_counter()
    if variant == "warm":
        warm()
    warmed = time.perf_counter()
    render_document_pdf(content, number="INV-2026-000001")
    first = time.perf_counter()
    render_document_pdf(content, number="INV-2026-000002")
    second = time.perf_counter()
    print(json.dumps({"import_setup": ready - started, "warm": warmed - ready, "first_render": first - warmed,
                      "second_render": second - first}), flush=True)


def spawn(variant: str) -> dict[str, float]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bench.coldstart", variant], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first line is printed right after the second render; the wall time to the first PDF is the
    # spawn-to-report time minus the second render.
    line = process.stdout.readline() if process.stdout else ""
    reported = time.perf_counter()
    _, err = process.communicate()
    if not line:
        raise RuntimeError(f"cold start child failed: {err[-1000:]}")
    phases = json.loads(line)
    phases["to_first_pdf"] = reported - started - phases["second_render"]
    return phases


def run(quick: bool) -> dict[str, Any]:
    repeats = 2 if quick else 10
    spawn("cold")  # page cache: the first process of a run reads the files from disk
    samples: dict[str, list[dict[str, float]]] = {v: [] for v in VARIANTS}
    for _ in range(repeats):
        for variant in VARIANTS:
            samples[variant].append(spawn(variant))
    results: dict[str, Any] = {}
    for variant, runs in samples.items():
        results[variant] = {key: summary([r[key] for r in runs], scale=1000)
                            for key in ("to_first_pdf", "import_setup", "warm", "first_render", "second_render")}
        row = results[variant]
        print(f"  cold start ({variant}): process -> first PDF {row['to_first_pdf']['median']:.0f} ms "
              f"(import+setup {row['import_setup']['median']:.0f}, warm {row['warm']['median']:.0f}, first render "
              f"{row['first_render']['median']:.0f}, second render {row['second_render']['median']:.0f})", flush=True)
    return results


if __name__ == "__main__":
    child(sys.argv[1])
