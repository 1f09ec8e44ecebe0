"""Which e-invoice formats a document gets, from its channel's configuration and its buyer."""

from __future__ import annotations

from typing import Any

from ..document.model import BillingModel, TypeCode
from .formats import Format
from .parties import endpoint


def is_business(model: BillingModel) -> bool:
    """A B2B customer: the order has a buyer VAT ID or a buyer electronic address (README "E-invoices")."""
    return bool(model.buyer.vat_id or endpoint(model.buyer) or model.buyer.electronic_address)


def formats_for(model: BillingModel, config: Any) -> tuple[Format, ...]:
    """Receipts get none; invoices and credit notes the channel's PDF flavour and, for B2B, its XML."""
    if model.type_code == TypeCode.NONE:
        return ()
    formats = []
    if getattr(config, "pdf_flavour", "plain") == "facturx":
        formats.append(Format.FACTURX)
    b2b_xml = getattr(config, "b2b_xml", "none") or "none"
    if b2b_xml != "none" and is_business(model):
        formats.append(Format(b2b_xml))
    return tuple(formats)
