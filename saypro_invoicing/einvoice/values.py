"""How model values are spelled in EN 16931 XML: amounts, quantities, percentages, dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..document.model import BillingModel, VatCategory
from ..money import minor_unit

# Categories whose VAT rate is written as 0 (BR-E-05, BR-AE-05, BR-G-05, BR-Z-05, BR-IC-05). "Not subject
# to VAT" carries no rate at all (BR-O-05).
NO_RATE = frozenset({VatCategory.NOT_SUBJECT})


CENT = Decimal("0.01")


def amount(value: Decimal, currency: str) -> str:
    """At the currency's minor unit (10.50 EUR, 1050 JPY), but never with more than the two decimals
    EN 16931 allows (BR-DEC) when the third is a zero: 1.250 KWD is written 1.25. 1.255 KWD stays as it
    is, fails BR-DEC and holds the document (``requirements.decimals`` names it first)."""
    value = value.quantize(minor_unit(currency))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value == value.quantize(CENT):
        value = value.quantize(CENT)
    return f"{value:f}"


def number(value: Decimal) -> str:
    """Quantities, prices and anything else without a fixed scale, without trailing zeros."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def percent(rate: Decimal) -> str:
    return number(rate * 100)


def iso_date(value: date) -> str:
    return value.isoformat()


def cii_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def issue_date(model: BillingModel) -> date:
    # A draft (not yet issued) is validated with its order date: the writers need some date.
    return model.issue_date or model.order_date


def payment_means(model: BillingModel) -> str:
    """BT-81. Credit transfer (30) needs the payee's account (BR-61), which the model does not carry:
    such documents say "instrument not defined" (1) and keep the instructions as BT-82 text."""
    code = model.payment_means_code or "1"
    return "1" if code in ("30", "58") else code


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def payment_terms(model: BillingModel) -> str:
    """BT-20. A credit note with an amount due has no terms of its own, yet BR-CO-25 asks for terms or a
    due date whenever BT-115 is positive: it says how the credit is settled."""
    if model.payment_terms:
        return model.payment_terms
    if model.is_credit_note and model.totals.amount_due > 0:
        via = f" ({model.payment_methods})" if model.payment_methods else ""
        return f"Refunded to the original means of payment{via}."
    return ""
