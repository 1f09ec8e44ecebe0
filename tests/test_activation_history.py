"""A channel's activation time: events before it issue nothing through hooks and the sweeper; the backfill
command issues a shop's history, a refunded charge getting its receipt and its credit note, or neither."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saypro_invoicing import issuing
from saypro_invoicing.hosts import get_host
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.sla.backfill import issue_history

pytestmark = pytest.mark.django_db


def _types(order) -> list[str]:
    return sorted(BillingDocument.objects.filter(order_id=str(order.id)).values_list("type", flat=True))


def _activated(channel, at):
    return get_host().channel_config(channel.slug).replace(activated_at=at)


def test_only_events_after_activation_issue_documents(channel):
    before, activation = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
    order = sample.create_order(notify=False)
    sample.pay(str(order.id), "30.00", at=before, notify=False)
    config = _activated(channel, activation)

    assert issuing.sync_order(sample.get(str(order.id)), config) == []

    # The rest is paid after activation: its receipt, and the invoice the order reaches now.
    snapshot = sample.pay(str(order.id), at=activation + timedelta(minutes=5), notify=False)
    results = issuing.sync_order(snapshot, config)
    assert sorted(r.document.type for r in results) == ["invoice", "receipt"]
    receipt = BillingDocument.objects.get(order_id=str(order.id), type="receipt")
    assert receipt.total == snapshot.total_gross - Decimal("30.00")


def test_backfill_gives_a_refunded_charge_its_receipt_and_credit_note(channel):
    before = timezone.now() - timedelta(hours=2)
    order = sample.create_order(notify=False)
    sample.pay(str(order.id), at=before, notify=False)
    sample.refund(str(order.id), "10.00", at=before + timedelta(minutes=1), notify=False)
    assert issuing.sync_order(sample.get(str(order.id)), _activated(channel, timezone.now())) == []

    issue_history(str(order.id), send=False)

    assert _types(order) == ["credit_note", "invoice", "receipt"]
    assert BillingDocument.objects.get(order_id=str(order.id), type="credit_note").total == Decimal("10.00")


def test_backfill_gives_a_refunded_charge_without_an_invoice_neither(channel):
    before = timezone.now() - timedelta(hours=2)
    refunded, kept = sample.create_order(notify=False), sample.create_order(notify=False)
    for order in (refunded, kept):
        sample.pay(str(order.id), "20.00", at=before, notify=False)  # never fully paid: no invoice
    sample.refund(str(refunded.id), "20.00", at=before + timedelta(minutes=1), notify=False)

    issue_history(str(refunded.id), send=False)
    issue_history(str(kept.id), send=False)

    assert _types(refunded) == []  # no credit note can be issued without an invoice, so no receipt either
    assert _types(kept) == ["receipt"]
