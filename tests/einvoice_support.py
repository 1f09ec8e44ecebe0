"""Orders and documents for the e-invoice tests: a hypothesis generator of consistent orders whose
documents the real calculation (document.calculate.build_model) turns into models.

Scenarios: domestic sales with mixed rates (standard, reduced, zero), reverse charge to an EU business
(AE), tax-exempt orders (E), exports (G); order discounts (BG-20) and shipping (BG-21); line totals whose
rounding makes line allowances and charges; EUR, JPY (no decimals) and KWD (three); invoices and credit
notes for lines, for an amount, and for the whole invoice.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from saypro_invoicing.document.calculate import build_model
from saypro_invoicing.document.model import BillingModel
from saypro_invoicing.money import minor_unit, quantize
from saypro_invoicing.snapshot import (
    Address,
    Discount,
    DocumentContent,
    DocumentType,
    Line,
    OrderSnapshot,
    Refund,
    RefundLine,
    Seller,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "einvoicing" / "examples"
ISSUED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
GLN = "4035811991021"  # a GLN with a valid check digit (Peppol checks scheme 0088's)

SELLER = Seller(legal_name="SayPro Demo GmbH",
                address=Address(street_address_1="Musterstraße 1", postal_code="10115", city="Berlin", country="DE"),
                vat_id="DE123456789", tax_number="27/123/45678", electronic_address="DE123456789",
                electronic_scheme="9930", contact_name="Max Muster", email="billing@shop.example",
                phone="+49 30 123456")
BUYER_DE = Address(first_name="Jane", last_name="Doe", company_name="Acme Einkauf GmbH",
                   street_address_1="Hauptstraße 5", postal_code="80331", city="München", country="DE")
BUYER_FR = Address(first_name="Jean", last_name="Dupont", company_name="Acme SARL", street_address_1="1 rue de Paris",
                   postal_code="75001", city="Paris", country="FR")
BUYER_US = Address(first_name="John", last_name="Smith", company_name="Acme Inc.", street_address_1="1 Main St",
                   postal_code="10001", city="New York", country="US")

SCENARIOS = ("domestic", "reverse_charge", "exempt", "export")


@dataclasses.dataclass(frozen=True)
class Case:
    scenario: str
    order: OrderSnapshot
    invoice: BillingModel
    credit_note: BillingModel
    reverse_charge: bool


def snapshot(lines: list[tuple[int, Decimal, Decimal]], *, currency: str = "EUR", scenario: str = "domestic",
             shipping: tuple[Decimal, Decimal] | None = None, discount: tuple[Decimal, Decimal] | None = None,
             number: str = "1001", buyer_reference: str = "04011000-12345-03", purchase_order: str = "PO-77",
             electronic_address: str = GLN, electronic_scheme: str = "0088", paid: bool = False) -> OrderSnapshot:
    """lines: (quantity, unit gross, rate); shipping and discount: (gross, rate). Totals add up."""
    built = []
    for i, (quantity, unit_gross, rate) in enumerate(lines, start=1):
        unit_gross = quantize(unit_gross, currency)
        total_gross = quantize(unit_gross * quantity, currency)
        built.append(Line(product_name=f"Product {i}", sku=f"SKU-{i}", quantity=quantity, unit_gross=unit_gross,
                          unit_net=quantize(unit_gross / (1 + rate), currency), total_gross=total_gross,
                          total_net=quantize(total_gross / (1 + rate), currency), tax_rate=rate,
                          variant_name="Blue" if i % 2 else "", line_id=f"L{i}"))
    ship_net = ship_gross = ship_rate = Decimal(0)
    if shipping:
        ship_gross, ship_rate = quantize(shipping[0], currency), shipping[1]
        ship_net = quantize(ship_gross / (1 + ship_rate), currency)
    discounts: tuple[Discount, ...] = ()
    if discount:
        d_gross = quantize(discount[0], currency)
        discounts = (Discount(name="Voucher", code="SAVE", kind="voucher", amount_gross=d_gross,
                              amount_net=quantize(d_gross / (1 + discount[1]), currency), included_in_lines=False,
                              tax_rate=discount[1]),)
    total_gross = sum((li.total_gross for li in built), Decimal(0)) + ship_gross - sum(
        (d.amount_gross for d in discounts), Decimal(0))
    total_net = sum((li.total_net for li in built), Decimal(0)) + ship_net - sum(
        (d.amount_net for d in discounts), Decimal(0))
    billing = {"domestic": BUYER_DE, "reverse_charge": BUYER_FR, "exempt": BUYER_DE, "export": BUYER_US}[scenario]
    vat_id = {"domestic": "DE987654321", "reverse_charge": "FR12345678901", "exempt": "DE987654321",
              "export": ""}[scenario]
    return OrderSnapshot(
        order_id=f"order-{number}", order_number=number, channel="default-channel", currency=currency,
        created_at=ISSUED - timedelta(days=2), total_net=total_net, total_gross=total_gross, lines=tuple(built),
        shipping_method="DHL" if shipping else "", shipping_net=ship_net, shipping_gross=ship_gross,
        shipping_tax_rate=ship_rate, discounts=discounts, voucher_code="SAVE" if discounts else "",
        customer_email="jane@example.com", billing_address=billing, shipping_address=billing,
        total_charged=total_gross if paid else Decimal(0), buyer_vat_id=vat_id, buyer_reference=buyer_reference,
        buyer_order_reference=purchase_order, buyer_electronic_address=electronic_address,
        buyer_electronic_scheme=electronic_scheme, tax_exempt=scenario == "exempt",
        fulfilled_at=ISSUED - timedelta(days=1))


def invoice_content(order: OrderSnapshot, seller: Seller = SELLER) -> DocumentContent:
    return DocumentContent(type=DocumentType.INVOICE, order=order, seller=seller, amount=order.total_gross,
                           issued_at=ISSUED, due_at=ISSUED + timedelta(days=14), payment_terms_days=14,
                           payment_instructions="Bank transfer to DE02 1203 0000 0000 2020 51")


def credit_content(order: OrderSnapshot, *, amount: Decimal, refund: Refund | None = None,
                   seller: Seller = SELLER) -> DocumentContent:
    return DocumentContent(type=DocumentType.CREDIT_NOTE, order=order, seller=seller, amount=amount, refund=refund,
                           issued_at=ISSUED + timedelta(days=3), corrects_number="INV-2026-000001",
                           corrects_issued_at=ISSUED, reason="Returned goods")


def invoice_model(order: OrderSnapshot, *, reverse_charge: bool = False, seller: Seller = SELLER) -> BillingModel:
    return build_model(invoice_content(order, seller), reverse_charge=reverse_charge)


def credit_model(order: OrderSnapshot, invoice: BillingModel, kind: str, *, reverse_charge: bool = False,
                 fraction: Decimal = Decimal("0.5"), seller: Seller = SELLER) -> BillingModel:
    if kind == "lines":
        line = order.lines[0]
        refund = Refund(reference="r1", amount=line.total_gross, created_at=ISSUED, reason="Returned",
                        lines=(RefundLine(line.line_id, max(1, line.quantity // 2)),),
                        includes_shipping=bool(order.shipping_gross))
        content = credit_content(order, amount=line.total_gross, refund=refund, seller=seller)
        return build_model(content, reverse_charge=reverse_charge, corrected=invoice)
    if kind == "whole":
        content = credit_content(order, amount=invoice.totals.gross_total, seller=seller)
        return build_model(content, reverse_charge=reverse_charge, corrected=invoice, whole=True)
    amount = max(quantize(invoice.totals.gross_total * fraction, order.currency), minor_unit(order.currency))
    return build_model(credit_content(order, amount=amount, seller=seller), reverse_charge=reverse_charge,
                       corrected=invoice)


RATES = {"domestic": [Decimal("0.19"), Decimal("0.07"), Decimal(0)],
         "reverse_charge": [Decimal(0), Decimal(0), Decimal("0.19")],
         "exempt": [Decimal(0)], "export": [Decimal(0), Decimal(0), Decimal("0.07")]}


@st.composite
def cases(draw, currencies: tuple[str, ...] = ("EUR", "EUR", "JPY", "KWD")) -> Case:
    currency = draw(st.sampled_from(currencies))
    scenario = draw(st.sampled_from(SCENARIOS))
    unit = minor_unit(currency)
    scale = Decimal(100) if currency == "JPY" else Decimal(1)
    rates = RATES[scenario]
    cents = st.integers(min_value=1, max_value=50000)
    lines = draw(st.lists(st.tuples(st.integers(1, 5), cents.map(lambda c: (Decimal(c) / 100 * scale)),
                                    st.sampled_from(rates)), min_size=1, max_size=4))
    lines = [(q, max(quantize(g, currency), unit), r) for q, g, r in lines]
    shipping = draw(st.none() | st.tuples(st.sampled_from(["4.90", "0.00", "12.35"]).map(
        lambda g: Decimal(g) * scale), st.sampled_from(rates)))
    if shipping and not shipping[0]:
        shipping = None
    items_gross = sum((quantize(g * q, currency) for q, g, _r in lines), Decimal(0))
    discount = None
    if draw(st.booleans()):
        share = draw(st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.333")]))
        d_gross = quantize(items_gross * share, currency)
        if d_gross > 0:
            discount = (d_gross, draw(st.sampled_from(sorted({r for _q, _g, r in lines}))))
    paid = draw(st.booleans())
    order = snapshot(lines, currency=currency, scenario=scenario, shipping=shipping, discount=discount, paid=paid)
    reverse_charge = scenario == "reverse_charge"
    invoice = invoice_model(order, reverse_charge=reverse_charge)
    kind = draw(st.sampled_from(["lines", "amount", "whole"]))
    fraction = draw(st.sampled_from([Decimal("0.01"), Decimal("0.5"), Decimal("1")]))
    credit_note = credit_model(order, invoice, kind, reverse_charge=reverse_charge, fraction=fraction)
    return Case(scenario, order, invoice, credit_note, reverse_charge)


def example(name: str) -> Path | None:
    path = EXAMPLES / name
    return path if path.is_file() else None
