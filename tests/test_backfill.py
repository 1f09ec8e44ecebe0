"""Backfill: past orders get their documents in batches; an interrupted run continues without duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BackfillRun, BillingDocument, DeliveryAttempt, NumberSequence
from saypro_invoicing.sla.sweeper import sweep

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def past_orders(db):
    """Seven paid orders over three days whose hooks never ran (the plugin was not installed yet)."""
    sample.ensure_channel(email_backend="django")
    orders = []
    for index in range(7):
        at = DAY + timedelta(hours=7 * index)
        with freeze_time(at):
            order = sample.create_order(notify=False, created_at=at, email=f"c{index}@example.com")
            sample.pay(str(order.id), at=at, notify=False)
        orders.append(str(order.id))
    late = DAY + timedelta(days=10)  # outside --to
    with freeze_time(late):
        outside = sample.create_order(notify=False, created_at=late)
        sample.pay(str(outside.id), at=late, notify=False)
    return orders


def backfill(*extra: str, stderr: StringIO | None = None) -> str:
    out = StringIO()
    with freeze_time(NOW):
        call_command("saypro_invoicing_backfill", "--from", "2026-03-01", "--to", "2026-03-05", *extra, stdout=out,
                     stderr=stderr or StringIO())
    return out.getvalue()


def test_interrupted_backfill_resumes_without_duplicates(past_orders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = backfill("--batch-size", "3", "--max-batches", "1")
    assert "3 orders processed, 6 documents issued in 1 batches" in first and "paused" in first
    done = {o for o in past_orders if BillingDocument.objects.filter(order_id=o).exists()}
    assert done == set(past_orders[:3])  # oldest first
    run = BackfillRun.objects.get()
    assert run.processed == 3 and run.finished_at is None and run.cursor

    stderr = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        second = backfill("--batch-size", "3", stderr=stderr)
    assert "4 orders processed, 8 documents issued in 2 batches; 7 orders in this run so far; finished" in second
    assert "backfill [" in stderr.getvalue() and "4/4" in stderr.getvalue()

    documents = BillingDocument.objects.all()
    assert documents.count() == 14
    for order in past_orders:
        assert sorted(documents.filter(order_id=order).values_list("type", flat=True)) == ["invoice", "receipt"]
    assert sorted(NumberSequence.objects.values_list("type", "last_number")) == [("invoice", 7), ("receipt", 7)]
    # Issued for the past: the clock of each document is the payment, not the backfill.
    first_invoice = documents.get(order_id=past_orders[0], type="invoice")
    assert first_invoice.event_at == DAY and first_invoice.issued_at == NOW

    # Nothing was emailed without --send, and the sweeper respects that choice.
    assert mail.outbox == [] and not DeliveryAttempt.objects.exists()
    with freeze_time(NOW + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        result = sweep(lookback_days=30)
    assert (result.documents_issued, result.documents_requeued, result.breaches) == (0, 0, 0)
    assert mail.outbox == []

    again = backfill("--batch-size", "3")
    assert "0 orders processed" in again and "finished" in again
    assert BillingDocument.objects.count() == 14


def test_send_emails_the_documents_once(past_orders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        backfill("--batch-size", "5")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        backfill("--batch-size", "5", "--send")  # a later decision to send what was issued silently
    assert len(mail.outbox) == 14
    with django_capture_on_commit_callbacks(execute=True):
        backfill("--batch-size", "5", "--send", "--restart")
    assert len(mail.outbox) == 14
    assert BillingDocument.objects.count() == 14


def test_bad_dates_are_refused(db):
    with pytest.raises(CommandError, match="invalid_date_range"):
        call_command("saypro_invoicing_backfill", "--from", "2026-03-05", "--to", "2026-03-01", stdout=StringIO())
    with pytest.raises(CommandError, match="invalid"):
        call_command("saypro_invoicing_backfill", "--from", "March", "--to", "2026-03-01", stdout=StringIO())
