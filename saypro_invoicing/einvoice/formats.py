"""The e-invoice formats we write, and what each one declares about itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Syntax(StrEnum):
    CII = "cii"
    UBL = "ubl"


class Format(StrEnum):
    """A stored file's format; also the values of the channel settings ``pdf_flavour``/``b2b_xml``."""

    FACTURX = "facturx"  # CII at the Factur-X / ZUGFeRD EN 16931 profile, embedded in the PDF
    XRECHNUNG_CII = "xrechnung-cii"
    XRECHNUNG_UBL = "xrechnung-ubl"
    PEPPOL_UBL = "peppol-ubl"


EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


@dataclass(frozen=True)
class Spec:
    format: Format
    syntax: Syntax
    customization: str  # BT-24
    profile: str  # BT-23, the business process ("" for none)
    label: str
    max_decimals: int = 2  # EN 16931 BR-DEC: document and line amounts have at most two decimals

    @property
    def file_suffix(self) -> str:
        return "factur-x.xml" if self.format == Format.FACTURX else f"{self.format.value}.xml"


SPECS: dict[Format, Spec] = {
    Format.FACTURX: Spec(Format.FACTURX, Syntax.CII, EN16931, "", "Factur-X / ZUGFeRD (EN 16931)"),
    Format.XRECHNUNG_CII: Spec(Format.XRECHNUNG_CII, Syntax.CII, XRECHNUNG, PEPPOL_PROFILE, "XRechnung 3.0 (CII)"),
    Format.XRECHNUNG_UBL: Spec(Format.XRECHNUNG_UBL, Syntax.UBL, XRECHNUNG, PEPPOL_PROFILE, "XRechnung 3.0 (UBL)"),
    Format.PEPPOL_UBL: Spec(Format.PEPPOL_UBL, Syntax.UBL, PEPPOL, PEPPOL_PROFILE, "Peppol BIS Billing 3.0"),
}

B2B_XML_CHOICES = ("none", Format.XRECHNUNG_UBL.value, Format.XRECHNUNG_CII.value, Format.PEPPOL_UBL.value)
PDF_FLAVOURS = ("plain", "facturx")


def spec(fmt: Format | str) -> Spec:
    return SPECS[Format(fmt)]
