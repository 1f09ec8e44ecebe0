"""The inbox: host hooks only record what happened; a worker turns the records into documents.

A hook runs inside the host's request (Saleor's ``orderMarkAsPaid``, ``transactionCreate``,
``checkoutComplete``), so it writes one small ``OrderEvent`` row and queues one task. The worker
(``process_order``) snapshots the order, lets the issuing rules decide (``events.snapshot_changed``,
the same path as the sweeper and backfill) and marks the rows processed in the same transaction.

One mutation calls several hooks (paid, fully paid, updated): they collapse into one task.
Inside a transaction the dispatch module drops a second identical key before the commit. Saleor
usually calls its hooks after the commit, one by one, outside any transaction: there an event that
finds an earlier pending event of the same order queues nothing, because that event's task has not
finished yet and picks this one up too (``process_order`` loops until nothing is pending, and it
marks rows processed before it looks again, so a row inserted meanwhile is always seen).

Nothing is lost when no worker runs: the sweeper processes events pending for longer than
``STALE_AFTER``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from .alerts import raise_alert
from .dispatch import TaskName, enqueue
from .errors import ConfigurationError, DocumentNotFound
from .events import snapshot_changed
from .hosts import get_host
from .models import OrderEvent
from .models.records import AlertKind
from .snapshot import OrderSnapshot

logger = logging.getLogger("saypro_invoicing.inbox")

# An earlier pending event younger than this has a task on its way; an older one may have lost it.
TASK_IN_FLIGHT = timedelta(seconds=60)
# The sweeper processes what waited longer than this (a worker was down, a task was lost).
STALE_AFTER = timedelta(minutes=3)
BATCH = 200


class EventKind(StrEnum):
    ORDER_CREATED = "order_created"
    ORDER_CONFIRMED = "order_confirmed"
    ORDER_PAID = "order_paid"
    ORDER_FULLY_PAID = "order_fully_paid"
    ORDER_UPDATED = "order_updated"
    ORDER_FULFILLED = "order_fulfilled"
    ORDER_REFUNDED = "order_refunded"
    ORDER_FULLY_REFUNDED = "order_fully_refunded"
    ORDER_CANCELLED = "order_cancelled"


# Which snapshot time an event kind stands for, when the host's snapshot does not carry it.
_EVENT_TIME_FIELDS = {
    EventKind.ORDER_CREATED: "confirmed_at",
    EventKind.ORDER_CONFIRMED: "confirmed_at",
    EventKind.ORDER_FULLY_PAID: "paid_at",
    EventKind.ORDER_FULFILLED: "fulfilled_at",
    EventKind.ORDER_CANCELLED: "cancelled_at",
}


@dataclass(frozen=True)
class Processed:
    events: int = 0
    documents: int = 0  # documents newly issued (or held) for these events

    def __add__(self, other: Processed) -> Processed:
        return Processed(self.events + other.events, self.documents + other.documents)


def task_key(order_id: str) -> str:
    return f"order-events:{order_id}"


def record(order_id: str, kind: str, *, channel: str = "", occurred_at: datetime | None = None,
           payment_reference: str = "", refund_reference: str = "") -> OrderEvent:
    """Record one host event and make sure a task will process it (the whole cost of a hook)."""
    event = OrderEvent(order_id=str(order_id), kind=str(kind), channel=channel,
                       occurred_at=occurred_at or timezone.now(), payment_reference=payment_reference[:128],
                       refund_reference=refund_reference[:128])
    connection = connections[router.db_for_write(OrderEvent)]
    if connection.in_atomic_block:
        event.save(force_insert=True)  # committed with the caller's transaction, the task queued then
        in_flight = False
    elif connection.vendor == "postgresql":
        in_flight = _insert_after_commit(connection, event)
    else:
        event.save(force_insert=True)
        in_flight = OrderEvent.objects.filter(
            order_id=event.order_id, processed_at__isnull=True, attempts=0, id__lt=event.id,
            occurred_at__gte=event.occurred_at - TASK_IN_FLIGHT).exists()
    if not in_flight:
        enqueue(TaskName.PROCESS_ORDER_EVENTS, event.order_id, dedupe_key=task_key(event.order_id))
    return event


_table = OrderEvent._meta.db_table
_INSERT = f"""
WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO {_table} (order_id, channel, kind, occurred_at, payment_reference, refund_reference, attempts, last_error)
SELECT %s, %s, %s, %s, %s, %s, 0, '' FROM async_commit
RETURNING id, EXISTS (
    SELECT 1 FROM {_table} earlier WHERE earlier.order_id = %s AND earlier.processed_at IS NULL
    AND earlier.attempts = 0 AND earlier.occurred_at >= %s)
"""


def _insert_after_commit(connection: Any, event: OrderEvent) -> bool:
    """Insert in one round trip, committed without waiting for the disk; True if a task is already coming.

    Hosts call their hooks after their own commit, so each INSERT is a transaction of its own, and
    waiting for its WAL flush (about 5 ms here) was most of a hook's cost, three times per payment.
    ``synchronous_commit = off`` for this one statement: a PostgreSQL crash in the next few hundred
    milliseconds could lose the row, but not the order's change, which the host committed durably
    and which the sweeper's pass over changed orders finds. The EXISTS runs on the statement's
    snapshot, so it sees earlier events only: an earlier pending one, recent and never failed, has
    its task on the way and that task picks this row up too.
    """
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [event.order_id, event.channel, event.kind, event.occurred_at,
                                 event.payment_reference, event.refund_reference, event.order_id,
                                 event.occurred_at - TASK_IN_FLIGHT])
        event.pk, in_flight = cursor.fetchone()
    event._state.adding = False
    return bool(in_flight)


def process_order(order_id: str, *, now: datetime | None = None) -> Processed:
    """Turn the order's pending events into documents.

    Idempotent: issuing is keyed by trigger, and rows another worker holds are skipped (that
    worker syncs the order anyway). A failure leaves the rows pending with the error and one staff
    alert; the sweeper tries again later.
    """
    processed = Processed()
    while True:
        with transaction.atomic():
            batch = list(OrderEvent.objects.select_for_update(skip_locked=True)
                         .filter(order_id=str(order_id), processed_at__isnull=True).order_by("id")[:BATCH])
            if not batch:
                return processed
            ids = [event.pk for event in batch]
            error, documents = "", 0
            try:
                with transaction.atomic():
                    documents = _sync(str(order_id), batch)
            except DocumentNotFound as exc:
                # The order is gone (deleted in the host): there is nothing left to issue for it.
                error = f"order not found: {exc}"
            except Exception as exc:  # noqa: BLE001 (recorded, alerted and retried by the sweeper)
                logger.exception("saypro_invoicing: events of order %s could not be processed", order_id)
                _failed(batch, exc)
                return processed
            OrderEvent.objects.filter(pk__in=ids).update(processed_at=now or timezone.now(), last_error=error)
            processed += Processed(len(batch), documents)


def _sync(order_id: str, batch: list[OrderEvent]) -> int:
    host = get_host()
    snapshot = with_event_times(host.snapshot(order_id), batch)
    problem = getattr(host, "channel_config_problem", None)
    if callable(problem) and (message := problem(snapshot.channel)):
        # Active but unusable: keep the events pending (the sweeper retries once staff fixed it).
        raise ConfigurationError(message)
    return sum(1 for result in snapshot_changed(snapshot, send=True) if result.created)


def _failed(batch: list[OrderEvent], exc: Exception) -> None:
    first_failure = all(event.attempts == 0 for event in batch)
    OrderEvent.objects.filter(pk__in=[e.pk for e in batch]).update(attempts=F("attempts") + 1,
                                                                  last_error=f"{type(exc).__name__}: {exc}"[:2000])
    if first_failure:
        event = batch[0]
        kinds = ", ".join(dict.fromkeys(e.kind for e in batch))
        raise_alert(AlertKind.HOOK_FAILED, None,
                    f"{kinds} for order {event.order_id} could not be processed: {exc}. "
                    "The sweeper will try again.", channel=event.channel)


def with_event_times(snapshot: OrderSnapshot, events: Iterable[OrderEvent]) -> OrderSnapshot:
    """The snapshot with the times it lacks taken from the events (a document keeps its event's time)."""
    times: dict[str, Any] = {}  # OrderSnapshot field -> datetime (Any: replace() checks each field's type)
    for event in events:
        name = _EVENT_TIME_FIELDS.get(event.kind)  # type: ignore[call-overload]
        if name is not None and getattr(snapshot, name) is None:
            times[name] = min(times.get(name, event.occurred_at), event.occurred_at)
    if "paid_at" in times and not snapshot.is_fully_paid:
        del times["paid_at"]  # a later refund or change: the order no longer reads as fully paid
    return replace(snapshot, **times) if times else snapshot


def process_stale(now: datetime | None = None, *, channels: list[str] | None = None,
                  older_than: timedelta = STALE_AFTER, limit: int = 500) -> Processed:
    """The sweeper's share: orders whose events waited longer than ``older_than``."""
    now = now or timezone.now()
    order_ids: list[str] = []
    rows = OrderEvent.objects.filter(processed_at__isnull=True, occurred_at__lt=now - older_than)
    if channels is not None:
        rows = rows.filter(channel__in=channels)
    for order_id in rows.order_by("occurred_at").values_list("order_id", flat=True)[: limit * 4]:
        if order_id not in order_ids:
            order_ids.append(order_id)
            if len(order_ids) >= limit:
                break
    return sum((process_order(order_id, now=now) for order_id in order_ids), Processed())


def pending_count(order_id: str | None = None) -> int:
    rows = OrderEvent.objects.filter(processed_at__isnull=True)
    return (rows.filter(order_id=str(order_id)) if order_id is not None else rows).count()
