"""What a document template sees: the frozen DocumentContent as display strings in its locale.

Everything is formatted here, in Python, so that templates (which merchants override) only place
strings: amounts with Babel for the currency and locale, dates with Babel, labels with gettext.
Call ``build_context`` inside ``translation.override(<document language>)``.

Text that comes from order data is a ``BidiText``: a str that also knows its direction, the way
HTML's dir="auto" would decide it (first strong character). WeasyPrint honours dir="rtl" but not
dir="auto", so templates write ``dir="{{ value.dir }}"``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from django.utils import timezone
from django.utils.translation import pgettext

from ..money import format_money, quantize, to_locale
from ..snapshot import Address, DocumentContent, DocumentType
from .fetcher import logo_url

PAGE_SIZES = {"a4": "A4", "letter": "letter"}
# Every label has the message context "saypro_invoicing" (written out, so that makemessages finds
# it): in Saleor, apps listed before the plugin in INSTALLED_APPS win for equal msgids, and Django's
# own catalog already translates "Order" as "Reihenfolge".


class BidiText(str):
    """A str with the direction its first strong character gives it."""

    @property
    def dir(self) -> str:
        for char in self:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
        return "ltr"


def bidi(value: str | None) -> BidiText:
    return BidiText(value or "")


def document_title(doc_type: DocumentType | str) -> str:
    return {
        DocumentType.INVOICE: pgettext("saypro_invoicing", "Invoice"),
        DocumentType.RECEIPT: pgettext("saypro_invoicing", "Receipt"),
        DocumentType.CREDIT_NOTE: pgettext("saypro_invoicing", "Credit note"),
    }[DocumentType(doc_type)]


def build_context(content: DocumentContent, *, number: str, document_id: str | None = None) -> dict[str, Any]:
    locale = to_locale(content.locale)
    order = content.order
    currency = order.currency

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, locale)

    def day(value: datetime | None) -> str:
        return format_date(timezone.localtime(value).date(), format="medium", locale=locale) if value else ""

    def rate(value: Decimal) -> str:
        return format_percent(value, locale=locale, decimal_quantization=False)

    paid = order.is_fully_paid
    doc_type = DocumentType(content.type)
    line_gross = sum((line.total_gross for line in order.lines), Decimal(0))
    return {
        "content": content,
        "number": number,
        "document_id": document_id or "",
        "doc_type": doc_type.value,
        "title": document_title(doc_type),
        "lang": locale.split("_")[0],
        "page_size": PAGE_SIZES.get((content.paper_size or "").lower(), "A4"),
        # Lets PDF metadata depend on the content only, so the same content gives the same bytes.
        "created_iso": timezone.localtime(content.issued_at).isoformat() if content.issued_at else "",
        "logo_url": logo_url(content.seller.logo),
        "issued_on": day(content.issued_at),
        "due_on": day(content.due_at) if doc_type == DocumentType.INVOICE and not paid else "",
        "seller": _seller(content),
        "order": {
            "number": bidi(order.order_number),
            "date": day(order.created_at),
            "note": bidi(order.customer_note),
        },
        "customer": _customer(content),
        "lines": [
            {
                "name": bidi(line.product_name),
                "variant": bidi(line.variant_name),
                "sku": bidi(line.sku),
                "quantity": format_decimal(line.quantity, locale=locale),
                "unit_net": money(line.unit_net),
                "unit_gross": money(line.unit_gross),
                "tax_rate": rate(line.tax_rate),
                "total": money(line.total_gross),
            }
            for line in order.lines
        ],
        "discounts": [
            {
                "name": bidi(discount.name),
                "code": bidi(discount.code or (order.voucher_code if discount.kind == "voucher" else "")),
                "amount": money(-discount.amount_gross),
                "included": discount.included_in_lines,
            }
            for discount in order.discounts
        ],
        "voucher_code": bidi(order.voucher_code),
        "shipping": {
            "method": bidi(order.shipping_method),
            "price": money(order.shipping_gross),
        } if (order.shipping_method or order.shipping_gross) else None,
        "taxes": [
            {"rate": rate(t.rate), "net": money(t.net), "tax": money(t.tax), "gross": money(t.gross)}
            for t in order.tax_breakdown()
        ],
        "totals": {
            "subtotal": money(line_gross),
            "net": money(order.total_net),
            "tax": money(order.tax_total),
            "gross": money(order.total_gross),
        },
        "payment": _payment_status(content, money),
        "instructions": content.payment_instructions if doc_type == DocumentType.INVOICE and not paid else "",
        "receipt": _receipt(content, money, day) if doc_type == DocumentType.RECEIPT else None,
        "credit": _credit(content, money, day) if doc_type == DocumentType.CREDIT_NOTE else None,
        "footer": content.footer,
    }


def _address_lines(address: Address | None) -> list[BidiText]:
    return [bidi(line) for line in address.lines()] if address else []


def _seller(content: DocumentContent) -> dict[str, Any]:
    seller = content.seller
    return {
        "name": bidi(seller.legal_name),
        "address": _address_lines(seller.address),
        "tax_id": seller.tax_id,
        "email": seller.email,
        "phone": seller.phone,
        "website": seller.website,
    }


def _customer(content: DocumentContent) -> dict[str, Any]:
    order = content.order
    billing, shipping = order.billing_address, order.shipping_address
    return {
        "name": bidi(order.customer_name),
        "email": order.customer_email,
        "phone": order.customer_phone or (billing.phone if billing else ""),
        "vat_id": (billing.vat_id if billing else "") or (shipping.vat_id if shipping else ""),
        "billing": _address_lines(billing),
        # Printed only where it differs: one address block is easier to read than two equal ones.
        "shipping": _address_lines(shipping) if shipping and shipping != billing else [],
    }


def _methods(content: DocumentContent) -> str:
    seen: list[str] = []
    for payment in content.order.payments:
        method = payment.method or payment.gateway
        if method and method not in seen:
            seen.append(method)
    return ", ".join(seen)


def _payment_status(content: DocumentContent, money: Any) -> dict[str, str]:
    order = content.order
    if order.is_fully_paid:
        status = pgettext("saypro_invoicing", "Paid")
    elif order.total_charged > 0:
        status = pgettext("saypro_invoicing", "Partially paid")
    else:
        status = pgettext("saypro_invoicing", "Unpaid")
    due = max(order.total_gross - order.total_charged, Decimal(0))
    return {
        "status": status,
        "method": _methods(content),
        "paid": money(order.total_charged) if order.total_charged > 0 else "",
        "due": money(due) if due > 0 else "",
    }


def _receipt(content: DocumentContent, money: Any, day: Any) -> dict[str, str]:
    payment = content.payment
    return {
        "amount": money(content.amount),
        "method": (payment.method or payment.gateway) if payment else _methods(content),
        "date": day(payment.captured_at if payment else content.order.paid_at or content.issued_at),
        "psp_reference": payment.psp_reference if payment else "",
    }


def _credit(content: DocumentContent, money: Any, day: Any) -> dict[str, Any]:
    order = content.order
    amount = content.amount
    # The same pro-rata net share issuing stores on the document, so the PDF and the record agree.
    if amount == order.total_gross or order.total_gross == 0:
        net = order.total_net if amount == order.total_gross else amount
    else:
        net = quantize(amount * order.total_net / order.total_gross, order.currency)
    refund = content.refund
    return {
        "corrects_number": content.corrects_number,
        "reason": bidi(content.reason or (refund.reason if refund else "")),
        "amount": money(amount),
        "net": money(net),
        "tax": money(amount - net),
        "refund_date": day(refund.created_at) if refund else "",
    }
