"""Reconciliation: each order's money against its documents, one mismatch kind at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.sla.reconciliation import reconcile

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOTAL = Decimal("69.38")


@pytest.fixture
def shop(db):
    return sample.ensure_channel(email_backend="django")


def order_at(at: datetime, **kwargs):
    with freeze_time(at):
        return str(sample.create_order(notify=False, created_at=at, **kwargs).id)


def found(order_id: str) -> list[tuple[str, Decimal]]:
    with freeze_time(NOW):
        mismatches = reconcile(sample.DEFAULT_CHANNEL, NOW - timedelta(days=7), NOW)
    return sorted((m.kind, m.difference) for m in mismatches if m.order_id == order_id)


def test_clean_paid_order_has_no_mismatch(shop):
    order = order_at(NOW - timedelta(days=1))
    sample.pay(order, at=NOW - timedelta(days=1))
    assert found(order) == []


def test_refund_without_and_with_credit_note(shop):
    missed = order_at(NOW - timedelta(days=2))
    sample.pay(missed, at=NOW - timedelta(days=2))
    sample.refund(missed, "10.00", at=NOW - timedelta(days=1), notify=False)  # the refund hook never ran
    assert found(missed) == [("refunded_without_credit_note", Decimal("10.00"))]
    credited = order_at(NOW - timedelta(days=2))
    sample.pay(credited, at=NOW - timedelta(days=2))
    sample.refund(credited, "10.00", at=NOW - timedelta(days=1))
    assert found(credited) == []


def test_over_and_under_charged(shop):
    twice = order_at(NOW - timedelta(days=1))
    sample.pay(twice, at=NOW - timedelta(days=1))
    sample.pay(twice, "5.00", at=NOW - timedelta(hours=20))
    assert found(twice) == [("overcharged", Decimal("5.00"))]

    cancelled = order_at(NOW - timedelta(days=1))
    sample.pay(cancelled, at=NOW - timedelta(days=1))
    sample.cancel(cancelled, at=NOW - timedelta(hours=5))  # credit note issued, money never refunded
    assert found(cancelled) == [("overcharged", TOTAL)]

    short = order_at(NOW - timedelta(days=1))
    sample.pay(short, "10.00", at=NOW - timedelta(days=1))
    sample.update(short, charge_status="full", notify=False, at=NOW - timedelta(days=1))
    assert found(short) == [("undercharged", TOTAL - Decimal("10.00"))]


def test_charged_without_receipt_after_the_grace_period(shop):
    order = order_at(NOW - timedelta(hours=2))
    sample.pay(order, at=NOW - timedelta(minutes=5), notify=False)
    assert found(order) == []  # the hook may still be on its way
    with freeze_time(NOW + timedelta(minutes=20)):
        mismatches = reconcile(sample.DEFAULT_CHANNEL, NOW - timedelta(days=1), NOW + timedelta(minutes=20))
    assert [(m.kind, m.difference, m.receipted, m.charged) for m in mismatches] == [
        ("charged_without_receipt", TOTAL, Decimal("0.00"), TOTAL)]


def test_unpaid_invoice_past_terms_and_pending_payment(shop):
    sample.ensure_channel(invoice_trigger="confirmed")
    invoiced = order_at(NOW - timedelta(days=20))
    with freeze_time(NOW - timedelta(days=20)):
        sample.confirm(invoiced, at=NOW - timedelta(days=20))  # invoice due 14 days later, 6 days ago
    sample.update(invoiced, customer_note="Paying next week", at=NOW - timedelta(days=1))  # changed in the period
    assert found(invoiced) == [("invoiced_unpaid_past_terms", TOTAL)]

    sample.ensure_channel(invoice_trigger="fully_paid")
    pending = order_at(NOW - timedelta(days=4))
    sample.confirm(pending, at=NOW - timedelta(days=4))  # no invoice before payment on this trigger
    assert found(pending) == [("payment_pending_too_long", TOTAL)]
    fresh = order_at(NOW - timedelta(days=2))
    sample.confirm(fresh, at=NOW - timedelta(days=2))
    assert found(fresh) == []  # 48 h < 72 h
