"""EU VAT facts the document model needs: which countries are in the EU, and a VAT ID's country."""

from __future__ import annotations

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
# VAT IDs use EL for Greece, and XI for Northern Ireland's goods trade (in the EU VAT area for goods).
_VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "XI"}


def eu_country(country: str) -> bool:
    return country.upper() in EU_COUNTRIES or country.upper() == "XI"


def vat_country(vat_id: str) -> str:
    """The country of a VAT ID from its prefix ("" when it has none)."""
    prefix = (vat_id or "")[:2].upper()
    if len(prefix) < 2 or not prefix.isalpha():
        return ""
    return _VAT_PREFIX_COUNTRY.get(prefix, prefix)
