"""Who the seller and buyer are in each format: names and electronic addresses (BT-34, BT-49)."""

from __future__ import annotations

from ..document.model import BillingModel, Party
from .formats import Format, Spec

EMAIL_SCHEME = "EM"  # CEF EAS code for an email address; XRechnung accepts it, Peppol routing does not
# Formats whose specification makes both electronic addresses mandatory (XRechnung 3.0: BT-34 and BT-49 1..1).
_EMAIL_FALLBACK = frozenset({Format.XRECHNUNG_CII, Format.XRECHNUNG_UBL})


def endpoint(party: Party) -> tuple[str, str] | None:
    """The party's own electronic address with its scheme, when it has both (an email needs no scheme)."""
    identifier = party.electronic_address.strip()
    if not identifier:
        return None
    scheme = party.electronic_scheme.strip() or (EMAIL_SCHEME if "@" in identifier else "")
    return (scheme, identifier) if scheme else None


def _endpoint(party: Party, spec: Spec) -> tuple[str, str] | None:
    found = endpoint(party)
    if found is None and spec.format in _EMAIL_FALLBACK and party.email:
        return EMAIL_SCHEME, party.email
    return found


def seller_endpoint(model: BillingModel, spec: Spec) -> tuple[str, str] | None:
    return _endpoint(model.seller, spec)


def buyer_endpoint(model: BillingModel, spec: Spec) -> tuple[str, str] | None:
    return _endpoint(model.buyer, spec)


def buyer_name(buyer: Party) -> str:
    """BT-44: the business's name where there is one; the person is then the contact."""
    return buyer.company or buyer.name or buyer.email or "Customer"
