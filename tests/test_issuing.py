"""Issuing through the sandbox host: triggers, idempotency, gate, immutability, credit notes, void."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saypro_invoicing import events, issuing
from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.errors import ErrorCode, SayproInvoicingError
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, GateCheck, StaffAlert
from saypro_invoicing.models.documents import DocumentStatus, PaymentStatus
from saypro_invoicing.snapshot import DocumentContent, DocumentType, from_json
from saypro_invoicing.trigger_keys import TriggerKey

pytestmark = pytest.mark.django_db


def docs(order, doc_type=None):
    qs = BillingDocument.objects.filter(order_id=str(order.id))
    return qs.filter(type=doc_type) if doc_type else qs


def test_fully_paid_trigger_issues_invoice_and_receipt(channel):
    order = sample.create_order()
    assert not docs(order).exists(), "an unpaid order reaches no trigger"
    sample.pay(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    receipt = docs(order, DocumentType.RECEIPT).get()
    year = timezone.now().year
    assert invoice.number == f"INV-{year}-000001"
    assert receipt.number == f"RCT-{year}-000001"
    assert invoice.status == receipt.status == DocumentStatus.ISSUED
    assert invoice.total == Decimal("69.38")  # 2 x 19.99 + 24.50 + 4.90 shipping
    assert invoice.payment_status == PaymentStatus.PAID
    assert invoice.due_at is None, "a paid invoice has no due date"
    assert GateCheck.objects.filter(passed=True).count() == 2


def test_partial_payments_each_get_a_receipt_and_invoice_waits_for_full(channel):
    order = sample.create_order()
    sample.pay(str(order.id), "30.00")
    assert docs(order, DocumentType.RECEIPT).count() == 1
    assert not docs(order, DocumentType.INVOICE).exists()
    sample.pay(str(order.id))  # the rest
    receipts = docs(order, DocumentType.RECEIPT).order_by("sequence")
    assert [r.total for r in receipts] == [Decimal("30.00"), Decimal("39.38")]
    assert docs(order, DocumentType.INVOICE).count() == 1


def test_replayed_hooks_create_nothing_extra(channel):
    order = sample.create_order()
    sample.pay(str(order.id))
    before = list(docs(order).values_list("id", "number"))
    for _ in range(3):
        events.order_changed(str(order.id))
    assert list(docs(order).values_list("id", "number")) == before


def test_confirmed_trigger_issues_unpaid_invoice_with_due_date(channel):
    sample.ensure_channel(invoice_trigger="confirmed", payment_terms_days="30")
    order = sample.create_order()
    sample.confirm(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    assert invoice.payment_status == PaymentStatus.UNPAID
    assert invoice.due_at == invoice.issued_at + timedelta(days=30)
    sample.pay(str(order.id))
    invoice.refresh_from_db()
    assert invoice.payment_status == PaymentStatus.PAID and invoice.paid_at is not None
    assert docs(order, DocumentType.INVOICE).count() == 1


def test_fulfilled_trigger_waits_for_fulfilment(channel):
    sample.ensure_channel(invoice_trigger="fulfilled")
    order = sample.create_order()
    sample.pay(str(order.id))
    assert not docs(order, DocumentType.INVOICE).exists()
    sample.fulfill(str(order.id))
    assert docs(order, DocumentType.INVOICE).count() == 1


def test_snapshot_is_frozen_when_the_order_changes(channel):
    order = sample.create_order()
    sample.pay(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    frozen = dict(invoice.content)
    sample.update(str(order.id), customer_email="changed@example.com", shipping_method="Pigeon")
    invoice.refresh_from_db()
    assert invoice.content == frozen
    content = from_json(DocumentContent, invoice.content)
    assert content.order.customer_email == "jane@example.com"
    assert content.order.shipping_method == "DHL Express"
    assert content.seller.legal_name == "SayPro Demo GmbH"
    assert [line.sku for line in content.order.lines] == ["TS-001", "CB-1"]


def test_refunds_issue_credit_notes_never_above_the_invoice(channel):
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.refund(str(order.id), "20.00")
    sample.refund(str(order.id), "100.00")  # more than is left to credit
    notes = docs(order, DocumentType.CREDIT_NOTE).order_by("sequence")
    invoice = docs(order, DocumentType.INVOICE).get()
    assert [n.total for n in notes] == [Decimal("20.00"), Decimal("49.38")]
    assert all(n.status == DocumentStatus.ISSUED for n in notes)
    assert all(n.corrects_id == invoice.id for n in notes)
    assert from_json(DocumentContent, notes[0].content).corrects_number == invoice.number


def test_refunding_an_overpayment_credits_nothing(channel):
    """Charged twice by mistake, one charge refunded: the customer still owes the invoice."""
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.pay(str(order.id), "69.38")  # the duplicate charge
    sample.refund(str(order.id), "69.38", reason="Duplicate charge")
    assert not docs(order, DocumentType.CREDIT_NOTE).exists()
    sample.refund(str(order.id), "9.38", reason="Damaged item")  # now a real reduction
    note = docs(order, DocumentType.CREDIT_NOTE).get()
    assert note.total == Decimal("9.38") and note.status == DocumentStatus.ISSUED


def test_cancelling_an_invoiced_order_credits_the_rest_once(channel):
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.refund(str(order.id), "10.00")
    sample.cancel(str(order.id))
    events.order_changed(str(order.id))
    notes = docs(order, DocumentType.CREDIT_NOTE).order_by("sequence")
    assert [n.total for n in notes] == [Decimal("10.00"), Decimal("59.38")]


def test_cancelled_before_invoicing_gets_no_invoice(channel):
    sample.ensure_channel(invoice_trigger="fulfilled")
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.cancel(str(order.id))
    assert not docs(order, DocumentType.INVOICE).exists()
    assert not docs(order, DocumentType.CREDIT_NOTE).exists()


def test_gate_holds_a_wrong_invoice_for_review_without_a_number(channel):
    snapshot = sample.build_snapshot()
    broken = dataclasses.replace(snapshot, total_gross=snapshot.total_gross + Decimal("0.01"))
    order = sample.create_order(broken)
    sample.pay(str(order.id), broken.total_gross)
    invoice = docs(order, DocumentType.INVOICE).get()
    assert invoice.status == DocumentStatus.NEEDS_REVIEW
    assert invoice.number is None and invoice.sequence is None
    codes = {r["code"] for r in invoice.review_reasons}
    assert codes == {ErrorCode.TOTAL_MISMATCH.value}
    assert any(r["field"] == "total_gross" and r["expected"] == str(broken.total_gross) for r in invoice.review_reasons)
    alert = StaffAlert.objects.get(document=invoice)
    assert "held for review" in alert.message
    # The receipt prints the same order summary, so it is held too, although its payment is right.
    receipt = docs(order, DocumentType.RECEIPT).get()
    assert receipt.status == DocumentStatus.NEEDS_REVIEW and receipt.sequence is None
    assert {r["field"] for r in receipt.review_reasons} == {"total_gross"}
    assert GateCheck.objects.filter(passed=False).count() == 2
    # The next good invoice takes number 1: a held document consumes no number.
    other = sample.create_order()
    sample.pay(str(other.id))
    assert docs(other, DocumentType.INVOICE).get().sequence == 1


def test_gate_requires_seller_and_rounding_to_minor_unit(channel):
    config = ChannelConfig.from_mapping({**sample.DEMO_CONFIGURATION, "seller_legal_name": ""}, channel="x")
    snapshot = sample.build_snapshot(currency="JPY", lines=[("Tea", "T", 3, "1200", "0.08")], shipping=None)
    plan = issuing.Planned(DocumentType.INVOICE, TriggerKey.invoice("o"), timezone.now(), amount=snapshot.total_gross)
    content = issuing.build_content(dataclasses.replace(snapshot, order_number="7"), config, plan,
                                    issued_at=timezone.now())
    from saypro_invoicing.assess import assess

    reasons = assess(content, config).reasons
    assert [(r.code, r.field) for r in reasons] == [(ErrorCode.MISSING_FIELD, "seller.legal_name")]
    assert content.amount == Decimal("3600")


def test_void_issues_a_credit_note_and_never_deletes(channel):
    order = sample.create_order()
    sample.pay(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    config = ChannelConfig.from_mapping(sample.DEMO_CONFIGURATION, channel=invoice.channel)
    note = issuing.void(invoice, config, sample.get(str(order.id)), reason="Wrong address")
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.VOID and invoice.void_reason == "Wrong address"
    assert note is not None and note.total == invoice.total and note.corrects_id == invoice.id
    with pytest.raises(SayproInvoicingError) as error:
        issuing.void(invoice, config, sample.get(str(order.id)), reason="again")
    assert error.value.code == ErrorCode.ALREADY_VOID
    # A voided invoice is not re-issued automatically by later events.
    events.order_changed(str(order.id))
    assert docs(order, DocumentType.INVOICE).count() == 1


def test_inactive_channel_issues_nothing(channel):
    channel.active = False
    channel.save()
    order = sample.create_order()
    sample.pay(str(order.id))
    assert not docs(order).exists()


def test_numbers_are_per_channel_and_type(channel):
    sample.ensure_channel("eu", invoice_number_format="EU{number:04d}")
    a = sample.create_order()
    b = sample.create_order(channel="eu")
    sample.pay(str(a.id))
    sample.pay(str(b.id))
    assert docs(a, DocumentType.INVOICE).get().sequence == 1
    assert docs(b, DocumentType.INVOICE).get().number == "EU0001"
