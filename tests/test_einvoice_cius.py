"""XRechnung 3.0 and Peppol BIS Billing 3.0 essentials (../shared/einvoicing/README.md), one test each:
the written XML carries them, and a document lacking what the format needs is held with a clear reason."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree

from saypro_invoicing.document.model import BillingModel
from saypro_invoicing.einvoice.formats import PEPPOL, PEPPOL_PROFILE, XRECHNUNG, Format
from saypro_invoicing.einvoice.gate import evaluate
from saypro_invoicing.einvoice.write import write
from saypro_invoicing.errors import ErrorCode
from tests.einvoice_support import SELLER, credit_model, invoice_model, snapshot

NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
XRECHNUNG_FORMATS = (Format.XRECHNUNG_UBL, Format.XRECHNUNG_CII)
LINES = [(2, Decimal("19.99"), Decimal("0.19")), (1, Decimal("24.50"), Decimal("0.07"))]


def model(**order_changes) -> BillingModel:
    return invoice_model(snapshot(LINES, shipping=(Decimal("4.90"), Decimal("0.19")), **order_changes))


def tree(fmt: Format, m: BillingModel, number: str = "INV-2026-000001") -> etree._Element:
    return etree.fromstring(write(m, number, fmt))


def x(root: etree._Element, path: str) -> list[str]:
    return [e.text if isinstance(e, etree._Element) else str(e) for e in root.xpath(path, namespaces=NS)]


def held(m: BillingModel, fmt: Format) -> list:
    outcome = evaluate(m, "INV-1", (fmt,))
    assert outcome.files == {}, f"{fmt} was not held"
    return outcome.reasons


# --- XRechnung -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_declares_its_specification(einvoice_rules, fmt):
    root = tree(fmt, model())
    ids = x(root, "//cbc:CustomizationID | //ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
    assert ids == [XRECHNUNG]
    assert evaluate(model(), "INV-1", (fmt,)).files  # and is valid EN 16931


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_buyer_reference_is_written_and_required(einvoice_rules, fmt):
    assert x(tree(fmt, model()), "//cbc:BuyerReference | //ram:BuyerReference") == ["04011000-12345-03"]
    reasons = held(model(buyer_reference=""), fmt)
    assert [r.code for r in reasons] == [ErrorCode.MISSING_BUYER_DATA]
    assert "BT-10" in reasons[0].message and "invoicing.buyer_reference" in reasons[0].message


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_seller_contact_is_written_and_required(einvoice_rules, fmt):
    root = tree(fmt, model())
    assert x(root, "//cac:AccountingSupplierParty//cac:Contact/*/text()"
                   " | //ram:SellerTradeParty/ram:DefinedTradeContact//text()[normalize-space()]") == [
        "Max Muster", "+49 30 123456", "billing@shop.example"]
    for attr in ("contact_name", "phone", "email"):
        m = model()
        m = dataclasses.replace(m, seller=dataclasses.replace(m.seller, **{attr: ""}))
        reasons = held(m, fmt)
        assert any(r.code == ErrorCode.MISSING_SELLER_DATA and r.field.endswith(f"seller.{attr}") for r in reasons)


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_seller_phone_and_email_are_well_formed(einvoice_rules, fmt):
    m = model()
    for change, field in (({"phone": "n/a"}, "seller.phone"), ({"email": "billing"}, "seller.email")):
        bad = dataclasses.replace(m, seller=dataclasses.replace(m.seller, **change))
        assert [r.field for r in held(bad, fmt)] == [f"einvoice.{fmt.value}.{field}"]


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_seller_and_buyer_city_and_post_code(einvoice_rules, fmt):
    root = tree(fmt, model())
    assert x(root, "//cac:AccountingSupplierParty//cbc:CityName | //ram:SellerTradeParty//ram:CityName") == ["Berlin"]
    assert x(root, "//cac:AccountingSupplierParty//cbc:PostalZone | //ram:SellerTradeParty//ram:PostcodeCode") == [
        "10115"]
    m = model()
    m = dataclasses.replace(m, buyer=dataclasses.replace(m.buyer, address=dataclasses.replace(
        m.buyer.address, postal_code="")))
    assert [r.field for r in held(m, fmt)] == [f"einvoice.{fmt.value}.buyer.postal_code"]


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_payment_means_code_is_present(einvoice_rules, fmt):
    codes = x(tree(fmt, model()), "//cbc:PaymentMeansCode | //ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode")
    assert len(codes) == 1 and codes[0].isdigit()


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_amounts_have_at_most_two_decimals(einvoice_rules, fmt):
    amounts = x(tree(fmt, model()), "//*[@currencyID] | //ram:LineTotalAmount | //ram:GrandTotalAmount"
                                     " | //ram:BasisAmount | //ram:CalculatedAmount")
    assert amounts and all(len(a.partition(".")[2]) <= 2 for a in amounts)
    jpy = invoice_model(snapshot([(3, Decimal("1999"), Decimal("0.1"))], currency="JPY"))
    assert evaluate(jpy, "INV-1", (fmt,)).files  # no decimals at all: fine
    kwd = invoice_model(snapshot([(3, Decimal("1.999"), Decimal("0.05"))], currency="KWD"))
    reasons = held(kwd, fmt)
    assert reasons[0].code == ErrorCode.EINVOICE_INVALID and "at most 2 decimals" in reasons[0].message


@pytest.mark.parametrize("fmt", XRECHNUNG_FORMATS)
def test_xrechnung_electronic_addresses_fall_back_to_email(einvoice_rules, fmt):
    m = model(electronic_address="", electronic_scheme="")
    m = dataclasses.replace(m, seller=dataclasses.replace(m.seller, electronic_address="", electronic_scheme=""))
    root = tree(fmt, m)
    endpoints = root.xpath("//cbc:EndpointID | //ram:URIUniversalCommunication/ram:URIID", namespaces=NS)
    assert [(e.get("schemeID"), e.text) for e in endpoints] == [("EM", "billing@shop.example"),
                                                                ("EM", "jane@example.com")]
    assert evaluate(m, "INV-1", (fmt,)).files


# --- Peppol ------------------------------------------------------------------------------------------

def test_peppol_declares_specification_and_profile(einvoice_rules):
    root = tree(Format.PEPPOL_UBL, model())
    assert x(root, "/*/cbc:CustomizationID") == [PEPPOL]
    assert x(root, "/*/cbc:ProfileID") == [PEPPOL_PROFILE]


def test_peppol_electronic_addresses_with_scheme_ids(einvoice_rules):
    root = tree(Format.PEPPOL_UBL, model())
    endpoints = root.xpath("//cbc:EndpointID", namespaces=NS)
    assert [(e.get("schemeID"), e.text) for e in endpoints] == [("9930", "DE123456789"), ("0088", "4035811991021")]


def test_peppol_buyer_electronic_address_is_required(einvoice_rules):
    reasons = held(model(electronic_address="", electronic_scheme=""), Format.PEPPOL_UBL)
    assert [r.code for r in reasons] == [ErrorCode.MISSING_BUYER_DATA]
    assert "BT-49" in reasons[0].message and "invoicing.buyer_electronic_address" in reasons[0].message


def test_peppol_seller_electronic_address_is_required(einvoice_rules):
    seller = dataclasses.replace(SELLER, electronic_address="", electronic_scheme="")
    m = invoice_model(snapshot(LINES), seller=seller)
    reasons = held(m, Format.PEPPOL_UBL)
    assert [r.code for r in reasons] == [ErrorCode.MISSING_SELLER_DATA] and "BT-34" in reasons[0].message


def test_peppol_needs_buyer_reference_or_purchase_order(einvoice_rules):
    reasons = held(model(buyer_reference="", purchase_order=""), Format.PEPPOL_UBL)
    assert [r.code for r in reasons] == [ErrorCode.MISSING_BUYER_DATA] and "PEPPOL-EN16931-R003" in reasons[0].message
    only_po = model(buyer_reference="")
    root = etree.fromstring(evaluate(only_po, "INV-1", (Format.PEPPOL_UBL,)).files[Format.PEPPOL_UBL])
    assert x(root, "//cac:OrderReference/cbc:ID") == ["PO-77"] and x(root, "//cbc:BuyerReference") == []
    assert evaluate(model(purchase_order=""), "INV-1", (Format.PEPPOL_UBL,)).files


@pytest.mark.parametrize("kind", ["lines", "amount", "whole"])
def test_credit_notes_are_credit_notes_referencing_the_invoice(einvoice_rules, kind):
    order = snapshot(LINES, shipping=(Decimal("4.90"), Decimal("0.19")))
    credit = credit_model(order, invoice_model(order), kind)
    for fmt in (Format.PEPPOL_UBL, Format.XRECHNUNG_UBL):
        root = etree.fromstring(evaluate(credit, "CN-1", (fmt,)).files[fmt])
        assert etree.QName(root).localname == "CreditNote"
        assert x(root, "/*/cbc:CreditNoteTypeCode") == ["381"]
        assert x(root, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == ["INV-2026-000001"]
        assert root.xpath("//cac:CreditNoteLine", namespaces=NS) and not root.xpath("//cac:InvoiceLine",
                                                                                    namespaces=NS)
    for fmt in (Format.FACTURX, Format.XRECHNUNG_CII):
        root = etree.fromstring(evaluate(credit, "CN-1", (fmt,)).files[fmt])
        assert x(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode") == ["381"]
        assert x(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["INV-2026-000001"]
