"""The inbox on the standalone host: hooks record, one task per order and mutation, a worker issues."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from saypro_invoicing import inbox
from saypro_invoicing.dispatch import TaskName
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, OrderEvent, StaffAlert
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.sla.sweeper import sweep
from saypro_invoicing.snapshot import DocumentType
from tests.test_e2e_celery import broker, celery_to_broker, worker  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _paid_order(**kwargs):
    """A fully paid sandbox order whose host has not told the plugin yet (no documents)."""
    sample.ensure_channel()
    order = sample.create_order(notify=False, **kwargs)
    sample.pay(str(order.id), notify=False)
    return str(order.id)


def _documents(order_id: str) -> dict[str, BillingDocument]:
    return {d.type: d for d in BillingDocument.objects.filter(order_id=order_id)}


def _queued(callbacks) -> list[tuple[str, tuple]]:
    """The tasks that on-commit callbacks would send (dispatch's callbacks carry name and arguments)."""
    return [(c.task_name, c.args) for c in callbacks if hasattr(c, "task_name")]


def test_record_writes_one_row_and_issues_nothing_in_the_request(django_capture_on_commit_callbacks):
    order_id = _paid_order()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = inbox.record(order_id, inbox.EventKind.ORDER_FULLY_PAID, channel="default",
                             payment_reference="txn-1")
    row = OrderEvent.objects.get()
    assert (row.pk, row.order_id, row.kind, row.payment_reference) == (event.pk, order_id, "order_fully_paid", "txn-1")
    assert row.processed_at is None and abs(row.occurred_at - timezone.now()) < timedelta(seconds=5)
    assert not BillingDocument.objects.exists()  # the request only recorded
    assert _queued(callbacks) == [(TaskName.PROCESS_ORDER_EVENTS, (order_id,))]


def test_hooks_of_one_mutation_collapse_into_one_task_per_order(django_capture_on_commit_callbacks):
    first, second = _paid_order(), _paid_order()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for kind in ("order_paid", "order_fully_paid", "order_updated"):
            inbox.record(first, kind)
        inbox.record(second, "order_updated")
    assert OrderEvent.objects.count() == 4
    assert _queued(callbacks) == [(TaskName.PROCESS_ORDER_EVENTS, (first,)), (TaskName.PROCESS_ORDER_EVENTS, (second,))]


def test_worker_issues_documents_and_marks_every_event_processed(django_capture_on_commit_callbacks):
    order_id = _paid_order()
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order_paid", "order_fully_paid", "order_updated"):
            inbox.record(order_id, kind)
    documents = _documents(order_id)
    assert set(documents) == {DocumentType.INVOICE, DocumentType.RECEIPT}
    assert all(d.number for d in documents.values())
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists()
    assert OrderEvent.objects.filter(processed_at__isnull=False).count() == 3


def test_processing_is_idempotent():
    order_id = _paid_order()
    for kind in ("order_fully_paid", "order_updated"):
        OrderEvent.objects.create(order_id=order_id, kind=kind, occurred_at=timezone.now())
    assert inbox.process_order(order_id) == inbox.Processed(events=2, documents=2)
    numbers = sorted(BillingDocument.objects.values_list("number", flat=True))
    assert inbox.process_order(order_id) == inbox.Processed()  # nothing pending any more
    # The host reports the same order again (a replayed hook): processed, nothing new issued.
    OrderEvent.objects.create(order_id=order_id, kind="order_updated", occurred_at=timezone.now())
    assert inbox.process_order(order_id) == inbox.Processed(events=1, documents=0)
    assert sorted(BillingDocument.objects.values_list("number", flat=True)) == numbers


def test_documents_keep_the_events_time_where_the_snapshot_has_none():
    order_id = _paid_order()
    sample.update(order_id, paid_at=None, notify=False)  # a host that does not date the payment
    paid_at = timezone.now() - timedelta(hours=3)
    OrderEvent.objects.create(order_id=order_id, kind="order_fully_paid", occurred_at=paid_at)
    OrderEvent.objects.create(order_id=order_id, kind="order_updated", occurred_at=timezone.now())
    inbox.process_order(order_id)
    invoice = _documents(order_id)[DocumentType.INVOICE]
    assert invoice.event_at == paid_at  # not the snapshot's creation time, not the processing time
    assert invoice.paid_at == paid_at


def test_the_snapshots_own_times_win_over_the_event_row():
    order_id = _paid_order()
    captured_at = sample.get(order_id).paid_at
    OrderEvent.objects.create(order_id=order_id, kind="order_fully_paid", occurred_at=captured_at + timedelta(hours=1))
    inbox.process_order(order_id)
    assert _documents(order_id)[DocumentType.INVOICE].event_at == captured_at


def test_an_unknown_order_is_processed_with_the_reason():
    event = OrderEvent.objects.create(order_id="00000000-0000-0000-0000-000000000000", kind="order_updated",
                                      occurred_at=timezone.now())
    assert inbox.process_order(event.order_id).events == 1
    event.refresh_from_db()
    assert event.processed_at is not None and event.last_error.startswith("order not found")


def test_a_failure_keeps_the_events_pending_alerts_once_and_the_sweeper_retries(settings):
    order_id = _paid_order()
    # A channel configuration that cannot issue: the gate's seller checks pass, numbering format is broken.
    sample.ensure_channel(invoice_number_format="INV-{nope}")
    for kind in ("order_fully_paid", "order_updated"):
        OrderEvent.objects.create(order_id=order_id, kind=kind, occurred_at=timezone.now() - timedelta(minutes=10))
    assert inbox.process_order(order_id) == inbox.Processed()
    assert inbox.process_order(order_id) == inbox.Processed()
    rows = list(OrderEvent.objects.all())
    assert all(r.processed_at is None and r.attempts == 2 and r.last_error for r in rows)
    [alert] = StaffAlert.objects.filter(kind=AlertKind.HOOK_FAILED)  # once, not per attempt
    assert "order_fully_paid, order_updated" in alert.message and order_id in alert.message
    assert not BillingDocument.objects.exists()

    sample.ensure_channel(invoice_number_format="INV-{year}-{number}")  # staff fixed it
    result = sweep()
    assert result.events_processed == 2 and result.documents_issued >= 2
    assert set(_documents(order_id)) == {DocumentType.INVOICE, DocumentType.RECEIPT}


def test_sweeper_processes_events_left_pending_and_leaves_fresh_ones_to_their_task():
    stale_order, fresh_order = _paid_order(), _paid_order()
    now = timezone.now()
    # Recorded while no worker ran (the task was lost with the broker): nothing but the row survives.
    OrderEvent.objects.create(order_id=stale_order, kind="order_fully_paid", occurred_at=now - timedelta(minutes=5))
    OrderEvent.objects.create(order_id=fresh_order, kind="order_fully_paid", occurred_at=now - timedelta(seconds=30))
    assert inbox.process_stale(now) == inbox.Processed(events=1, documents=2)
    assert set(_documents(stale_order)) == {DocumentType.INVOICE, DocumentType.RECEIPT}
    assert not _documents(fresh_order)
    assert OrderEvent.objects.get(order_id=fresh_order).processed_at is None

    result = sweep(now + timedelta(minutes=10))
    assert result.events_processed == 1
    assert set(_documents(fresh_order)) == {DocumentType.INVOICE, DocumentType.RECEIPT}


@pytest.mark.django_db(transaction=True)
def test_after_commit_an_event_behind_a_pending_one_queues_no_second_task(celery_to_broker, broker):  # noqa: F811
    """Saleor calls its hooks one by one after its commit: the later ones ride on the first one's task."""
    import redis

    order_id, other = _paid_order(), _paid_order()
    queue = redis.Redis.from_url(broker)
    for kind in ("order_paid", "order_fully_paid", "order_updated"):
        inbox.record(order_id, kind)  # autocommit: each row is committed at once
    inbox.record(other, "order_updated")
    assert queue.llen("saypro_invoicing") == 2  # one task per order, published to the broker
    # An earlier event that failed (or whose task is long gone) does not hold a new one back.
    OrderEvent.objects.filter(order_id=other).update(attempts=1)
    inbox.record(other, "order_refunded")
    assert queue.llen("saypro_invoicing") == 3
    queue.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_turns_recorded_events_into_documents(worker):  # noqa: F811
    order_id = _paid_order()
    with transaction.atomic():  # one host mutation: three hooks, one task
        for kind in ("order_paid", "order_fully_paid", "order_updated"):
            inbox.record(order_id, kind, channel="default")
    assert not _documents(order_id)  # nothing was issued in the "request"
    deadline = time.monotonic() + 60
    while OrderEvent.objects.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.2)
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists(), "the worker did not process in time"
    documents = _documents(order_id)
    assert set(documents) == {DocumentType.INVOICE, DocumentType.RECEIPT}
    assert all(d.number for d in documents.values())
