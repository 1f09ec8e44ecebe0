"""Sample orders for the sandbox host: consistent totals, and the operations a shop performs on them.

Each operation stores the new state and, like a Saleor hook, tells the plugin (unless notify=False,
which is how tests simulate a missed hook).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ...events import order_changed
from ...money import quantize
from ...snapshot import Address, Discount, Line, OrderSnapshot, Payment, Refund, RefundLine, from_json, to_json
from .models import SandboxChannel, SandboxOrder

DEFAULT_CHANNEL = "default-channel"

DEMO_CONFIGURATION: dict[str, Any] = {
    "shop_name": "SayPro Demo Shop",
    "seller_legal_name": "SayPro Demo GmbH",
    "seller_address": "Musterstraße 1\n10115 Berlin\nDE",
    "seller_tax_id": "DE123456789",
    "seller_email": "billing@shop.example",
    "logo": "logo.svg",
    "from_email": "SayPro Demo Shop <billing@shop.example>",
    "reply_to": "support@shop.example",
    "support_contact": "support@shop.example",
    "staff_alert_email": "staff@shop.example",
    "smtp_host": "127.0.0.1",
    "smtp_port": "2525",
    "smtp_use_tls": False,
    "document_url_pattern": "https://shop.example/account/documents/{document_id}",
    "payment_url_pattern": "https://shop.example/pay/{order_id}",
    "payment_instructions": "Bank transfer: IBAN DE02 1203 0000 0000 2020 51, or pay online.",
}


def ensure_channel(slug: str = DEFAULT_CHANNEL, **configuration: Any) -> SandboxChannel:
    channel, _ = SandboxChannel.objects.get_or_create(slug=slug, defaults={"configuration": DEMO_CONFIGURATION})
    if configuration:
        channel.configuration = {**channel.configuration, **configuration}
        channel.save(update_fields=["configuration"])
    return channel


def build_snapshot(
    *,
    lines: list[tuple[str, str, int, str, str]] | None = None,
    currency: str = "EUR",
    channel: str = DEFAULT_CHANNEL,
    number: str | None = None,
    email: str = "jane@example.com",
    user_id: str = "",
    language_code: str = "en",
    shipping: tuple[str, str, str] | None = ("DHL Express", "4.90", "0.19"),
    discount: tuple[str, str, str, str] | None = None,
    billing_address: Address | None = None,
    created_at: datetime | None = None,
) -> OrderSnapshot:
    """An unpaid, unconfirmed order whose totals add up.

    lines: (name, sku, quantity, unit gross, tax rate); shipping: (method, gross, rate);
    discount: (name, voucher code, gross amount, rate) applied at order level.
    """
    lines = lines or [("Organic Cotton T-Shirt", "TS-001", 2, "19.99", "0.19"), ("Coffee Beans 1kg", "CB-1", 1,
                                                                                  "24.50", "0.07")]
    built = []
    for position, (name, sku, qty, unit_gross, rate) in enumerate(lines, start=1):
        gross, r = Decimal(unit_gross), Decimal(rate)
        total_gross = quantize(gross * qty, currency)
        built.append(Line(product_name=name, sku=sku, quantity=qty, unit_gross=quantize(gross, currency),
                          unit_net=quantize(gross / (1 + r), currency), total_gross=total_gross,
                          total_net=quantize(total_gross / (1 + r), currency), tax_rate=r,
                          variant_name="M" if "Shirt" in name else "", line_id=f"line-{position}"))
    ship_method, ship_gross, ship_net, ship_rate = "", Decimal(0), Decimal(0), Decimal(0)
    if shipping:
        ship_method, ship_gross, ship_rate = shipping[0], Decimal(shipping[1]), Decimal(shipping[2])
        ship_gross = quantize(ship_gross, currency)
        ship_net = quantize(ship_gross / (1 + ship_rate), currency)
    discounts: tuple[Discount, ...] = ()
    if discount:
        d_gross, d_rate = quantize(Decimal(discount[2]), currency), Decimal(discount[3])
        discounts = (Discount(name=discount[0], code=discount[1], kind="voucher", amount_gross=d_gross,
                              amount_net=quantize(d_gross / (1 + d_rate), currency), included_in_lines=False,
                              tax_rate=d_rate),)
    total_gross = sum((li.total_gross for li in built), Decimal(0)) + ship_gross - sum(
        (d.amount_gross for d in discounts), Decimal(0))
    total_net = sum((li.total_net for li in built), Decimal(0)) + ship_net - sum(
        (d.amount_net for d in discounts), Decimal(0))
    created = created_at or timezone.now()
    address = billing_address or Address(first_name="Jane", last_name="Doe", street_address_1="Main Street 5",
                                         postal_code="10115", city="Berlin", country="DE")
    return OrderSnapshot(
        order_id="", order_number=number or "", channel=channel, currency=currency, created_at=created,
        total_net=total_net, total_gross=total_gross, lines=tuple(built), shipping_method=ship_method,
        shipping_net=ship_net, shipping_gross=ship_gross, shipping_tax_rate=ship_rate, discounts=discounts,
        voucher_code=discounts[0].code if discounts else "", language_code=language_code, customer_email=email,
        customer_user_id=user_id, billing_address=address, shipping_address=address, status="unconfirmed",
        charge_status="none",
    )


def create_order(snapshot: OrderSnapshot | None = None, *, notify: bool = True, **kwargs: Any) -> SandboxOrder:
    snapshot = snapshot or build_snapshot(**kwargs)
    ensure_channel(snapshot.channel)
    order = SandboxOrder(channel=snapshot.channel, user_id=snapshot.customer_user_id,
                         created_at=snapshot.created_at, updated_at=snapshot.created_at)
    number = snapshot.order_number or str(_next_number())
    snapshot = dataclasses.replace(snapshot, order_id=str(order.id), order_number=number)
    order.number, order.data = number, to_json(snapshot)
    order.save(force_insert=True)
    if notify:
        _notify(order)
    return order


def _next_number() -> int:
    """Sequential like Saleor's order numbers; unique even after rows were added by hand."""
    numbers = [int(n) for n in SandboxOrder.objects.values_list("number", flat=True) if n.isdigit()]
    return max(numbers, default=0) + 1


def update(order_id: str, *, notify: bool = True, at: datetime | None = None, **changes: Any) -> OrderSnapshot:
    order = SandboxOrder.objects.get(pk=order_id)
    snapshot = dataclasses.replace(from_json(OrderSnapshot, order.data), **changes)
    order.data, order.updated_at = to_json(snapshot), at or timezone.now()
    order.save(update_fields=["data", "updated_at"])
    if notify:
        _notify(order)
    return snapshot


def get(order_id: str) -> OrderSnapshot:
    return from_json(OrderSnapshot, SandboxOrder.objects.get(pk=order_id).data)


def confirm(order_id: str, *, at: datetime | None = None, notify: bool = True) -> OrderSnapshot:
    at = at or timezone.now()
    return update(order_id, status="unfulfilled", confirmed_at=at, at=at, notify=notify)


def pay(order_id: str, amount: Decimal | str | None = None, *, method: str = "Visa •••• 4242",
        at: datetime | None = None, notify: bool = True) -> OrderSnapshot:
    at = at or timezone.now()
    snapshot = get(order_id)
    value = quantize(Decimal(str(amount)) if amount is not None else snapshot.total_gross - snapshot.total_charged,
                     snapshot.currency)
    payment = Payment(reference=f"txn-{len(snapshot.payments) + 1}", amount=value, captured_at=at, method=method,
                      psp_reference=f"psp_{snapshot.order_number}_{len(snapshot.payments) + 1}", gateway="sandbox")
    charged = snapshot.total_charged + value
    fully = charged >= snapshot.total_gross
    status = "unfulfilled" if snapshot.status in ("unconfirmed", "draft") else snapshot.status
    return update(order_id, payments=snapshot.payments + (payment,), total_charged=charged,
                  charge_status="full" if fully else "partial", paid_at=at if fully else None, status=status,
                  confirmed_at=snapshot.confirmed_at or at, at=at, notify=notify)


def refund(order_id: str, amount: Decimal | str | None = None, *, reason: str = "Returned goods",
           at: datetime | None = None, notify: bool = True, lines: list[tuple[str, int]] | None = None,
           includes_shipping: bool = False) -> OrderSnapshot:
    """Refund an amount, or order lines ((line_id, quantity), ...) and/or shipping, priced as the order was."""
    at = at or timezone.now()
    snapshot = get(order_id)
    if amount is None:
        by_id = {line.line_id: line for line in snapshot.lines}
        amount = sum((quantize(by_id[line_id].total_gross * qty / by_id[line_id].quantity, snapshot.currency)
                      for line_id, qty in lines or ()), Decimal(0)) + (
            snapshot.shipping_gross if includes_shipping else Decimal(0))
    value = quantize(Decimal(str(amount)), snapshot.currency)
    item = Refund(reference=f"refund-{len(snapshot.refunds) + 1}", amount=value, created_at=at, reason=reason,
                  lines=tuple(RefundLine(line_id, qty) for line_id, qty in lines or ()),
                  includes_shipping=includes_shipping)
    return update(order_id, refunds=snapshot.refunds + (item,), total_refunded=snapshot.total_refunded + value,
                  at=at, notify=notify)


def fulfill(order_id: str, *, at: datetime | None = None, notify: bool = True) -> OrderSnapshot:
    at = at or timezone.now()
    return update(order_id, status="fulfilled", fulfilled_at=at, at=at, notify=notify)


def cancel(order_id: str, *, at: datetime | None = None, notify: bool = True) -> OrderSnapshot:
    at = at or timezone.now()
    return update(order_id, status="canceled", cancelled_at=at, at=at, notify=notify)


def _notify(order: SandboxOrder) -> None:
    order_changed(str(order.id))

