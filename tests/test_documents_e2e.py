"""What customers and accountants read, issued through the sandbox host and checked in the real PDF text."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
from django.core import mail

from saypro_invoicing.document.calculate import model_of
from saypro_invoicing.document.model import CreditBasis, VatCategory
from saypro_invoicing.errors import ErrorCode
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, StaffAlert
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.release import StillHeld, release
from saypro_invoicing.rendering import ensure_pdf
from saypro_invoicing.snapshot import Address, DocumentType


def text_of(document: BillingDocument) -> str:
    document = ensure_pdf(document)
    with document.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(p.extract_text() or "" for p in reader.pages).replace("\xa0", " ").replace("\u202f", " ")


def docs(order, doc_type):
    return BillingDocument.objects.filter(order_id=order.id, type=doc_type).order_by("created_at")


@pytest.fixture
def django_mail(settings, channel):
    sample.ensure_channel(email_backend="django")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_partial_payment_receipt_shows_balance_and_never_paid(django_mail):
    order = sample.create_order()
    snapshot = sample.get(str(order.id))
    sample.pay(str(order.id), "30.00")
    first = docs(order, DocumentType.RECEIPT).get()
    model = model_of(first.document_content)
    assert (model.receipt.paid_before, model.receipt.balance_due) == (Decimal("0.00"), snapshot.total_gross - 30)
    text = text_of(first)
    assert "Partial payment" in text and "PAID" not in text
    assert "Balance due" in text and f"€{snapshot.total_gross - 30}" in text

    sample.pay(str(order.id))
    second = docs(order, DocumentType.RECEIPT).last()
    model = model_of(second.document_content)
    assert model.receipt.fully_paid and model.receipt.paid_before == Decimal("30.00")
    text = text_of(second)
    assert "PAID" in text and "Paid before" in text and "€30.00" in text
    # Receipts carry no VAT in the ledger: the invoice does.
    assert (second.total, second.tax_total) == (snapshot.total_gross - 30, 0)


def test_returned_7_percent_item_is_credited_by_line_at_its_own_rate(django_mail):
    order = sample.create_order()
    sample.pay(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    sample.refund(str(order.id), lines=[("line-2", 1)], reason="Returned coffee")
    credit = docs(order, DocumentType.CREDIT_NOTE).get()
    model = model_of(credit.document_content)
    assert credit.status == DocumentStatus.ISSUED and model.credit_basis == CreditBasis.LINES
    assert [(line.name, line.quantity, line.vat_rate) for line in model.lines] == [
        ("Coffee Beans 1kg", 1, Decimal("0.07"))]
    assert [(row.rate, row.tax_amount) for row in model.vat_breakdown] == [(Decimal("0.07"), Decimal("1.60"))]
    assert (credit.total, credit.tax_total) == (Decimal("24.50"), Decimal("1.60"))
    assert model.preceding_invoice_number == invoice.number
    text = text_of(credit)
    assert "Coffee Beans 1kg" in text and "T-Shirt" not in text and invoice.number in text
    assert "Returned coffee" in text


def test_shipping_refund_is_credited_at_shippings_rate(django_mail):
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.refund(str(order.id), includes_shipping=True, reason="Late delivery")
    model = model_of(docs(order, DocumentType.CREDIT_NOTE).get().document_content)
    assert [(line.net_amount, line.gross_amount, line.vat_rate) for line in model.lines] == [
        (Decimal("4.12"), Decimal("4.90"), Decimal("0.19"))]


def test_amount_only_refund_is_split_over_the_invoice_rates_and_says_so(django_mail):
    order = sample.create_order()
    sample.pay(str(order.id))
    sample.refund(str(order.id), "10.00")
    credit = docs(order, DocumentType.CREDIT_NOTE).get()
    model = model_of(credit.document_content)
    assert model.credit_basis == CreditBasis.PRO_RATA
    assert sum(line.gross_amount for line in model.lines) == Decimal("10.00")
    assert {line.vat_rate for line in model.lines} == {Decimal("0.07"), Decimal("0.19")}
    assert "split over the invoice's tax rates" in text_of(credit)


def test_cancellation_credits_the_invoice_line_by_line(django_mail):
    order = sample.create_order()
    sample.confirm(str(order.id))
    sample.ensure_channel(invoice_trigger="confirmed")
    sample.confirm(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    sample.cancel(str(order.id))
    model = model_of(docs(order, DocumentType.CREDIT_NOTE).get().document_content)
    invoiced = model_of(invoice.document_content)
    assert model.credit_basis == CreditBasis.WHOLE and model.lines == invoiced.lines
    assert model.totals.gross_total == invoiced.totals.gross_total


def test_email_summary_adds_up_with_the_discount(django_mail, django_capture_on_commit_callbacks):
    snapshot = sample.build_snapshot(discount=("Spring sale", "SPRING", "5.00", "0.19"))
    order = sample.create_order(snapshot)
    with django_capture_on_commit_callbacks(execute=True):
        sample.pay(str(order.id))
    message = next(m for m in mail.outbox if "nvoice" in m.subject)
    assert "Spring sale: -€5.00" in message.body.replace("\xa0", " ")
    assert f"Total: €{snapshot.total_gross}" in message.body.replace("\xa0", " ")
    html = message.alternatives[0][0].replace("\xa0", " ")
    assert "Spring sale" in html and "-€5.00" in html


def test_german_invoice_labels_vat_id_tax_number_supply_date_and_country_names(django_mail):
    sample.ensure_channel(locale="de", seller_tax_number="27/123/45678")
    order = sample.create_order(language_code="de")
    sample.pay(str(order.id))
    text = text_of(docs(order, DocumentType.INVOICE).get())
    assert "USt-IdNr.: DE123456789" in text and "Steuernummer: 27/123/45678" in text
    assert "Leistungsdatum (Bestelldatum)" in text
    assert "Deutschland" in text


def test_b2b_reverse_charge_invoice(django_mail):
    sample.ensure_channel(reverse_charge=True)
    buyer = Address(company_name="Koffie BV", first_name="Eva", last_name="Jansen", street_address_1="Kade 1",
                    postal_code="1011", city="Amsterdam", country="NL")
    snapshot = sample.build_snapshot(lines=[("Espresso machine", "EM-1", 1, "500.00", "0")], shipping=None,
                                     billing_address=buyer)
    import dataclasses

    order = sample.create_order(dataclasses.replace(snapshot, buyer_vat_id="NL123456789B01"))
    sample.pay(str(order.id))
    invoice = docs(order, DocumentType.INVOICE).get()
    model = model_of(invoice.document_content)
    assert invoice.status == DocumentStatus.ISSUED and model.reverse_charge
    assert [(row.category, row.tax_amount) for row in model.vat_breakdown] == [(VatCategory.REVERSE_CHARGE, 0)]
    text = text_of(invoice)
    assert "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "NL123456789B01" in text and "Koffie BV" in text and "Netherlands" in text


def test_unknown_currency_and_huge_amounts_are_held_with_an_alert_not_raised(channel):
    snapshot = sample.build_snapshot()
    import dataclasses

    for broken in (dataclasses.replace(snapshot, currency="ZZZ"),
                   dataclasses.replace(snapshot, total_gross=Decimal("1e19"))):
        order = sample.create_order(broken)
        sample.confirm(str(order.id))
        sample.update(str(order.id), total_charged=broken.total_gross, paid_at=broken.created_at,
                      charge_status="full")
        invoice = docs(order, DocumentType.INVOICE).get()
        assert invoice.status == DocumentStatus.NEEDS_REVIEW and invoice.number is None
        alert = StaffAlert.objects.filter(document=invoice).get()
        assert order.number in alert.message and "expected" in alert.message


def test_a_held_receipt_is_released_after_the_configuration_is_fixed(django_mail, django_capture_on_commit_callbacks):
    sample.ensure_channel(seller_legal_name="")
    order = sample.create_order()
    sample.pay(str(order.id))
    receipt = docs(order, DocumentType.RECEIPT).get()
    assert receipt.status == DocumentStatus.NEEDS_REVIEW
    assert {r["code"] for r in receipt.review_reasons} == {ErrorCode.MISSING_FIELD.value}
    from saypro_invoicing.hosts import get_host

    with pytest.raises(StillHeld) as held:
        release(receipt, get_host().channel_config(sample.DEFAULT_CHANNEL))
    assert held.value.reasons[0].field == "seller.legal_name"

    sample.ensure_channel(seller_legal_name="SayPro Demo GmbH")
    with django_capture_on_commit_callbacks(execute=True):
        released = release(receipt, get_host().channel_config(sample.DEFAULT_CHANNEL)).document
    assert released.status == DocumentStatus.ISSUED and released.number
    assert released.event_at == receipt.event_at
    assert any(released.number in m.subject or released.number in m.body for m in mail.outbox)
