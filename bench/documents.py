"""The documents the benchmarks render: realistic orders of 5, 50 and 500 lines, a receipt, a credit note.

Built with the sandbox host's sample data and issuing's own content builder, without a database, so that
what is rendered here is what issuing would freeze for the same order.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

PRODUCTS = [
    ("Organic Cotton T-Shirt", "19.99", "0.19"),
    ("Coffee Beans 1kg, Single Origin Ethiopia Yirgacheffe", "24.50", "0.07"),
    ("Stainless Steel Water Bottle 750 ml", "29.90", "0.19"),
    ("Recycled Paper Notebook A5, dotted", "7.95", "0.07"),
    ("Wireless Charging Pad", "34.00", "0.19"),
    ("Merino Wool Socks (3 pairs)", "21.00", "0.19"),
    ("Dark Chocolate 85% 100 g", "3.49", "0.07"),
]
ISSUED_AT = datetime(2026, 3, 14, 10, 30, tzinfo=UTC)


def lines(count: int) -> list[tuple[str, str, int, str, str]]:
    return [(name, f"SKU-{i:05d}", 1 + i % 4, gross, rate)
            for i, (name, gross, rate) in ((i, PRODUCTS[i % len(PRODUCTS)]) for i in range(count))]


def config():
    from saypro_invoicing.conf import ChannelConfig
    from saypro_invoicing.hosts.sandbox.sample import DEMO_CONFIGURATION

    return ChannelConfig.from_mapping(DEMO_CONFIGURATION, channel="default-channel")


def paid_snapshot(line_count: int, number: str = "100042"):
    from saypro_invoicing.hosts.sandbox.sample import build_snapshot
    from saypro_invoicing.snapshot import Payment

    snapshot = build_snapshot(lines=lines(line_count), created_at=ISSUED_AT - timedelta(hours=1))
    paid_at = ISSUED_AT - timedelta(minutes=5)
    payment = Payment(reference="txn-1", amount=snapshot.total_gross, captured_at=paid_at, method="Visa •••• 4242",
                      psp_reference=f"psp_{number}_1", gateway="sandbox")
    return dataclasses.replace(snapshot, order_id="9f1c2d3e-0000-4000-8000-000000000042", order_number=number,
                               status="unfulfilled", charge_status="full", total_charged=snapshot.total_gross,
                               payments=(payment,), paid_at=paid_at, confirmed_at=paid_at)


def content(kind: str, line_count: int = 5):
    """DocumentContent for kind in invoice, receipt, credit_note."""
    from saypro_invoicing.issuing import build_content
    from saypro_invoicing.snapshot import DocumentType, Refund
    from saypro_invoicing.triggers import Planned

    snapshot = paid_snapshot(line_count)
    if kind == "invoice":
        plan = Planned(DocumentType.INVOICE, "bench:invoice", snapshot.paid_at, amount=snapshot.total_gross)
    elif kind == "receipt":
        payment = snapshot.payments[0]
        plan = Planned(DocumentType.RECEIPT, "bench:receipt", payment.captured_at, payment=payment,
                       amount=payment.amount)
    elif kind == "credit_note":
        refund = Refund(reference="refund-1", amount=Decimal("24.50"), created_at=ISSUED_AT, reason="Returned goods")
        snapshot = dataclasses.replace(snapshot, refunds=(refund,), total_refunded=refund.amount)
        plan = Planned(DocumentType.CREDIT_NOTE, "bench:credit", refund.created_at, refund=refund,
                       amount=refund.amount, reason=refund.reason)
    else:
        raise ValueError(kind)
    built = build_content(snapshot, config(), plan, issued_at=ISSUED_AT)
    if kind == "credit_note":
        built = dataclasses.replace(built, corrects_number="INV-2026-000042")
    return built


NUMBERS = {"invoice": "INV-2026-000042", "receipt": "RCT-2026-000042", "credit_note": "CN-2026-000007"}

# name -> (kind, lines)
SUBJECTS = {
    "invoice_5": ("invoice", 5),
    "invoice_50": ("invoice", 50),
    "invoice_500": ("invoice", 500),
    "receipt": ("receipt", 5),
    "credit_note": ("credit_note", 5),
}
