"""Property-based: over generated orders the model passes the gate, every figure a reader sees is the model's,
and per order, invoices minus credit notes equal what was charged net of refunds."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pypdf
import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saypro_invoicing import issuing
from saypro_invoicing.assess import assess
from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.money import minor_unit
from saypro_invoicing.rendering.figures import summary
from saypro_invoicing.rendering.pdf import render_document_pdf
from saypro_invoicing.snapshot import DocumentType, Payment
from saypro_invoicing.triggers import Planned

CONFIG = ChannelConfig.from_mapping(sample.DEMO_CONFIGURATION, channel=sample.DEFAULT_CHANNEL)
RATES = ["0", "0.05", "0.07", "0.19", "0.2"]


@st.composite
def orders(draw):
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    unit = minor_unit(currency)
    lines = []
    for i in range(draw(st.integers(1, 5))):
        units = draw(st.integers(1, 99999))
        quantity, rate = draw(st.integers(1, 12)), draw(st.sampled_from(RATES))
        lines.append((f"Item {i}", f"SKU-{i}", quantity, str(units * unit), rate))
    shipping = None
    if draw(st.booleans()):
        shipping = ("Courier", str(draw(st.integers(0, 2000)) * unit), draw(st.sampled_from(RATES)))
    snapshot = sample.build_snapshot(lines=lines, currency=currency, shipping=shipping)
    if draw(st.booleans()):
        subtotal = sum((line.total_gross for line in snapshot.lines), Decimal(0))
        amount = (draw(st.integers(1, 100)) * subtotal / 400).quantize(unit)
        if amount > 0:
            snapshot = sample.build_snapshot(lines=lines, currency=currency, shipping=shipping,
                                             discount=("Voucher", "SAVE", str(amount), draw(st.sampled_from(RATES))))
    return dataclasses.replace(snapshot, order_id="o", order_number="42")


def content(snapshot, doc_type=DocumentType.INVOICE):
    now = timezone.now()
    payment = Payment("txn-1", snapshot.total_gross, now, method="Visa")
    snapshot = dataclasses.replace(snapshot, payments=(payment,), total_charged=snapshot.total_gross)
    plan = Planned(doc_type, "k", now, payment=payment if doc_type == DocumentType.RECEIPT else None,
                   amount=snapshot.total_gross)
    return issuing.build_content(snapshot, CONFIG, plan, issued_at=now)


@settings(max_examples=150, deadline=None)
@given(orders())
def test_generated_orders_make_models_that_pass_the_gate(snapshot):
    for doc_type in (DocumentType.INVOICE, DocumentType.RECEIPT):
        assessment = assess(content(snapshot, doc_type), CONFIG)
        assert assessment.reasons == []
        t = assessment.model.totals
        assert (t.net_total, t.gross_total) == (snapshot.total_net, snapshot.total_gross)


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() or "" for p in reader.pages).replace("\xa0", " ").replace("\u202f", " ")


def _figures(figures: dict) -> list[str]:
    shown = [line["total"] for line in figures["lines"]]
    shown += [c["amount"] for c in figures["charges"]] + [a["amount"] for a in figures["allowances"]]
    shown += [row[k] for row in figures["taxes"] for k in ("net", "tax", "gross")]
    shown += [v for v in figures["totals"].values() if v]
    return [s.replace("\xa0", " ").replace("\u202f", " ") for s in shown]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders(), st.sampled_from([DocumentType.INVOICE, DocumentType.RECEIPT]))
def test_every_figure_in_the_pdf_and_the_email_is_the_models(snapshot, doc_type):
    assessment = assess(content(snapshot, doc_type), CONFIG)
    model = assessment.model
    with translation.override("en"):
        figures = summary(model, "en")
        text = _pdf_text(render_document_pdf(assessment.content, number="INV-1"))
        email = render_to_string("saypro_invoicing/emails/_summary.txt",
                                 {"order_number": "42", "summary": figures}).replace("\xa0", " ")
    for shown in _figures(figures):
        assert shown in text
    for line in figures["lines"]:
        assert line["total"].replace("\xa0", " ") in email
    assert figures["totals"]["gross"].replace("\xa0", " ") in email
    # The summary adds up as printed: lines + charges - allowances = total.
    t = model.totals
    assert sum(line.gross_amount for line in model.lines) + sum(c.gross_amount for c in model.charges) - sum(
        a.gross_amount for a in model.allowances) == t.gross_total


refund_steps = st.lists(st.one_of(
    st.tuples(st.just("amount"), st.integers(1, 60)),
    st.tuples(st.just("line"), st.integers(0, 4)),
    st.tuples(st.just("cancel"), st.just(0)),
), max_size=4)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders(), refund_steps)
def test_invoices_minus_credit_notes_equal_charged_net_of_refunds(channel, snapshot, steps):
    sample.ensure_channel(email_backend="django")
    with transaction.atomic():
        order = sample.create_order(dataclasses.replace(snapshot, order_id="", order_number=""), notify=False)
        oid = str(order.id)
        sample.pay(oid)
        for kind, value in steps:
            current = sample.get(oid)
            left = current.total_charged - current.total_refunded
            if kind == "amount" and left > 0:
                sample.refund(oid, min(left, (current.total_gross * value / 100).quantize(minor_unit(current.currency))
                                       or minor_unit(current.currency)))
            elif kind == "line" and value < len(current.lines) and left >= current.lines[value].total_gross:
                sample.refund(oid, lines=[(current.lines[value].line_id, current.lines[value].quantity)])
            elif kind == "cancel":
                sample.cancel(oid)
        final = sample.get(oid)
        documents = BillingDocument.objects.filter(order_id=oid).exclude(status=DocumentStatus.VOID)
        assert not documents.filter(status=DocumentStatus.NEEDS_REVIEW).exists(), [
            d.review_reasons for d in documents.filter(status=DocumentStatus.NEEDS_REVIEW)]
        invoiced = sum(d.total for d in documents if d.type == DocumentType.INVOICE)
        credited = sum(d.total for d in documents if d.type == DocumentType.CREDIT_NOTE)
        assert credited <= invoiced
        if final.status != "canceled":
            assert invoiced - credited == final.total_charged - final.total_refunded
        else:
            assert credited == invoiced
        transaction.set_rollback(True)
