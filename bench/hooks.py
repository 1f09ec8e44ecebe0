"""Hook cost: what a host's request pays for the plugin when an order is paid, on the standalone host.

A paid order calls three hooks in one request (Saleor's app charge: order_paid, order_fully_paid,
order_updated), one after the other, after the request's commit. Each records an ``OrderEvent`` row;
the first queues the order's task to Redis (Celery, not eager), the later two ride on it. Measured per
order, wall time of the three calls in this process; no worker runs, so nothing competes for the CPU
and the queued tasks are removed at the end. Issuing, rendering and sending happen in the worker and
are measured by the pipeline stage.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from .stats import summary

PAID_ORDER_HOOKS = ("order_paid", "order_fully_paid", "order_updated")
TARGET_MS = 5.0


def run(quick: bool) -> dict[str, Any]:
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saypro_invoicing import inbox
    from saypro_invoicing.conf import setting
    from saypro_invoicing.hosts.sandbox import sample
    from saypro_invoicing.models import BillingDocument, OrderEvent

    from .env import reset_tables

    reset_tables()
    queue_name = setting("CELERY_QUEUE")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue_name)
    count, warmup = (100, 10) if quick else (1000, 50)
    sample.ensure_channel()
    orders = []
    for _ in range(count + warmup):
        order = sample.create_order(notify=False)
        sample.pay(str(order.id), notify=False)
        orders.append(str(order.id))

    timings: list[float] = []
    cpu: list[float] = []
    queries: list[int] = []
    gc.collect()
    for index, order_id in enumerate(orders):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.thread_time()
            for kind in PAID_ORDER_HOOKS:
                inbox.record(order_id, kind, channel="default")
            elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        if index >= warmup:  # the first calls connect to Redis and warm Celery's producer pool
            timings.append(elapsed)
            cpu.append(elapsed_cpu)
            queries.append(len(captured.captured_queries))

    queued = broker.llen(queue_name)
    recorded = OrderEvent.objects.count()
    issued_in_request = BillingDocument.objects.count()
    broker.delete(queue_name)
    broker.close()
    cost = summary(timings, scale=1000, digits=3)
    return {
        "orders": count,
        "hooks_per_order": len(PAID_ORDER_HOOKS),
        "hook_path_ms": cost,
        # This process's own CPU time: the wall time above also waits for PostgreSQL and Redis, and for
        # the CPU whenever the machine is busy with other work (the load average is recorded per stage).
        "hook_path_cpu_ms": summary(cpu, scale=1000, digits=3),
        "sql_queries_per_order": max(queries),
        "tasks_queued": queued,
        "events_recorded": recorded,
        "documents_issued_in_request": issued_in_request,
        "targets": {
            "hook_cost_ms_at_most_5": {"value": cost["median"], "limit": TARGET_MS,
                                       "met": cost["median"] <= TARGET_MS and queued == len(orders)
                                       and issued_in_request == 0},
        },
    }
