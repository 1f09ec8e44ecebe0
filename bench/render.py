"""Render benchmark: our renderer vs naive WeasyPrint calls vs a minimal ReportLab drawing, same data, same run.

- ours: ``render_document_pdf`` (shared FontConfiguration, cached stylesheet, asset-only fetcher).
- former (invoices): Saleor 3.20's former invoicing plugin, its template and variable Inter font through
  ``HTML(string=...).write_pdf()`` (bench/former.py): the render this plugin replaces, and the naive
  reference of the target.
- naive: ``weasyprint.HTML(string=<our html with the stylesheet inlined>).write_pdf()``, default settings, so a
  new FontConfiguration per document: what our settings alone buy on identical HTML.
- floor: a ReportLab canvas drawing the same formatted data (built-in Helvetica, no layout engine).

Run as a module with ``--rss N`` it is the render worker of the memory benchmark (a subprocess).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import documents, former
from .stats import interleaved, paired_ratios, summary

ROOT = Path(__file__).resolve().parent.parent
# Our 5-line invoice against the former plugin's render of the same order (issue 14).
FORMER_RATIO_TARGET = 0.15


def naive_html(html: str) -> str:
    """Our HTML made self-contained for a default WeasyPrint call: stylesheet inlined, logo as a file URL."""
    from saypro_invoicing.rendering.fetcher import PLUGIN_ASSETS
    from saypro_invoicing.rendering.pdf import STYLESHEET_PATH

    css = STYLESHEET_PATH.read_text(encoding="utf-8")
    html = html.replace("saypro-asset:", (PLUGIN_ASSETS.as_uri() + "/"))
    return html.replace("<head>", f"<head><style>{css}</style>", 1)


def render_naive(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def render_floor(content: Any, number: str) -> bytes:
    """The least a PDF of this document costs: formatted data drawn on a ReportLab canvas."""
    from django.utils import translation
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from saypro_invoicing.rendering.context import build_context
    from saypro_invoicing.rendering.pdf import document_language

    with translation.override(document_language(content)):
        ctx = build_context(content, number=number)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    left, right, top, bottom = 15 * mm, width - 15 * mm, height - 16 * mm, 18 * mm

    def page_header() -> float:
        pdf.setFont("Helvetica-Bold", 10.5)
        pdf.drawString(left, top, str(ctx["seller"]["name"]))
        pdf.setFont("Helvetica", 8.5)
        y = top - 12
        for line in ctx["seller"]["address"]:
            pdf.drawString(left, y, str(line))
            y -= 11
        pdf.setFont("Helvetica-Bold", 17)
        pdf.drawString(width / 2, top, str(ctx["title"]))
        pdf.setFont("Helvetica", 8.5)
        pdf.drawString(width / 2, top - 20, f"{ctx['number']}  {ctx['issued_on']}  {ctx['order']['number']}")
        for i, line in enumerate(ctx["customer"]["billing"]):
            pdf.drawString(left, y - 20 - 11 * i, str(line))
        return y - 40 - 11 * len(ctx["customer"]["billing"])

    y = page_header()
    for line in ctx["lines"]:
        if y < bottom + 20:
            pdf.showPage()
            y = page_header()
        pdf.setFont("Helvetica", 8.5)
        pdf.drawString(left, y, str(line["name"])[:60])
        pdf.drawString(left + 95 * mm, y, str(line["sku"]))
        pdf.drawRightString(left + 125 * mm, y, line["quantity"])
        pdf.drawRightString(left + 150 * mm, y, line["unit_gross"])
        pdf.drawRightString(right, y, line["total"])
        pdf.line(left, y - 3, right, y - 3)
        y -= 13
    for label, value in ctx["totals"].items():
        if y < bottom + 20:
            pdf.showPage()
            y = top
        pdf.drawString(width / 2, y, label)
        pdf.drawRightString(right, y, value)
        y -= 12
    if ctx["receipt"]:
        pdf.drawString(left, y - 12, f"{ctx['receipt']['amount']} {ctx['receipt']['method']}")
    if ctx["credit"]:
        pdf.drawString(left, y - 12, f"{ctx['credit']['corrects_number']} {ctx['credit']['amount']}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def repeats_for(lines: int, quick: bool) -> tuple[int, int]:
    """(warm-up rounds, measured rounds) by document size."""
    if lines >= 500:
        return (0, 1) if quick else (1, 7)
    if lines >= 50:
        return (1, 2) if quick else (1, 15)
    return (1, 5) if quick else (3, 31)


def bench_subject(name: str, kind: str, lines: int, quick: bool, former_root: Path | None) -> dict[str, Any]:
    from saypro_invoicing.rendering import render_document_html, render_document_pdf

    content = documents.content(kind, lines)
    number = documents.NUMBERS[kind]
    html = naive_html(render_document_html(content, number=number))
    ours_pdf = render_document_pdf(content, number=number)
    warmup, repeats = repeats_for(lines, quick)
    cases = {
        "ours": lambda: render_document_pdf(content, number=number),
        "naive": lambda: render_naive(html),
        "floor": lambda: render_floor(content, number),
    }
    # The former plugin made invoices only; its 500-line invoice (~6 s a render) is left to the full run.
    former_pdf = None
    if former_root is not None and kind == "invoice" and not (quick and lines >= 500):
        former_pdf = former.render_former(content, number, former_root)
        cases["former"] = lambda: former.render_former(content, number, former_root)
    times = interleaved(cases, repeats=repeats, warmup=warmup)
    html_times = interleaved({"html": lambda: render_document_html(content, number=number)},
                             repeats=repeats, warmup=warmup)["html"]
    row = {
        "name": name,
        "lines": lines,
        "pages": page_count(ours_pdf),
        "pdf_bytes": len(ours_pdf),
        "ours_ms": summary(times["ours"], scale=1000),
        "naive_ms": summary(times["naive"], scale=1000),
        "floor_ms": summary(times["floor"], scale=1000),
        "html_template_ms": summary(html_times, scale=1000),
        "ours_over_naive": paired_ratios(times["ours"], times["naive"]),
        "ours_over_floor": paired_ratios(times["ours"], times["floor"]),
    }
    if former_pdf is not None:
        row["former_pages"] = page_count(former_pdf)
        row["former_ms"] = summary(times["former"], scale=1000)
        row["ours_over_former"] = paired_ratios(times["ours"], times["former"])
    return row


# --- memory: a render worker over many documents (subprocess) -----------------------------------


def _memory() -> dict[str, float]:
    fields = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    fields["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {k: round(v, 1) for k, v in fields.items()}


def rss_worker(count: int) -> dict[str, Any]:
    """Render ``count`` documents (invoice, receipt, credit note in turn) in this process, sampling memory."""
    from saypro_invoicing.rendering import render_document_pdf, warm

    warm()
    contents = [(documents.content(kind, 5), prefix) for kind, prefix in
                (("invoice", "INV"), ("receipt", "RCT"), ("credit_note", "CN"))]
    samples = {"start": _memory()}
    marks = {max(1, count * p // 100): f"{p}%" for p in (10, 25, 50, 75, 100)}
    for i in range(1, count + 1):
        content, prefix = contents[i % len(contents)]
        render_document_pdf(content, number=f"{prefix}-2026-{i:06d}")
        if i in marks:
            samples[marks[i]] = _memory()
    at10, at100 = samples["10%"], samples["100%"]
    return {
        "renders": count,
        "samples_mb": samples,
        "rss_growth_10_to_100_pct": round(100 * (at100["VmRSS"] - at10["VmRSS"]) / at10["VmRSS"], 1),
        "peak_growth_10_to_100_pct": round(100 * (at100["VmHWM"] - at10["VmHWM"]) / at10["VmHWM"], 1),
    }


def bench_rss(count: int) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    done = subprocess.run([sys.executable, "-m", "bench.render", "--rss", str(count)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict[str, Any]:
    former_root = former.templates_dir()
    results: dict[str, Any] = {"subjects": {}, "former_plugin": str(former_root) if former_root else None}
    if former_root is None:
        print(f"  former plugin reference not measured: set {former.ENV} (see bench/former.py)", flush=True)
    for name, (kind, lines) in documents.SUBJECTS.items():
        results["subjects"][name] = row = bench_subject(name, kind, lines, quick, former_root)
        former_part = ""
        if "former_ms" in row:
            former_part = (f"  former {row['former_ms']['median']:8.1f} ms"
                           f"  ours/former {row['ours_over_former']['median']:.2f}")
        print(f"  render {name:12s} ours {row['ours_ms']['median']:8.1f} ms  naive {row['naive_ms']['median']:8.1f} ms"
              f"  floor {row['floor_ms']['median']:6.1f} ms  ours/naive {row['ours_over_naive']['median']:.2f}"
              f"  ours/floor {row['ours_over_floor']['median']:.1f}{former_part}", flush=True)
    count = 200 if quick else 2000
    results["rss"] = rss = bench_rss(count)
    if "error" in rss:
        print(f"  render worker memory: failed: {rss['error'][-300:]}", flush=True)
    else:
        print(f"  render worker memory over {count} renders: RSS {rss['samples_mb']['10%']['VmRSS']} MB at 10% -> "
              f"{rss['samples_mb']['100%']['VmRSS']} MB at 100% ({rss['rss_growth_10_to_100_pct']:+.1f}%), peak "
              f"{rss['samples_mb']['100%']['VmHWM']} MB", flush=True)
    invoice_5 = results["subjects"]["invoice_5"]
    # The target's reference is the former plugin's render; without its templates the target is not
    # measured, never measured against another.
    ratio = invoice_5["ours_over_former"]["median"] if "ours_over_former" in invoice_5 else None
    results["targets"] = {
        "invoice_5_vs_former_at_most_0_15": {"value": ratio, "limit": FORMER_RATIO_TARGET,
                                             "met": None if ratio is None else ratio <= FORMER_RATIO_TARGET},
        "rss_growth_under_10_pct": {"value": rss.get("rss_growth_10_to_100_pct"), "limit": 10,
                                    "met": "error" not in rss and rss["rss_growth_10_to_100_pct"] < 10},
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rss", type=int, required=True, help="renders in this worker process")
    args = parser.parse_args()
    from .env import setup_django

    setup_django()
    print(json.dumps(rss_worker(args.rss)))


if __name__ == "__main__":
    main()
