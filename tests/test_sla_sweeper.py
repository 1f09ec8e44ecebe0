"""The sweeper repairs what hooks and workers missed, through the idempotent path: never a duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from saypro_invoicing import events
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditAction, AuditEntry, BillingDocument, DeliveryAttempt, NumberSequence
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.sla.sweeper import sweep

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def shop(db):
    # Django's EMAIL_BACKEND (locmem in tests) instead of SMTP: the whole delivery path runs, mail lands in outbox.
    return sample.ensure_channel(email_backend="django")


@pytest.fixture
def run_sweep(django_capture_on_commit_callbacks):
    """sweep() with the on-commit delivery tasks executed (Celery eager), as after a real commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kwargs)

    return run


def customer_mail(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_missed_hook_and_lost_delivery_are_repaired_once(shop, run_sweep):
    with freeze_time(T0 - timedelta(hours=3)):
        missed = sample.create_order(notify=False, email="missed@example.com")
        sample.pay(str(missed.id), notify=False)  # the order_fully_paid hook never ran
        stuck = sample.create_order(notify=False, email="stuck@example.com")
        sample.pay(str(stuck.id), notify=False)
        events.order_changed(str(stuck.id), send=False)  # issued, but the delivery task never ran
    assert not BillingDocument.objects.filter(order_id=missed.id).exists()
    assert BillingDocument.objects.filter(order_id=stuck.id).count() == 2
    assert not DeliveryAttempt.objects.exists()
    assert mail.outbox == []

    with freeze_time(T0):
        first = run_sweep()

    assert (first.documents_issued, first.documents_requeued, first.errors) == (2, 2, ())
    for order in (missed, stuck):
        documents = BillingDocument.objects.filter(order_id=order.id)
        assert sorted(documents.values_list("type", flat=True)) == ["invoice", "receipt"]
        assert all(d.number and d.delivery_status == DeliveryStatus.SENT and d.accepted_at for d in documents)
    assert len(customer_mail("missed@example.com")) == 2
    assert len(customer_mail("stuck@example.com")) == 2
    assert AuditEntry.objects.filter(action=AuditAction.SWEEPER_REQUEUED).count() == 2
    # The repaired documents keep the time the order was paid as their SLA clock start.
    invoice = BillingDocument.objects.get(order_id=missed.id, type="invoice")
    assert invoice.event_at == T0 - timedelta(hours=3)

    sent_before = len(mail.outbox)
    with freeze_time(T0 + timedelta(minutes=20)):
        second = run_sweep()
    assert (second.documents_issued, second.documents_requeued) == (0, 0)
    assert second.orders_checked == 0  # checked by the first pass: past the watermark
    assert BillingDocument.objects.count() == 4
    assert len(mail.outbox) == sent_before
    assert sorted(NumberSequence.objects.values_list("type", "last_number")) == [("invoice", 2), ("receipt", 2)]

    with freeze_time(T0 + timedelta(hours=1)):
        full = run_sweep(lookback_days=7)  # a full pass re-checks every order, still without duplicates
    assert (full.orders_checked, full.documents_issued, full.documents_requeued) == (2, 0, 0)
    assert BillingDocument.objects.count() == 4 and len(mail.outbox) == sent_before


def test_grace_period_leaves_recent_orders_to_the_hooks(shop, run_sweep):
    with freeze_time(T0 - timedelta(minutes=5)):
        recent = sample.create_order(notify=False)
        sample.pay(str(recent.id), notify=False)
    with freeze_time(T0):
        result = run_sweep()
    assert result.orders_checked == 0
    assert not BillingDocument.objects.filter(order_id=recent.id).exists()
    with freeze_time(T0 + timedelta(minutes=15)):
        result = run_sweep()
    assert result.documents_issued == 2


def test_orders_older_than_the_lookback_are_left_alone(shop, run_sweep):
    with freeze_time(T0 - timedelta(days=8)):
        old = sample.create_order(notify=False)
        sample.pay(str(old.id), notify=False)
    with freeze_time(T0):
        assert run_sweep().orders_checked == 0
        assert run_sweep(lookback_days=9).documents_issued == 2


def test_a_worker_that_died_mid_send_is_picked_up(shop, run_sweep):
    with freeze_time(T0 - timedelta(hours=2)):
        order = sample.create_order(notify=False, email="crash@example.com")
        sample.pay(str(order.id), notify=False)
        events.order_changed(str(order.id), send=False)
        receipt = BillingDocument.objects.get(order_id=order.id, type="receipt")
        invoice = BillingDocument.objects.get(order_id=order.id, type="invoice")
        # The SENDING row is written before the SMTP conversation; the worker never came back.
        DeliveryAttempt.objects.create(document=receipt, recipient="crash@example.com",
                                       status=AttemptStatus.SENDING, started_at=T0 - timedelta(hours=2))
        DeliveryAttempt.objects.create(document=invoice, recipient="crash@example.com",
                                       status=AttemptStatus.SENDING, started_at=T0 - timedelta(minutes=1))
    with freeze_time(T0 - timedelta(minutes=1)):
        # The invoice's send is younger than the grace period: someone may still be on it.
        result = run_sweep()
    assert result.documents_requeued == 1
    receipt.refresh_from_db()
    assert receipt.delivery_status == DeliveryStatus.SENT
    assert list(receipt.deliveries.values_list("status", flat=True)) == [AttemptStatus.DEFERRED, AttemptStatus.SENT]
    assert len(customer_mail("crash@example.com")) == 1
    with freeze_time(T0 + timedelta(minutes=30)):
        result = run_sweep()
    assert result.documents_requeued == 1  # now the invoice's stale send
    assert len(customer_mail("crash@example.com")) == 2
    with freeze_time(T0 + timedelta(hours=1)):
        assert run_sweep().documents_requeued == 0
    assert len(customer_mail("crash@example.com")) == 2


def test_sweep_command_prints_its_summary(shop):
    with freeze_time(T0 - timedelta(hours=1)):
        order = sample.create_order(notify=False)
        sample.pay(str(order.id), notify=False)
    from io import StringIO

    out = StringIO()
    with freeze_time(T0):
        call_command("saypro_invoicing_sweep", stdout=out)
    assert "1 orders checked, 2 documents issued" in out.getvalue()
    assert BillingDocument.objects.filter(order_id=order.id).count() == 2
