"""results.json -> results.md: the tables the README's Performance section reproduces."""

from __future__ import annotations

from typing import Any

TARGET_LABELS = {
    ("render", "invoice_5_vs_former_at_most_0_15"):
        "Render: 5-line invoice <= 0.15 x Saleor 3.20's former invoicing plugin (same order, same run)",
    ("render", "rss_growth_under_10_pct"): "Render worker RSS growth < 10 %",
    ("pipeline", "pipeline_efficiency_at_least_0_9"):
        "Pipeline: sustained documents/s >= 0.9 x render-bound ceiling (cores / median render s, same run)",
    ("pipeline", "at_least_8_docs_per_s"): "Pipeline: >= 8 documents/s sustained",
    ("pipeline", "p99_within_10_min"): "Pipeline: p99 event -> accepted <= 10 min",
    ("pipeline", "zero_lost"): "Pipeline: 0 lost",
    ("pipeline", "zero_duplicated"): "Pipeline: 0 duplicated",
    ("api", "api_p95_at_most_25_ms"): "API: p95 <= 25 ms (billingDocuments(first: 50), 100,000 documents)",
    ("api", "query_count_independent_of_page_size"): "API: SQL query count independent of page size",
    ("hooks", "hook_cost_ms_at_most_5"): "Hooks: a paid order's hook path <= 5 ms (median, standalone host)",
    ("einvoice", "einvoice_overhead_at_most_0_5_of_render"):
        "E-invoice: CII build + validation + Factur-X PDF extra <= 0.5 x plain render (5-line invoice)",
}


def _t(summary: dict[str, Any] | None, unit: str = " ms") -> str:
    if not summary:
        return "-"
    return f"{summary['median']:.1f}{unit} ({summary['p10']:.1f}-{summary['p90']:.1f})"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _failed(stage: dict[str, Any] | None) -> str | None:
    if stage is None:
        return "not run"
    if "error" in stage:
        return f"failed: {stage['error'].strip().splitlines()[-1][:200]}"
    return None


def render_section(stage: dict[str, Any]) -> list[str]:
    with_former = any("former_ms" in row for row in stage["subjects"].values())
    rows = []
    for name, row in stage["subjects"].items():
        former_time = former_ratio = []
        if with_former:
            measured = "former_ms" in row
            former_time = [f"{_t(row['former_ms'])}, {row['former_pages']} p." if measured else "-"]
            former_ratio = [f"{row['ours_over_former']['median']:.2f}" if measured else "-"]
        rows.append([name.replace("_", " "), row["pages"], _t(row["ours_ms"]), *former_time, _t(row["naive_ms"]),
                     _t(row["floor_ms"]), *former_ratio, f"{row['ours_over_naive']['median']:.2f}",
                     f"{row['ours_over_floor']['median']:.0f}"])
    former_note = (
        "Former plugin: Saleor 3.20's invoicing plugin as it rendered (its `invoices/invoice.html` and variable "
        "Inter font, `HTML(string=...).write_pdf()`, default settings; invoices only; bench/former.py), the "
        "naive reference of the target. " if with_former else
        "The former-plugin reference was not measured (SAYPRO_BENCH_SALEOR_TEMPLATES unset, see bench/former.py). ")
    lines = ["### Rendering", "",
             "Median ms (p10-p90); ratios are medians of per-round ratios, measured interleaved in the same run. "
             + former_note + "Naive, our HTML: `weasyprint.HTML(string=html).write_pdf()` of our own HTML, default "
             "settings (what our settings alone buy). Floor: a ReportLab canvas drawing the same formatted data.", ""]
    header = ["Document", "Pages", "Ours", *(["Former plugin"] if with_former else []), "Naive, our HTML",
              "ReportLab floor", *(["Ours/former"] if with_former else []), "Ours/naive our HTML", "Ours/floor"]
    lines += _table(header, rows)
    rss = stage.get("rss") or {}
    if "samples_mb" in rss:
        s = rss["samples_mb"]
        lines += [f"Render worker memory over {rss['renders']} renders: RSS {s['10%']['VmRSS']} MB at 10 % -> "
                  f"{s['100%']['VmRSS']} MB at 100 % ({rss['rss_growth_10_to_100_pct']:+.1f} %), "
                  f"peak (VmHWM) {s['100%']['VmHWM']} MB.", ""]
    return lines


def coldstart_section(stage: dict[str, Any]) -> list[str]:
    rows = [[variant, _t(row["to_first_pdf"]), _t(row["import_setup"]), _t(row["warm"]), _t(row["first_render"]),
             _t(row["second_render"])] for variant, row in stage.items() if isinstance(row, dict) and
            "to_first_pdf" in row]
    return ["### Cold start", "", "A new process until its first PDF (5-line invoice); `warm` calls "
            "`rendering.warm()` before the first document, as a worker does at process start.", "",
            *_table(["Process", "Process -> first PDF", "Import + Django setup", "warm()", "First render",
                     "Second render"], rows)]


def pipeline_section(stage: dict[str, Any]) -> list[str]:
    latency = stage.get("latency_s") or {}
    rows = [[stage["orders"], stage["documents"], stage["accepted"], stage.get("sustained_docs_per_s", "-"),
             stage.get("render_bound_ceiling_docs_per_s", "-"), stage.get("efficiency", "-"),
             stage.get("overall_docs_per_s", "-"), latency.get("p50", "-"), latency.get("p95", "-"),
             latency.get("p99", "-"), stage["lost"], stage["duplicated"]]]
    return ["### Pipeline", "",
            f"A burst of paid orders ({stage['burst_orders_per_s']} orders/s: the payment and Saleor's three hooks, "
            "each an event row and one queued task) -> in the workers: snapshot, issue, render, store, email "
            f"accepted by a local SMTP server; Celery worker pool of {stage['worker_concurrency']} processes over "
            "Redis; PostgreSQL. "
            + ("An invoice and a receipt per order. " if stage.get("documents_per_order", 1) == 2
               else "One invoice per order. ")
            + ("Ceiling: CPU cores / median render time of the same document mix, measured in the same run "
               f"({stage['cores']} cores, median render {_t(stage['render_mix_ms'])}); efficiency = sustained / "
               "ceiling." if "render_mix_ms" in stage else ""), "",
            *_table(["Orders", "Documents", "Accepted", "Docs/s sustained", "Render-bound ceiling", "Efficiency",
                     "Docs/s overall", "p50 s", "p95 s", "p99 s", "Lost", "Duplicated"], rows)]


def api_section(stage: dict[str, Any]) -> list[str]:
    rows = [[name.replace("_", " "), row["rows"], f"{row['ms']['p50']:.1f}", f"{row['ms']['p95']:.1f}",
             f"{row['cpu_ms']['p50']:.1f}" if "cpu_ms" in row else "-",
             f"{row['queries_first_10']} / {row['queries_first_50']} / {row['queries_first_100']}"]
            for name, row in stage["cases"].items()]
    return ["### GraphQL API", "",
            f"`billingDocuments` over {stage['documents']:,} documents in PostgreSQL, through the standalone "
            "GraphQL view with Django's test client (signed-in staff user; `me` as a customer). After warm-up the "
            "process collects and freezes its start-up heap, as Saleor's ASGI application does at start.", "",
            *_table(["Query (first: 50)", "Rows", "p50 ms", "p95 ms", "CPU p50 ms (this process)",
                     "SQL queries (first 10 / 50 / 100)"], rows)]


def email_section(stage: dict[str, Any]) -> list[str]:
    return ["### Email", "",
            f"Django's SMTP backend to a local SMTP server, {stage['message_bytes'] / 1000:.0f} KB messages with a "
            "PDF attached, blocks alternating in the same run.", "",
            *_table(["Connection", "Messages/s"],
                    [["one reused", _t(stage["reused_msgs_per_s"], "")],
                     ["new per message", _t(stage["new_each_msgs_per_s"], "")],
                     ["ratio reused/new", f"{stage['reused_over_new_each']['median']:.2f}"]])]


def hooks_section(stage: dict[str, Any]) -> list[str]:
    return ["### Hook cost", "",
            f"What a paid order's request pays for the plugin on the standalone host: {stage['hooks_per_order']} "
            "hooks (paid, fully paid, updated) each record an event row; one task per order is queued to Redis "
            "(no worker running). Per order, in-process wall time.", "",
            *_table(["Orders", "Hook path per order", "SQL queries per order", "Tasks queued", "Issued in request"],
                    [[stage["orders"], _t(stage["hook_path_ms"]), stage["sql_queries_per_order"],
                      stage["tasks_queued"], stage["documents_issued_in_request"]]])]


def einvoice_section(stage: dict[str, Any]) -> list[str]:
    measured = stage.get("measured", {})
    when = f" (measured {measured['date']})" if measured.get("date") else ""
    rows = [[row["name"], *(_t(row["ms"][f"xml_{fmt}"]) for fmt in ("facturx", "xrechnung-cii", "xrechnung-ubl",
                                                                      "peppol-ubl")),
             _t(row["ms"]["pdf_plain"]), _t(row["ms"]["pdf_facturx"]), row["facturx_overhead_over_plain"]]
            for row in stage["documents"]]
    return ["### E-invoices" + when, "",
            "Build + validate (XSD and EN 16931 rules, compiled once per process: "
            f"{stage['rules_compile_seconds']} s) per document, and the Factur-X PDF beside the plain PDF. "
            "Overhead = (CII build + validation + Factur-X PDF - plain PDF) / plain PDF, median of paired rounds.", "",
            *_table(["Document", "Factur-X XML", "XRechnung CII", "XRechnung UBL", "Peppol UBL", "Plain PDF",
                     "Factur-X PDF", "Overhead"], rows)]


SECTIONS = {"render": render_section, "coldstart": coldstart_section, "pipeline": pipeline_section,
            "api": api_section, "email": email_section, "hooks": hooks_section, "einvoice": einvoice_section}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for stage_name, stage in results["stages"].items():
        for name, target in (stage.get("targets") or {}).items():
            found.append({"stage": stage_name, "name": name, **target})
    return found


def markdown(results: dict[str, Any]) -> str:
    machine, versions = results["machine"], results["versions"]
    lines = [
        f"Measured {results['date']}{' (quick run: smaller counts)' if results['quick'] else ''} on "
        f"{machine['nproc']} cores ({machine['cpu']}), {machine['ram_gb']} GB RAM; load average at start "
        f"{', '.join(str(x) for x in results['load_average_at_start'])}.",
        f"Python {versions['python']}, Django {versions['django']}, WeasyPrint {versions['weasyprint']}, "
        f"Pango {versions['pango']}, Celery {versions['celery']}, PostgreSQL {versions['postgresql']}, "
        f"Redis {versions['redis']}. Produced by `make {'bench-quick' if results['quick'] else 'bench'}` "
        f"({results['total_seconds']:.0f} s).",
        "",
    ]
    for name, section in SECTIONS.items():
        stage = results["stages"].get(name)
        problem = _failed(stage)
        if problem:
            lines += [f"### {name}", "", problem, ""]
            continue
        lines += section(stage)
    rows = []
    for target in targets(results):
        label = TARGET_LABELS.get((target["stage"], target["name"]), f"{target['stage']}: {target['name']}")
        value = target.get("value")
        verdict = "not measured" if target["met"] is None else "met" if target["met"] else "**missed**"
        rows.append([label, "-" if value is None else value, verdict])
    lines += ["### Targets", "", *_table(["Target", "Measured", ""], rows)]
    return "\n".join(lines)
