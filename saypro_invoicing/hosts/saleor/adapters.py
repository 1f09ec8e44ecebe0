"""Saleor's Order (lines, discounts, transactions, legacy payments, addresses) -> our OrderSnapshot.

The only place that reads Saleor's order and payment models. Money comes from Saleor's stored
prices (net and gross amounts), never recomputed, so the accuracy gate checks Saleor's own figures.

Since Saleor 3.20 order-level discounts (entire-order vouchers, order promotions, manual order
discounts) are spread over the line totals and the shipping price (order/base_calculations.py,
propagate_order_discount_on_order_prices), and ``order.total = subtotal + shipping``
(tax/calculations/order.py, order/calculations.py _apply_tax_data). Every discount is therefore
``included_in_lines``: shown on the document, never subtracted a second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from saleor.order import OrderEvents, OrderStatus
from saleor.order.models import Fulfillment, Order, OrderEvent

from ...buyer import buyer_fields
from ...errors import DocumentNotFound
from ...money import quantize
from ...snapshot import Address, Discount, Line, OrderSnapshot, Payment
from .movements import REFUND_FULFILMENTS, money_movements

# Order events that date a status change; the rest of an order's history is not read.
_DATED_EVENTS = (
    OrderEvents.CONFIRMED, OrderEvents.PLACED, OrderEvents.PLACED_FROM_DRAFT,
    OrderEvents.PLACED_AUTOMATICALLY_FROM_PAID_CHECKOUT, OrderEvents.CANCELED,
    OrderEvents.FULFILLMENT_FULFILLED_ITEMS,
)
_DISCOUNT_KINDS = {"voucher": "voucher", "order_promotion": "promotion", "promotion": "promotion",
                   "sale": "promotion", "manual": "manual"}


def order_queryset() -> Any:
    """Orders with everything a snapshot reads, in a fixed number of queries."""
    return Order.objects.select_related("user", "billing_address", "shipping_address", "channel",
                                        "channel__tax_configuration").prefetch_related(
        "lines",
        "discounts",
        "payment_transactions__events",
        "payments__transactions",
        "granted_refunds__lines",
        Prefetch("fulfillments", queryset=Fulfillment.objects.filter(status__in=REFUND_FULFILMENTS)
                 .prefetch_related("lines").order_by("created_at", "pk"), to_attr="saypro_refund_fulfilments"),
        Prefetch("events", queryset=OrderEvent.objects.filter(type__in=_DATED_EVENTS).order_by("date", "pk"),
                 to_attr="saypro_dated_events"),
    )


def load_order(order_id: str) -> Order:
    try:
        pk = uuid.UUID(str(order_id))
    except ValueError as exc:
        raise DocumentNotFound(f"Order {order_id} does not exist.") from exc
    order = order_queryset().filter(pk=pk).first()
    if order is None:
        raise DocumentNotFound(f"Order {order_id} does not exist.")
    return order


def order_snapshot(order: Order) -> OrderSnapshot:
    """The snapshot of an order loaded with ``order_queryset()`` (or any order, with more queries)."""
    currency = order.currency
    payments, refunds, adjustment = money_movements(order)
    total_charged = quantize(sum((p.amount for p in payments), Decimal(0)) + adjustment, currency)
    total_refunded = quantize(sum((r.amount for r in refunds), Decimal(0)), currency)
    total_gross = quantize(order.total_gross_amount, currency)
    dated = _dated_events(order)
    billing = _address(order.billing_address)
    shipping = _address(order.shipping_address)
    return OrderSnapshot(
        order_id=str(order.pk),
        order_number=str(order.number),
        channel=order.channel.slug,
        currency=currency,
        created_at=order.created_at,
        total_net=quantize(order.total_net_amount, currency),
        total_gross=total_gross,
        lines=tuple(_line(line, currency) for line in sorted(order.lines.all(), key=_line_order)),
        shipping_method=order.shipping_method_name or order.collection_point_name or "",
        shipping_net=quantize(order.shipping_price_net_amount, currency),
        shipping_gross=quantize(order.shipping_price_gross_amount, currency),
        shipping_tax_rate=_rate(order.shipping_tax_rate, order.shipping_price_net_amount,
                                order.shipping_price_gross_amount),
        discounts=tuple(_discount(d, order) for d in order.discounts.all()),
        voucher_code=order.voucher_code or "",
        prices_entered_with_tax=_prices_entered_with_tax(order),
        language_code=order.language_code or "en",
        customer_email=order.get_customer_email() or "",
        customer_user_id=user_key(order.user_id),
        customer_phone=str((order.billing_address.phone if order.billing_address else "") or ""),
        billing_address=billing,
        shipping_address=shipping,
        status=order.status,
        charge_status=order.charge_status,
        total_charged=total_charged,
        total_refunded=total_refunded,
        payments=payments,
        refunds=refunds,
        customer_note=order.customer_note or "",
        tax_exempt=bool(order.tax_exemption),
        **buyer_fields(order.metadata),
        confirmed_at=_confirmed_at(order, dated),
        paid_at=_paid_at(payments, total_gross),
        fulfilled_at=_last(dated, OrderEvents.FULFILLMENT_FULFILLED_ITEMS) if order.status in (
            OrderStatus.FULFILLED, OrderStatus.PARTIALLY_RETURNED, OrderStatus.RETURNED) else None,
        cancelled_at=(_last(dated, OrderEvents.CANCELED) or order.updated_at)
        if order.status == OrderStatus.CANCELED else None,
    )


def user_key(user_id: Any) -> str:
    """How a Saleor user is named on our documents and in Requestor.user_id: the user's primary key."""
    return str(user_id) if user_id else ""


# --- lines, discounts, addresses --------------------------------------------------------------


def _line_order(line: Any) -> tuple:
    return (line.created_at, str(line.pk))


def _line(line: Any, currency: str) -> Line:
    undiscounted = quantize(line.undiscounted_unit_price_gross_amount, currency)
    unit_gross = quantize(line.unit_price_gross_amount, currency)
    return Line(
        product_name=line.translated_product_name or line.product_name,
        variant_name=line.translated_variant_name or line.variant_name or "",
        sku=line.product_sku or "",
        quantity=line.quantity,
        unit_net=quantize(line.unit_price_net_amount, currency),
        unit_gross=unit_gross,
        total_net=quantize(line.total_price_net_amount, currency),
        total_gross=quantize(line.total_price_gross_amount, currency),
        tax_rate=_rate(line.tax_rate, line.total_price_net_amount, line.total_price_gross_amount),
        undiscounted_unit_gross=undiscounted if undiscounted != unit_gross else None,
        line_id=str(line.pk),
    )


def _rate(stored: Decimal | None, net: Decimal, gross: Decimal) -> Decimal:
    """Saleor stores rates as fractions (0.23); where none is stored, derive it from the prices."""
    if stored is not None:
        return Decimal(stored).normalize()
    if not net:
        return Decimal(0)
    return ((Decimal(gross) - Decimal(net)) / Decimal(net)).quantize(Decimal("0.0001")).normalize()


def _discount(discount: Any, order: Order) -> Discount:
    currency = order.currency
    gross = quantize(discount.amount_value, currency)
    # Saleor keeps one amount per order discount; its net share follows the order's net/gross ratio.
    net = quantize(gross * order.total_net_amount / order.total_gross_amount, currency) \
        if order.total_gross_amount else gross
    return Discount(
        name=discount.translated_name or discount.name or discount.reason or discount.voucher_code
        or discount.type.replace("_", " ").capitalize(),
        amount_gross=gross,
        amount_net=net,
        kind=_DISCOUNT_KINDS.get(discount.type, "manual"),
        code=discount.voucher_code or "",
        included_in_lines=True,
    )


def _address(address: Any) -> Address | None:
    if address is None:
        return None
    return Address(
        first_name=address.first_name, last_name=address.last_name, company_name=address.company_name,
        street_address_1=address.street_address_1, street_address_2=address.street_address_2,
        postal_code=address.postal_code, city=address.city, city_area=address.city_area,
        country_area=address.country_area, country=getattr(address.country, "code", "") or "",
        phone=str(address.phone or ""),
    )


def _prices_entered_with_tax(order: Order) -> bool:
    configuration = getattr(order.channel, "tax_configuration", None)
    return bool(configuration.prices_entered_with_tax) if configuration is not None else True


# --- status times -----------------------------------------------------------------------------


def _dated_events(order: Order) -> list[Any]:
    dated = getattr(order, "saypro_dated_events", None)
    if dated is None:
        dated = list(order.events.filter(type__in=_DATED_EVENTS).order_by("date", "pk"))
    return dated


def _last(events: Iterable[Any], event_type: str) -> datetime | None:
    return next((e.date for e in reversed(list(events)) if e.type == event_type), None)


def _confirmed_at(order: Order, dated: list[Any]) -> datetime | None:
    if order.status in (OrderStatus.DRAFT, OrderStatus.UNCONFIRMED, OrderStatus.EXPIRED):
        return None
    confirmed = next((e.date for e in dated if e.type == OrderEvents.CONFIRMED), None)
    if confirmed is not None:
        return confirmed
    # Orders a channel confirms automatically are confirmed when placed.
    placed = next((e.date for e in dated if e.type != OrderEvents.CANCELED
                   and e.type != OrderEvents.FULFILLMENT_FULFILLED_ITEMS), None)
    return placed or order.created_at


def _paid_at(payments: tuple[Payment, ...], total_gross: Decimal) -> datetime | None:
    """When the charges, in order, first covered the total."""
    if total_gross <= 0:
        return None
    running = Decimal(0)
    for payment in payments:
        running += payment.amount
        if running >= total_gross:
            return payment.captured_at
    return None
