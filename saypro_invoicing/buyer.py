"""Where buyer data comes from: public metadata keys a storefront sets on the checkout or the order.

In Saleor the storefront writes them with ``updateMetadata`` (public metadata) on the checkout before
``checkoutComplete`` (Saleor copies checkout metadata to the order) or on the order afterwards. The
billing address's company name is the buyer's company. Each host reads these keys with ``buyer_fields``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

VAT_ID = "invoicing.buyer_vat_id"
BUYER_REFERENCE = "invoicing.buyer_reference"  # BT-10; XRechnung: the Leitweg-ID
PURCHASE_ORDER = "invoicing.purchase_order_reference"  # BT-13
ELECTRONIC_ADDRESS = "invoicing.buyer_electronic_address"  # BT-49 as "<scheme>:<id>", e.g. "0088:4035811991021"

KEYS = (VAT_ID, BUYER_REFERENCE, PURCHASE_ORDER, ELECTRONIC_ADDRESS)
_MAX = 200


def _text(metadata: Mapping[str, Any], key: str) -> str:
    value = metadata.get(key)
    return str(value).strip()[:_MAX] if isinstance(value, (str, int)) else ""


def buyer_fields(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    """The OrderSnapshot fields these keys fill (unknown keys and non-text values are ignored)."""
    metadata = metadata or {}
    address = _text(metadata, ELECTRONIC_ADDRESS)
    scheme, _sep, identifier = address.partition(":") if ":" in address else ("", "", address)
    return {
        "buyer_vat_id": re.sub(r"[\s.-]", "", _text(metadata, VAT_ID)).upper(),
        "buyer_reference": _text(metadata, BUYER_REFERENCE),
        "buyer_order_reference": _text(metadata, PURCHASE_ORDER),
        "buyer_electronic_scheme": scheme.strip(),
        "buyer_electronic_address": identifier.strip(),
    }
