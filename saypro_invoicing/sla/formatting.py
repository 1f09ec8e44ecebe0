"""The SLA report as text: an aligned table (terminal, email body), CSV rows, JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .report import SlaReport


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows(report: SlaReport) -> list[tuple[str, str, str]]:
    """(section, metric, value) for every figure, in reading order."""
    out: list[tuple[str, str, str]] = [
        ("period", "channel", report.channel or "all"),
        ("period", "start", report.start.isoformat()),
        ("period", "end (exclusive)", report.end.isoformat()),
        ("period", "generated at", report.generated_at.isoformat()),
        ("orders", "at invoice trigger", str(report.orders_at_trigger)),
        ("orders", "at trigger without invoice", str(report.orders_at_trigger_without_invoice)),
    ]
    for figures in (report.invoices, report.receipts):
        section = figures.type + "s"
        for name in ("documents", "issued", "held_for_review", "due", "delivered_within_24h", "missed", "pending",
                     "percent_within_24h"):
            out.append((section, name.replace("_", " "), _value(getattr(figures, name))))
    for name in ("count", "average_seconds", "p50_seconds", "p95_seconds", "max_seconds"):
        out.append(("delivery time", name.replace("_", " "), _value(getattr(report.delivery_time, name))))
    for channel in report.delivery_channels:
        for name in ("attempts", "accepted", "bounced", "failed", "deferred", "success_rate", "bounce_rate"):
            out.append((f"delivery {channel.channel}", name.replace("_", " "), _value(getattr(channel, name))))
    for name in ("gate_checks", "passed", "accuracy_rate", "held_for_review", "still_held"):
        out.append(("accuracy", name.replace("_", " "), _value(getattr(report.accuracy, name))))
    for name in ("requested", "resolved", "resolved_within_48h", "open", "percent_resolved_within_48h"):
        out.append(("corrections", name.replace("_", " "), _value(getattr(report.corrections, name))))
    out.append(("reminders", "sent", str(report.reminders_sent)))
    out.append(("unpaid invoices", "as of", report.unpaid_as_of.isoformat()))
    for bucket in report.unpaid_invoices:
        amounts = ", ".join(f"{a.amount} {a.currency}" for a in bucket.amounts)
        out.append(("unpaid invoices", f"{bucket.label} days past due", f"{bucket.count}" + (
            f" ({amounts})" if amounts else "")))
    out.append(("breaches", "total", str(len(report.breaches))))
    for cause in report.breach_causes:
        out.append(("breaches", cause.cause, str(cause.count)))
    for breach in report.breaches:
        out.append(("breach", f"{breach.type} {breach.document_number or breach.document_id}",
                    f"{breach.cause}: order {breach.order_number}, deadline {breach.deadline_at:%Y-%m-%d %H:%M}"))
    out.append(("reconciliation", "mismatches", str(len(report.mismatches))))
    for mismatch in report.mismatches:
        out.append(("mismatch", f"order {mismatch.order_number}",
                    f"{mismatch.kind}: {mismatch.difference} {mismatch.currency} (total {mismatch.total}, "
                    f"charged {mismatch.charged}, invoiced {mismatch.invoiced}, receipted {mismatch.receipted}, "
                    f"refunded {mismatch.refunded}, credited {mismatch.credited})"))
    return out


def as_table(report: SlaReport) -> str:
    table = rows(report)
    width = max(len(f"{section} / {metric}") for section, metric, _v in table)
    lines = [f"{section + ' / ' + metric:<{width}}  {value}" for section, metric, value in table]
    return "\n".join(lines + ["", "Definition: " + report.definition])


def as_csv(report: SlaReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "metric", "value"])
    writer.writerows(rows(report))
    return buffer.getvalue()


def as_json(report: SlaReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


FORMATS = {"table": as_table, "csv": as_csv, "json": as_json}
