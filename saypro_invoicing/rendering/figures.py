"""The document model's figures as display strings in one locale: the PDF and the email both read these.

Nothing here computes a figure: every amount is a field of the BillingModel, only formatted. The order
summary reads top to bottom as it adds up: lines (gross) + charges - allowances = total, with the
VAT breakdown and the net total beside it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from django.utils.translation import pgettext

from ..document.model import BillingModel, DeliveryDateSource, VatCategory
from ..money import format_money
from ..snapshot import Address
from .text import BidiText, bidi


def country_name(code: str, locale: str) -> str:
    if not code:
        return ""
    try:
        return str(Locale.parse(locale).territories.get(code.upper(), code))
    except (ValueError, TypeError):
        return code


def address_lines(address: Address | None, locale: str) -> list[BidiText]:
    if address is None:
        return []
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    parts = [address.company_name, address.full_name, address.street_address_1, address.street_address_2,
             address.city_area, city, address.country_area, country_name(address.country, locale)]
    return [bidi(p) for p in parts if p]


def exemption_text(category: str) -> str:
    texts = {
        VatCategory.REVERSE_CHARGE: pgettext("saypro_invoicing", "Reverse charge: VAT to be accounted for by the "
                                             "recipient"),
        VatCategory.EXPORT: pgettext("saypro_invoicing", "Export outside the EU, exempt from VAT"),
        VatCategory.EXEMPT: pgettext("saypro_invoicing", "Exempt from VAT"),
        VatCategory.INTRA_COMMUNITY: pgettext("saypro_invoicing", "Intra-Community supply, exempt from VAT"),
        VatCategory.NOT_SUBJECT: pgettext("saypro_invoicing", "Not subject to VAT"),
    }
    return texts.get(VatCategory(category), "")


class Formatter:
    def __init__(self, model: BillingModel, locale: str):
        self.model = model
        self.locale = locale

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.model.currency, self.locale)

    def minus(self, amount: Decimal) -> str:
        return format_money(-amount, self.model.currency, self.locale) if amount else self.money(amount)

    def rate(self, value: Decimal) -> str:
        return format_percent(value, locale=self.locale, decimal_quantization=False)

    def day(self, value: date | None) -> str:
        return format_date(value, format="medium", locale=self.locale) if value else ""

    def quantity(self, value: Decimal) -> str:
        return format_decimal(value.normalize(), locale=self.locale)


def summary(model: BillingModel, locale: str) -> dict[str, Any]:
    """Lines, charges, allowances, VAT rows and totals of one document, formatted."""
    f = Formatter(model, locale)
    t = model.totals
    return {
        "lines": [
            {
                "name": bidi(line.name),
                "variant": bidi(line.description),
                "sku": bidi(line.sku),
                "quantity": f.quantity(line.quantity),
                "unit_net": f.money(line.net_price),
                "unit_gross": f.money(line.unit_gross),
                "adjustment": f.minus(line.allowance - line.charge) if (line.allowance or line.charge) else "",
                "tax_rate": f.rate(line.vat_rate),
                "net": f.money(line.net_amount),
                "total": f.money(line.gross_amount),
            }
            for line in model.lines
        ],
        "charges": [{"name": bidi(c.reason), "amount": f.money(c.gross_amount), "net": f.money(c.amount),
                     "tax_rate": f.rate(c.vat_rate)} for c in model.charges],
        "allowances": [{"name": bidi(a.reason), "amount": f.minus(a.gross_amount), "net": f.minus(a.amount),
                        "tax_rate": f.rate(a.vat_rate)} for a in model.allowances],
        "included_discounts": [{"name": bidi(d.name), "code": bidi(d.code), "amount": f.minus(d.gross_amount)}
                               for d in model.included_discounts],
        "taxes": [
            {
                "category": row.category,
                "rate": f.rate(row.rate),
                "net": f.money(row.taxable_amount),
                "tax": f.money(row.tax_amount),
                "gross": f.money(row.gross_amount),
                "exemption": exemption_text(row.category),
            }
            for row in model.vat_breakdown
        ],
        "totals": {
            "subtotal": f.money(sum((line.gross_amount for line in model.lines), Decimal(0))),
            "net": f.money(t.net_total),
            "tax": f.money(t.vat_total),
            "gross": f.money(t.gross_total),
            "prepaid": f.money(t.prepaid) if t.prepaid and model.receipt is None else "",
            "due": f.money(t.amount_due) if t.amount_due and model.receipt is None and not model.is_credit_note
            else "",
        },
        "reverse_charge": model.reverse_charge,
    }


def supply(model: BillingModel, locale: str) -> dict[str, str]:
    """The date of supply (art. 226(7) VAT Directive, §14(4) no. 6 UStG), labelled by where it came from."""
    if model.delivery_date is None:
        return {}
    label = {
        DeliveryDateSource.FULFILMENT: pgettext("saypro_invoicing", "Date of supply"),
        DeliveryDateSource.ORDER: pgettext("saypro_invoicing", "Date of supply (order date)"),
    }.get(DeliveryDateSource(model.delivery_date_source), pgettext("saypro_invoicing", "Date of supply"))
    return {"label": label, "date": Formatter(model, locale).day(model.delivery_date)}
