"""Every reason of the accuracy gate, triggered: delete any check and one of these fails."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.utils import timezone

from saypro_invoicing import issuing
from saypro_invoicing.accuracy import check
from saypro_invoicing.assess import assess
from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.document.calculate import build_model
from saypro_invoicing.document.model import VatCategory
from saypro_invoicing.errors import ErrorCode
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.snapshot import DocumentType, Payment, Refund
from saypro_invoicing.triggers import Planned

NOW = timezone.now()
CONFIG = ChannelConfig.from_mapping(sample.DEMO_CONFIGURATION, channel=sample.DEFAULT_CHANNEL)


def order(**changes):
    snapshot = dataclasses.replace(sample.build_snapshot(discount=("Spring", "SPRING", "5.00", "0.19")),
                                   order_id="o1", order_number="1001")
    return dataclasses.replace(snapshot, **changes)


def content(doc_type=DocumentType.INVOICE, snapshot=None, config=CONFIG, **plan):
    snapshot = snapshot or order()
    plan.setdefault("amount", snapshot.total_gross)
    return issuing.build_content(snapshot, config, Planned(doc_type, f"o1:{doc_type}", NOW, **plan), issued_at=NOW)


def receipt_content(snapshot=None, amount=None):
    snapshot = snapshot or order()
    payment = Payment("txn-1", amount if amount is not None else snapshot.total_gross, NOW, method="Visa")
    snapshot = dataclasses.replace(snapshot, payments=(payment,), total_charged=payment.amount)
    return content(DocumentType.RECEIPT, snapshot, payment=payment, amount=payment.amount)


def codes(reasons):
    return {(r.code, r.field) for r in reasons}


def test_a_right_invoice_receipt_and_credit_note_pass():
    for built in (content(), receipt_content()):
        assessment = assess(built, CONFIG)
        assert assessment.reasons == []
        assert assessment.model.totals.gross_total == built.order.total_gross


def test_unknown_currency_is_a_reason_not_a_crash():
    reasons = assess(content(snapshot=order(currency="ZZZ")), CONFIG).reasons
    assert (ErrorCode.INVALID_CURRENCY, "currency") in codes(reasons)


@pytest.mark.parametrize("value", [Decimal("1e20"), Decimal("NaN"), Decimal("Infinity")])
def test_amounts_the_ledger_cannot_hold_are_reasons(value):
    reasons = assess(content(snapshot=order(total_gross=value)), CONFIG).reasons
    assert (ErrorCode.AMOUNT_OUT_OF_RANGE, "total_gross") in codes(reasons)


@pytest.mark.parametrize("rate", [Decimal("19"), Decimal("-0.07"), Decimal("1")])
def test_a_tax_rate_must_be_a_fraction(rate):
    snapshot = order()
    line = dataclasses.replace(snapshot.lines[0], tax_rate=rate)
    reasons = check(content(snapshot=dataclasses.replace(snapshot, lines=(line,) + snapshot.lines[1:])), None)
    assert (ErrorCode.INVALID_TAX_RATE, "lines[0].tax_rate") in codes(reasons)


def test_quantity_times_unit_price_must_make_the_line_total():
    snapshot = order()
    line = dataclasses.replace(snapshot.lines[0], unit_net=snapshot.lines[0].unit_net + 1)
    reasons = check(content(snapshot=dataclasses.replace(snapshot, lines=(line,) + snapshot.lines[1:])), None)
    reason = next(r for r in reasons if r.field == "lines[0].total_net")
    assert reason.code == ErrorCode.LINE_MISMATCH
    assert Decimal(reason.expected) == line.unit_net * line.quantity and Decimal(reason.actual) == line.total_net


def test_net_must_match_gross_at_the_rate():
    snapshot = order()
    line = dataclasses.replace(snapshot.lines[1], tax_rate=Decimal("0.19"))  # coffee priced at 7 %
    reasons = check(content(snapshot=dataclasses.replace(snapshot, lines=snapshot.lines[:1] + (line,))), None)
    assert (ErrorCode.LINE_MISMATCH, "lines[1].total_gross") in codes(reasons)


def test_shipping_net_must_match_gross_at_its_rate():
    reasons = check(content(snapshot=order(shipping_tax_rate=Decimal("0.07"))), None)
    assert (ErrorCode.LINE_MISMATCH, "shipping.total_gross") in codes(reasons)


def test_negative_line_prices_and_quantities():
    snapshot = order()
    negative = dataclasses.replace(snapshot.lines[0], unit_net=-snapshot.lines[0].unit_net)
    zero = dataclasses.replace(snapshot.lines[1], quantity=0)
    reasons = check(content(snapshot=dataclasses.replace(snapshot, lines=(negative, zero))), None)
    assert (ErrorCode.NEGATIVE_AMOUNT, "lines[0]") in codes(reasons)
    assert (ErrorCode.LINE_MISMATCH, "lines[1].quantity") in codes(reasons)


def test_required_fields():
    no_seller = CONFIG.replace(seller=dataclasses.replace(CONFIG.seller, legal_name=""))
    reasons = check(content(snapshot=order(order_number="", lines=(), customer_email="", billing_address=None),
                            config=no_seller, amount=Decimal(0)), None)
    assert {(ErrorCode.MISSING_FIELD, "order_number"), (ErrorCode.MISSING_FIELD, "seller.legal_name"),
            (ErrorCode.MISSING_FIELD, "customer"), (ErrorCode.MISSING_FIELD, "lines"),
            (ErrorCode.NEGATIVE_AMOUNT, "amount")} <= codes(reasons)


def test_totals_must_agree_with_the_host_net_and_gross():
    snapshot = order()
    for field in ("total_net", "total_gross"):
        broken = dataclasses.replace(snapshot, **{field: getattr(snapshot, field) + Decimal("0.01")})
        reasons = assess(content(snapshot=broken, amount=snapshot.total_gross), CONFIG).reasons
        reason = next(r for r in reasons if r.field == field)
        assert reason.code == ErrorCode.TOTAL_MISMATCH
        assert (reason.expected, reason.actual) == (str(getattr(broken, field)), str(getattr(snapshot, field)))


def test_invoice_amount_must_be_its_total():
    reasons = assess(content(amount=order().total_gross - 1), CONFIG).reasons
    assert (ErrorCode.TOTAL_MISMATCH, "amount") in codes(reasons)


# --- the model's own rules (BR-CO), checked on a tampered model -------------------------------------

def _tamper_line(model):
    line = dataclasses.replace(model.lines[0], net_amount=model.lines[0].net_amount + Decimal("0.01"))
    return dataclasses.replace(model, lines=(line,) + model.lines[1:])


def _totals(**changes):
    return lambda model: dataclasses.replace(model, totals=dataclasses.replace(
        model.totals, **{k: getattr(model.totals, k) + v for k, v in changes.items()}))


def _row(**changes):
    def tamper(model):
        row = model.vat_breakdown[0]
        row = dataclasses.replace(row, **{k: (getattr(row, k) + v if isinstance(v, Decimal) else v)
                                          for k, v in changes.items()})
        return dataclasses.replace(model, vat_breakdown=(row,) + model.vat_breakdown[1:])
    return tamper


TAMPERINGS = {
    "model.lines[0].net_amount": _tamper_line,
    "model.totals.line_net_total": _totals(line_net_total=Decimal("0.01")),
    "model.totals.allowance_total": _totals(allowance_total=Decimal("0.01")),
    "model.totals.charge_total": _totals(charge_total=Decimal("0.01")),
    "model.totals.net_total": _totals(net_total=Decimal("0.01")),
    "model.totals.vat_total": _totals(vat_total=Decimal("0.01")),
    "model.totals.gross_total": _totals(gross_total=Decimal("0.01")),
    "model.totals.amount_due": _totals(amount_due=Decimal("0.01")),
    "model.vat_breakdown[S 0.07].taxable_amount": _row(taxable_amount=Decimal("0.01")),
    "model.vat_breakdown[S 0.07].tax_amount": _row(tax_amount=Decimal("0.50")),
    "model.vat_breakdown": lambda model: dataclasses.replace(model, vat_breakdown=model.vat_breakdown[1:]),
}


@pytest.mark.parametrize("field", sorted(TAMPERINGS))
def test_each_calculation_rule_catches_a_tampered_model(field):
    built = content()
    model = build_model(built)
    assert check(built, model) == []
    reasons = check(built, TAMPERINGS[field](model))
    assert any(r.field == field and r.code == ErrorCode.CALCULATION_ERROR for r in reasons), reasons


def test_a_category_without_vat_carries_none_and_needs_an_exemption_reason():
    built = content()
    model = build_model(built)
    row = dataclasses.replace(model.vat_breakdown[0], category=VatCategory.EXEMPT, exemption_reason="")
    lines = tuple(dataclasses.replace(line, vat_category=VatCategory.EXEMPT) if line.vat_rate == row.rate else line
                  for line in model.lines)
    reasons = check(built, dataclasses.replace(model, lines=lines, vat_breakdown=(row,) + model.vat_breakdown[1:]))
    assert (ErrorCode.CALCULATION_ERROR, "model.vat_breakdown[E 0.07].tax_amount") in codes(reasons)
    assert (ErrorCode.MISSING_FIELD, "model.vat_breakdown[E 0.07].exemption_reason") in codes(reasons)


# --- receipts and credit notes against the host ----------------------------------------------------

def test_receipt_must_equal_the_captured_payment():
    built = receipt_content()
    model = build_model(built)
    wrong = dataclasses.replace(model, receipt=dataclasses.replace(model.receipt, payment=dataclasses.replace(
        model.receipt.payment, amount=model.receipt.payment.amount - 1)))
    assert (ErrorCode.PAYMENT_MISMATCH, "receipt.amount") in codes(check(built, wrong))
    assert (ErrorCode.PAYMENT_MISMATCH, "amount") in codes(
        check(dataclasses.replace(built, amount=built.amount - 1), model))


def test_receipt_paid_before_balance_and_paid_stamp_are_checked():
    built = receipt_content()
    model = build_model(built)
    for field, change in (("receipt.paid_before", {"paid_before": Decimal(1)}),
                          ("receipt.paid_total", {"paid_total": Decimal(1)}),
                          ("receipt.balance_due", {"balance_due": Decimal(1)}),
                          ("receipt.fully_paid", {"fully_paid": False})):
        wrong = dataclasses.replace(model, receipt=dataclasses.replace(model.receipt, **change))
        assert field in {r.field for r in check(built, wrong)}, field


def test_credit_note_limits():
    snapshot = order()
    refund = Refund("refund-1", Decimal("10.00"), NOW)
    built = dataclasses.replace(content(DocumentType.CREDIT_NOTE, snapshot, refund=refund, amount=Decimal("10.00")),
                                corrects_number="INV-1")
    model = build_model(built)
    assert check(built, model, invoiced=snapshot.total_gross) == []
    assert (ErrorCode.OVER_CREDIT, "amount") in codes(
        check(built, model, invoiced=snapshot.total_gross, credited_before=snapshot.total_gross - 5))
    small_refund = dataclasses.replace(built, refund=dataclasses.replace(refund, amount=Decimal("9.00")))
    assert (ErrorCode.PAYMENT_MISMATCH, "amount") in codes(check(small_refund, model))
    assert (ErrorCode.NOT_INVOICED, "corrects") in codes(check(dataclasses.replace(built, corrects_number=""), model))
    other_amount = dataclasses.replace(built, amount=Decimal("11.00"))
    assert (ErrorCode.PAYMENT_MISMATCH, "amount") in codes(check(other_amount, model))


def test_a_refund_naming_lines_the_order_lacks_is_held_not_raised():
    refund = Refund("refund-1", Decimal("10.00"), NOW, lines=(dataclasses.replace(
        sample.RefundLine("line-9", 1)),))
    built = dataclasses.replace(content(DocumentType.CREDIT_NOTE, refund=refund, amount=Decimal("10.00")),
                                corrects_number="INV-1")
    reasons = assess(built, CONFIG).reasons
    assert (ErrorCode.LINE_MISMATCH, "refund.lines") in codes(reasons)


def test_unit_gross_times_quantity_must_make_the_gross_total():
    snapshot = order()
    line = dataclasses.replace(snapshot.lines[0], unit_gross=snapshot.lines[0].unit_gross + 1)
    reasons = check(content(snapshot=dataclasses.replace(snapshot, lines=(line,) + snapshot.lines[1:])), None)
    assert (ErrorCode.LINE_MISMATCH, "lines[0].total_gross") in codes(reasons)


def test_line_allowances_and_charges_are_not_negative():
    built = content()
    model = build_model(built)
    line = dataclasses.replace(model.lines[0], allowance=Decimal("-0.01"), charge=Decimal("-0.01"))
    reasons = check(built, dataclasses.replace(model, lines=(line,) + model.lines[1:]))
    assert codes(reasons) == {(ErrorCode.CALCULATION_ERROR, "model.lines[0]")}


def test_standard_rated_vat_needs_a_rate():
    built = content(snapshot=order(lines=(dataclasses.replace(order().lines[0], tax_rate=Decimal(0),
                                                              unit_net=order().lines[0].unit_gross,
                                                              total_net=order().lines[0].total_gross),),
                                   discounts=(), shipping_net=Decimal(0), shipping_gross=Decimal(0),
                                   total_net=order().lines[0].total_gross, total_gross=order().lines[0].total_gross))
    model = build_model(built)
    assert check(built, model) == []
    line = dataclasses.replace(model.lines[0], vat_category=VatCategory.STANDARD)
    row = dataclasses.replace(model.vat_breakdown[0], category=VatCategory.STANDARD)
    reasons = check(built, dataclasses.replace(model, lines=(line,), vat_breakdown=(row,)))
    assert (ErrorCode.CALCULATION_ERROR, "model.vat_breakdown[S 0]") in codes(reasons)


def test_reverse_charge_needs_both_vat_ids():
    built = content()
    model = build_model(built)
    reasons = check(built, dataclasses.replace(model, reverse_charge=True, seller=dataclasses.replace(
        model.seller, vat_id="")))
    assert (ErrorCode.MISSING_FIELD, "model.buyer.vat_id") in codes(reasons)


def test_a_receipt_model_without_its_payment_is_held():
    built = receipt_content()
    reasons = check(built, dataclasses.replace(build_model(built), receipt=None))
    assert (ErrorCode.MISSING_FIELD, "payment") in codes(reasons)


def test_a_credit_note_credits_a_positive_amount_and_never_more_than_was_ordered():
    snapshot = order()
    refund = Refund("refund-1", snapshot.lines[1].total_gross, NOW, lines=(sample.RefundLine("line-2", 1),))
    built = dataclasses.replace(content(DocumentType.CREDIT_NOTE, snapshot, refund=refund, amount=refund.amount),
                                corrects_number="INV-1")
    model = build_model(built)
    assert check(built, model) == []
    more = dataclasses.replace(model.lines[0], quantity=Decimal(2))
    assert (ErrorCode.OVER_CREDIT, "model.lines[0].quantity") in codes(
        check(built, dataclasses.replace(model, lines=(more,))))
    zero = dataclasses.replace(model, totals=dataclasses.replace(model.totals, gross_total=Decimal(0)))
    assert (ErrorCode.NEGATIVE_AMOUNT, "model.totals.gross_total") in codes(check(built, zero))
