"""What each format needs beyond the model's own correctness, checked before writing, with clear reasons.

The XSD and rule sets would reject such documents too, but with a rule id and an XPath; these reasons
say what to fix: which buyer data the storefront must set (keys in ``saypro_invoicing.buyer``) or which
channel setting the merchant must fill in. They cover the essentials of XRechnung 3.0 (BR-DE-*) and
Peppol BIS Billing 3.0 (PEPPOL-EN16931-*) that the EN 16931 rules do not check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from ..accuracy import Reason
from ..buyer import BUYER_REFERENCE, ELECTRONIC_ADDRESS, PURCHASE_ORDER
from ..document.model import BillingModel
from ..errors import ErrorCode
from .formats import Format, Spec
from .parties import buyer_endpoint, endpoint, seller_endpoint
from .values import decimals

XRECHNUNG = frozenset({Format.XRECHNUNG_CII, Format.XRECHNUNG_UBL})


def _amounts(model: BillingModel) -> Iterator[tuple[str, Decimal]]:
    t = model.totals
    for name in ("line_net_total", "allowance_total", "charge_total", "net_total", "vat_total", "gross_total",
                 "prepaid", "amount_due", "rounding"):
        yield f"totals.{name}", getattr(t, name)
    for i, row in enumerate(model.vat_breakdown):
        yield f"vat_breakdown[{i}].taxable_amount", row.taxable_amount
        yield f"vat_breakdown[{i}].tax_amount", row.tax_amount
    for i, line in enumerate(model.lines):
        yield f"lines[{i}].net_amount", line.net_amount
        yield f"lines[{i}].allowance", line.allowance
        yield f"lines[{i}].charge", line.charge
    for i, item in enumerate((*model.allowances, *model.charges)):
        yield f"allowances_charges[{i}].amount", item.amount


def requirements(model: BillingModel, spec: Spec) -> list[Reason]:
    reasons = list(_decimals(model, spec))
    fmt, field = spec.format, f"einvoice.{spec.format.value}"
    seller, buyer = model.seller, model.buyer

    def missing(code: ErrorCode, what: str, message: str) -> None:
        reasons.append(Reason(code, f"{field}.{what}", f"{spec.label}: {message}", "present", "missing"))

    if not seller.address.country:
        missing(ErrorCode.MISSING_SELLER_DATA, "seller.country", "the seller's country (BR-9) is required: end "
                "the seller address setting with the two-letter country code.")
    if not buyer.address.country:
        missing(ErrorCode.MISSING_BUYER_DATA, "buyer.country", "the buyer's country (BR-11) is required: the "
                "order's billing address has none.")
    if fmt in XRECHNUNG:
        if not model.buyer_reference:
            missing(ErrorCode.MISSING_BUYER_DATA, "buyer_reference", "the buyer reference BT-10 (the Leitweg-ID "
                    f"for public buyers) is mandatory (BR-DE-15): set the order's metadata {BUYER_REFERENCE!r}.")
        for attr, bt in (("contact_name", "BT-41, setting seller_contact_name"), ("phone", "BT-42, seller_phone"),
                         ("email", "BT-43, seller_email")):
            if not getattr(seller, attr):
                what = attr.replace("_", " ")
                missing(ErrorCode.MISSING_SELLER_DATA, f"seller.{attr}",
                        f"the seller contact's {what} ({bt}) is mandatory (BR-DE-2, BR-DE-5..7).")
        if seller.phone and sum(ch.isdigit() for ch in seller.phone) < 3:
            missing(ErrorCode.MISSING_SELLER_DATA, "seller.phone", "the seller's phone needs at least three digits "
                    "(BR-DE-27).")
        if seller.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", seller.email):
            missing(ErrorCode.MISSING_SELLER_DATA, "seller.email", "the seller's email is not an address (BR-DE-28).")
        for who, party, code in (("seller", seller, ErrorCode.MISSING_SELLER_DATA),
                                 ("buyer", buyer, ErrorCode.MISSING_BUYER_DATA)):
            for attr, label in (("city", "city (BR-DE-3/8)"), ("postal_code", "post code (BR-DE-4/9)")):
                if not getattr(party.address, attr):
                    missing(code, f"{who}.{attr}", f"the {who}'s {label} is mandatory.")
        if seller_endpoint(model, spec) is None:
            missing(ErrorCode.MISSING_SELLER_DATA, "seller.electronic_address", "the seller's electronic address "
                    "(BT-34) is mandatory: set seller_electronic_address (or seller_email).")
        if buyer_endpoint(model, spec) is None:
            missing(ErrorCode.MISSING_BUYER_DATA, "buyer.electronic_address", "the buyer's electronic address "
                    f"(BT-49) is mandatory: set {ELECTRONIC_ADDRESS!r} or the customer's email.")
    if fmt == Format.PEPPOL_UBL:
        if endpoint(seller) is None:
            missing(ErrorCode.MISSING_SELLER_DATA, "seller.electronic_address", "the seller's electronic address "
                    "and scheme (BT-34, PEPPOL-EN16931-R020) are mandatory: set seller_electronic_address and "
                    "seller_electronic_scheme.")
        if endpoint(buyer) is None:
            missing(ErrorCode.MISSING_BUYER_DATA, "buyer.electronic_address", "the buyer's electronic address "
                    f"(BT-49, PEPPOL-EN16931-R010) is mandatory: set the order's metadata {ELECTRONIC_ADDRESS!r} "
                    "as \"<scheme>:<id>\", e.g. \"0088:4035811991021\".")
        if not (model.buyer_reference or model.purchase_order_reference):
            missing(ErrorCode.MISSING_BUYER_DATA, "buyer_reference", "a buyer reference or a purchase order "
                    f"reference is mandatory (PEPPOL-EN16931-R003): set {BUYER_REFERENCE!r} or {PURCHASE_ORDER!r}.")
    return reasons


def _decimals(model: BillingModel, spec: Spec) -> Iterable[Reason]:
    too_fine = [(name, value) for name, value in _amounts(model) if decimals(value) > spec.max_decimals]
    if too_fine:
        name, value = too_fine[0]
        yield Reason(ErrorCode.EINVOICE_INVALID, f"einvoice.{spec.format.value}.{name}",
                     f"{spec.label}: amounts have at most {spec.max_decimals} decimals (EN 16931 BR-DEC); "
                     f"{len(too_fine)} {model.currency} amount(s) need more, e.g. {name} = {value}.",
                     f"at most {spec.max_decimals} decimals", f"{value}")
