"""Plain frozen data describing what was sold and paid, as the host saw it at issuing time.

Everything downstream of a host (gate, rendering, delivery, reports) reads these types only.
They round-trip through JSON so that a document keeps an immutable copy of its content.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone


class DocumentType(StrEnum):
    INVOICE = "invoice"
    RECEIPT = "receipt"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class Address:
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    street_address_1: str = ""
    street_address_2: str = ""
    postal_code: str = ""
    city: str = ""
    city_area: str = ""
    country_area: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    phone: str = ""
    vat_id: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def lines(self) -> list[str]:
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        parts = [self.company_name, self.full_name, self.street_address_1, self.street_address_2,
                 self.city_area, city, self.country_area, self.country]
        return [p for p in parts if p]


@dataclass(frozen=True)
class Seller:
    legal_name: str
    address: Address = field(default_factory=Address)
    vat_id: str = ""  # BT-31, e.g. DE123456789
    tax_number: str = ""  # BT-32, the national tax registration (German "Steuernummer")
    electronic_address: str = ""  # BT-34
    electronic_scheme: str = ""  # BT-34-1, e.g. 0088 (GLN), 9930 (German VAT), EM (email)
    contact_name: str = ""  # BT-41
    email: str = ""
    phone: str = ""
    website: str = ""
    logo: str = ""  # a file name inside the plugin's assets or the configured logo directory


@dataclass(frozen=True)
class Line:
    product_name: str
    quantity: int
    unit_net: Decimal
    unit_gross: Decimal
    total_net: Decimal
    total_gross: Decimal
    tax_rate: Decimal  # a fraction: 0.19 for 19 %
    variant_name: str = ""
    sku: str = ""
    undiscounted_unit_gross: Decimal | None = None
    line_id: str = ""  # the host's id of the order line: refunds name lines by it


@dataclass(frozen=True)
class Discount:
    name: str
    amount_net: Decimal
    amount_gross: Decimal
    kind: str = "manual"  # voucher, promotion, manual
    code: str = ""
    # Saleor spreads order-level discounts over lines and shipping: those are shown, not subtracted again.
    included_in_lines: bool = True
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class Payment:
    reference: str  # stable id of the charge in the host (transaction event / payment id)
    amount: Decimal
    captured_at: datetime
    method: str = ""
    psp_reference: str = ""
    gateway: str = ""


@dataclass(frozen=True)
class RefundLine:
    line_id: str  # Line.line_id
    quantity: int


@dataclass(frozen=True)
class Refund:
    reference: str
    amount: Decimal
    created_at: datetime
    reason: str = ""
    # What the refund gives back, where the host says: order lines (granted refunds with lines, returned
    # fulfilment lines) and shipping. Neither: an amount-only refund.
    lines: tuple[RefundLine, ...] = ()
    includes_shipping: bool = False


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class OrderSnapshot:
    order_id: str
    order_number: str
    channel: str
    currency: str
    created_at: datetime
    total_net: Decimal
    total_gross: Decimal
    lines: tuple[Line, ...] = ()
    shipping_method: str = ""
    shipping_net: Decimal = Decimal(0)
    shipping_gross: Decimal = Decimal(0)
    shipping_tax_rate: Decimal = Decimal(0)
    discounts: tuple[Discount, ...] = ()
    voucher_code: str = ""
    prices_entered_with_tax: bool = True
    language_code: str = "en"
    customer_email: str = ""
    customer_user_id: str = ""
    customer_phone: str = ""
    billing_address: Address | None = None
    shipping_address: Address | None = None
    status: str = ""
    charge_status: str = ""
    total_charged: Decimal = Decimal(0)
    total_refunded: Decimal = Decimal(0)
    payments: tuple[Payment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    customer_note: str = ""
    # Buyer data a storefront sets in the order's (or checkout's) public metadata; see README "Buyer data".
    buyer_vat_id: str = ""
    buyer_reference: str = ""  # BT-10, the Leitweg-ID for German public buyers
    buyer_order_reference: str = ""  # BT-13, the buyer's purchase order number
    buyer_electronic_address: str = ""  # BT-49, e.g. a Peppol participant id "0088:1234567890123"
    buyer_electronic_scheme: str = ""
    tax_exempt: bool = False  # the host exempted the order from tax (Saleor's Order.tax_exemption)
    # When the order reached each point a trigger can name; None if it has not.
    confirmed_at: datetime | None = None
    paid_at: datetime | None = None
    fulfilled_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def is_fully_paid(self) -> bool:
        # A host amount that is no number (NaN) must not raise here: the gate holds such documents.
        if not (self.total_gross.is_finite() and self.total_charged.is_finite()):
            return False
        return self.total_gross > 0 and self.total_charged >= self.total_gross

    @property
    def customer_name(self) -> str:
        address = self.billing_address or self.shipping_address
        if address and (address.full_name or address.company_name):
            return address.full_name or address.company_name
        return self.customer_email

    @property
    def tax_total(self) -> Decimal:
        return self.total_gross - self.total_net

    def payment(self, reference: str) -> Payment | None:
        return next((p for p in self.payments if p.reference == reference), None)

    def refund(self, reference: str) -> Refund | None:
        return next((r for r in self.refunds if r.reference == reference), None)

    def tax_breakdown(self) -> tuple[TaxLine, ...]:
        """Net, tax and gross per rate, over lines, shipping and discounts not already in the lines."""
        buckets: dict[Decimal, list[Decimal]] = {}

        def add(rate: Decimal, net: Decimal, gross: Decimal) -> None:
            bucket = buckets.setdefault(rate.normalize(), [Decimal(0), Decimal(0)])
            bucket[0] += net
            bucket[1] += gross

        for line in self.lines:
            add(line.tax_rate, line.total_net, line.total_gross)
        if self.shipping_gross or self.shipping_net:
            add(self.shipping_tax_rate, self.shipping_net, self.shipping_gross)
        for discount in self.discounts:
            if not discount.included_in_lines:
                add(discount.tax_rate, -discount.amount_net, -discount.amount_gross)
        return tuple(
            TaxLine(rate=rate, net=net, tax=gross - net, gross=gross)
            for rate, (net, gross) in sorted(buckets.items())
        )


@dataclass(frozen=True)
class DocumentContent:
    """Everything a document shows, frozen when it is issued."""

    type: DocumentType
    order: OrderSnapshot
    seller: Seller
    amount: Decimal  # what this document is for: order total, payment captured, amount credited
    locale: str = "en"
    paper_size: str = "A4"
    issued_at: datetime | None = None
    due_at: datetime | None = None
    payment: Payment | None = None
    refund: Refund | None = None
    corrects_number: str = ""
    corrects_issued_at: datetime | None = None
    reason: str = ""
    payment_terms_days: int = 0
    payment_instructions: str = ""
    footer: str = ""
    # The EN 16931 model computed at issue from the fields above (document.calculate). Stored, so that a
    # later change of the calculation never changes what an issued document says.
    model: dict[str, Any] | None = None
    # The e-invoice formats (einvoice.formats.Format values) the gate validated for this document, frozen
    # with it: the Factur-X PDF flavour and the B2B XML are what the channel asked for at issue time.
    einvoice_formats: tuple[str, ...] = ()


# --- JSON codec -------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """Decimals as strings (no float rounding), datetimes as ISO 8601 UTC."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError("Naive datetime in a snapshot; times must be timezone-aware.")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    return value


def from_json[T](cls: type[T], data: Any) -> T:
    return _decode(cls, data)


@functools.cache
def _field_types(tp: type, *_clock_types: type) -> dict[str, Any]:
    """A dataclass's fields and their resolved types, once per class: typing.get_type_hints evaluates
    every string annotation again on each call, and a document's content is decoded several times on
    its way through a worker. Keyed on this module's datetime and date classes too: time-freezing test
    tools swap them, and the hints must name the classes _decode compares with."""
    hints = typing.get_type_hints(tp)
    return {f.name: hints[f.name] for f in dataclasses.fields(tp)}


def _decode(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], data)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(tp)
        return tuple(_decode(item_type, v) for v in data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _field_types(tp, datetime, date)
        return tp(**{k: _decode(hints[k], v) for k, v in data.items() if k in hints})
    if tp is Decimal:
        return Decimal(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return tp(data)
    return data
