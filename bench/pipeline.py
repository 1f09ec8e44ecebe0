"""Pipeline: a burst of paid orders through issue -> render -> store -> email accepted by a local SMTP server.

Real parts only: PostgreSQL, Redis, a Celery worker pool of 2 processes per core (``celery worker -c N``, its own
process tree), and an SMTP server process that accepts every message and counts attached PDFs by name.

Orders are created first (unpaid, so nothing is issued); the burst is their payments, one after the
other as fast as this process can make them, each followed by the three hooks Saleor calls for a paid
order (``inbox.record``: an event row and one queued task, as the hooks stage measures). Everything
else happens in the workers: snapshot, issuing, render, store, email. The channel issues an invoice
and a receipt per paid order.

Efficiency: the sustained rate divided by the render-bound ceiling, CPU cores / median render seconds
of the same document mix (invoices and receipts of 2 to 5 lines), rendered in this process right
before and right after the burst (workers idle), so that the ceiling sees the machine as the burst did.

Latency of a document: from its event (``event_at``, the payment time) to ``accepted_at`` (the SMTP
server's 250 for its email). Sustained rate: documents accepted between the 10th and the 90th
percentile of acceptance times, divided by that time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .smtp import SMTPServerProcess
from .stats import latency_summary, median, summary

ROOT = Path(__file__).resolve().parent.parent
# Two worker processes per core: a worker waits for PostgreSQL's commits and the SMTP server's replies
# between renders, and a second process per core renders meanwhile (2 per core: 11.3 documents/s in a
# quick run against 5.9 with one per core).
WORKER_CONCURRENCY = int(os.environ.get("SAYPRO_BENCH_WORKERS", "0")) or 2 * len(os.sched_getaffinity(0))


def start_worker(log: Path) -> subprocess.Popen:
    """``celery worker -c 2`` in its own session (so that it and its pool stop together)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    log.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "saypro_invoicing.hosts.sandbox.worker", "worker",
         "-Q", "saypro_invoicing", "-c", str(WORKER_CONCURRENCY), "-P", "prefork", "-n", "bench@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO", f"--logfile={log}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    return process


def wait_ready(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited ({process.returncode}): {tail(log)}")
        if log.exists() and " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    stop_worker(process)
    raise RuntimeError(f"Celery worker not ready after 60 s: {tail(log)}")


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the main process and its pool
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def purge_broker() -> None:
    """Drop what earlier runs may have left in the benchmark's Redis database."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


# A paid order calls for an invoice and a receipt (the channel's defaults), as in a real shop.
DOCS_PER_ORDER = 2
# The hooks a paid order triggers in Saleor (bench/hooks.py measures their cost).
PAID_ORDER_HOOKS = ("order_paid", "order_fully_paid", "order_updated")
EFFICIENCY_TARGET = 0.9


def cores() -> int:
    return len(os.sched_getaffinity(0))


def render_seconds(rounds: int) -> list[float]:
    """Wall seconds of each render of the burst's document mix, in this process, warmed and frozen as a
    worker process is (saypro_invoicing.tasks)."""
    import gc

    from saypro_invoicing.rendering import render_document_pdf, warm

    from . import documents

    warm()
    gc.collect()
    gc.freeze()
    mix = [(documents.content(kind, lines), documents.NUMBERS[kind])
           for lines in (2, 3, 4, 5) for kind in ("invoice", "receipt")]
    times = []
    for _ in range(rounds):
        for content, number in mix:
            started = time.perf_counter()
            render_document_pdf(content, number=number)
            times.append(time.perf_counter() - started)
    gc.unfreeze()
    return times


def pay_burst(order_ids: list[str]) -> None:
    """Each payment, then Saleor's hooks for it: what a shop's requests do; the workers do the rest."""
    from saypro_invoicing import inbox
    from saypro_invoicing.hosts.sandbox import sample

    for order_id in order_ids:
        sample.pay(order_id, notify=False)
        for kind in PAID_ORDER_HOOKS:
            inbox.record(order_id, kind, channel="default-channel")


def create_orders(count: int) -> list[str]:
    from saypro_invoicing.hosts.sandbox import sample

    from . import documents

    ids = []
    for i in range(count):
        order = sample.create_order(lines=documents.lines(2 + i % 4), number=str(300000 + i),
                                    email=f"customer{i}@example.com", notify=False)
        ids.append(str(order.id))
    return ids


def accepted_count() -> int:
    from saypro_invoicing.models import BillingDocument

    return BillingDocument.objects.filter(accepted_at__isnull=False).count()


def wait_for_acceptance(expected: int, *, stall_seconds: float, deadline: float) -> tuple[int, bool]:
    """Poll until every document is accepted, nothing moved for ``stall_seconds``, or the deadline."""
    last, last_change = -1, time.monotonic()
    while True:
        done = accepted_count()
        now = time.monotonic()
        if done != last:
            last, last_change = done, now
        if done >= expected:
            return done, False
        if now - last_change > stall_seconds or now > deadline:
            return done, True
        time.sleep(1.0)


def collect(order_ids: list[str], smtp_stats: dict[str, Any]) -> dict[str, Any]:
    from django.db.models import Count

    from saypro_invoicing.models import BillingDocument, DeliveryAttempt
    from saypro_invoicing.models.delivery import AttemptStatus

    docs = list(BillingDocument.objects.filter(order_id__in=order_ids).values(
        "id", "order_id", "number", "type", "event_at", "created_at", "rendered_at", "accepted_at", "delivery_status"))
    per_order = Counter(d["order_id"] for d in docs)
    accepted = [d for d in docs if d["accepted_at"] is not None]
    sent_twice = (DeliveryAttempt.objects.filter(document__order_id__in=order_ids, status=AttemptStatus.SENT,
                                                 purpose="document")
                  .values("document").annotate(n=Count("id")).filter(n__gt=1).count())
    attachments = smtp_stats.get("attachments", {})
    received_twice = sum(1 for n in attachments.values() if n > 1)
    latencies = [(d["accepted_at"] - d["event_at"]).total_seconds() for d in accepted]
    issue_lag = [(d["created_at"] - d["event_at"]).total_seconds() for d in docs]
    render_lag = [(d["rendered_at"] - d["event_at"]).total_seconds() for d in docs if d["rendered_at"]]
    accepted_times = sorted(d["accepted_at"].timestamp() for d in accepted)
    events = sorted(d["event_at"].timestamp() for d in docs)
    results: dict[str, Any] = {
        "orders": len(order_ids),
        "documents": len(docs),
        "accepted": len(accepted),
        "smtp_messages": smtp_stats.get("messages", 0),
        "smtp_distinct_documents": len(attachments),
        "documents_per_order": DOCS_PER_ORDER,
        "lost_orders_without_document": sum(max(0, DOCS_PER_ORDER - per_order[o]) for o in order_ids),
        "lost_documents_not_accepted": len(docs) - len(accepted),
        "duplicated_documents_per_order": sum(n - DOCS_PER_ORDER for n in per_order.values() if n > DOCS_PER_ORDER),
        "duplicated_accepted_attempts": sent_twice,
        "duplicated_emails_at_server": received_twice,
        "latency_s": latency_summary(latencies, digits=1) if latencies else None,
        "event_to_issued_s": latency_summary(issue_lag, digits=2) if issue_lag else None,
        "event_to_rendered_s": latency_summary(render_lag, digits=1) if render_lag else None,
    }
    results["lost"] = results["lost_orders_without_document"] + results["lost_documents_not_accepted"]
    results["duplicated"] = max(results["duplicated_documents_per_order"] + results["duplicated_accepted_attempts"],
                                results["duplicated_emails_at_server"])
    if len(accepted_times) >= 10:
        low, high = accepted_times[len(accepted_times) // 10], accepted_times[len(accepted_times) * 9 // 10]
        inside = sum(1 for t in accepted_times if low <= t <= high)
        results["sustained_docs_per_s"] = round(inside / (high - low), 2) if high > low else None
        results["overall_docs_per_s"] = round(len(accepted_times) / (accepted_times[-1] - events[0]), 2)
        results["first_event_to_last_accepted_s"] = round(accepted_times[-1] - events[0], 1)
    return results


def run(quick: bool) -> dict[str, Any]:
    from django.conf import settings

    from saypro_invoicing.hosts import reset_host
    from saypro_invoicing.hosts.sandbox import sample
    from saypro_invoicing.storage import reset_private_storage

    from .env import reset_tables

    count = 200 if quick else 5000
    expected = count * DOCS_PER_ORDER
    private = Path(settings.SAYPRO_INVOICING["PRIVATE_ROOT"])
    shutil.rmtree(private, ignore_errors=True)
    reset_private_storage()
    reset_host()
    reset_tables()
    purge_broker()
    log = Path(settings.BENCH_ROOT) / "worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with SMTPServerProcess() as smtp:
        sample.ensure_channel(smtp_host="127.0.0.1", smtp_port=str(smtp.port), smtp_use_tls=False,
                              issue_receipts=True)
        # The worker starts while the orders are created: unpaid orders queue nothing.
        worker = start_worker(log)
        try:
            started = time.perf_counter()
            order_ids = create_orders(count)
            wait_ready(worker, log)
            print(f"  pipeline: {count} orders created in {time.perf_counter() - started:.1f} s; "
                  f"{WORKER_CONCURRENCY} Celery worker processes ready", flush=True)
            render_rounds = 3 if quick else 10
            renders = render_seconds(render_rounds)
            burst_started = time.perf_counter()
            pay_burst(order_ids)
            burst = time.perf_counter() - burst_started
            print(f"  pipeline: {count} payments (payment + 3 hooks) in {burst:.1f} s; waiting for the emails",
                  flush=True)
            budget = 600 if quick else 3600
            accepted, stalled = wait_for_acceptance(expected, stall_seconds=60 if quick else 120,
                                                    deadline=time.monotonic() + budget)
            renders += render_seconds(render_rounds)
        finally:
            stopping = time.perf_counter()
            stop_worker(worker)
            print(f"  pipeline: worker stopped in {time.perf_counter() - stopping:.1f} s", flush=True)
    results = collect(order_ids, smtp.final)
    results["burst_seconds"] = round(burst, 1)
    results["burst_orders_per_s"] = round(count / burst, 1)
    results["stopped_early"] = stalled
    results["worker_concurrency"] = WORKER_CONCURRENCY
    render_median = median(renders)
    results["render_mix_ms"] = summary(renders, scale=1000)
    results["cores"] = cores()
    results["render_bound_ceiling_docs_per_s"] = round(cores() / render_median, 2)
    errors = [line for line in tail(log, 200_000).splitlines() if "ERROR" in line or "Traceback" in line]
    results["worker_errors"] = errors[:20]
    latency = results.get("latency_s") or {}
    sustained = results.get("sustained_docs_per_s") or 0
    efficiency = round(sustained / results["render_bound_ceiling_docs_per_s"], 3)
    results["efficiency"] = efficiency
    results["targets"] = {
        "pipeline_efficiency_at_least_0_9": {"value": efficiency, "limit": EFFICIENCY_TARGET,
                                             "met": efficiency >= EFFICIENCY_TARGET},
        "at_least_8_docs_per_s": {"value": sustained, "limit": 8, "met": sustained >= 8},
        "p99_within_10_min": {"value": latency.get("p99"), "limit": 600,
                              "met": bool(latency) and latency["p99"] <= 600 and results["lost"] == 0},
        "zero_lost": {"value": results["lost"], "met": results["lost"] == 0},
        "zero_duplicated": {"value": results["duplicated"], "met": results["duplicated"] == 0},
    }
    print(f"  pipeline: {results['accepted']}/{expected} accepted, sustained {sustained} docs/s against a "
          f"render-bound ceiling of {results['render_bound_ceiling_docs_per_s']} ({results['cores']} cores, median "
          f"render {results['render_mix_ms']['median']} ms): efficiency {efficiency}; latency "
          f"p50/p95/p99 {latency.get('p50')}/{latency.get('p95')}/{latency.get('p99')} s, lost {results['lost']}, "
          f"duplicated {results['duplicated']}" + (" (stopped: no progress)" if stalled else ""), flush=True)
    if errors:
        print(f"  pipeline: worker log has {len(errors)} error lines, first: {errors[0][:300]}", flush=True)
    shutil.rmtree(private, ignore_errors=True)
    return results
