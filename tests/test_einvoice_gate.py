"""The e-invoice formats in the accuracy gate: channel configuration, which customers get XML, held
documents with clear reasons, and the merchant's own rule sets."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from saypro_invoicing.conf import ChannelConfig, ConfigValidationError
from saypro_invoicing.einvoice import gate
from saypro_invoicing.einvoice.choice import formats_for
from saypro_invoicing.einvoice.formats import Format
from saypro_invoicing.einvoice.write import write
from saypro_invoicing.errors import ErrorCode, ValidationError
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.snapshot import DocumentType
from tests.einvoice_support import invoice_model, snapshot

LINES = [(1, Decimal("119.00"), Decimal("0.19"))]
PEPPOL_CHANNEL = {"b2b_xml": "peppol-ubl", "seller_electronic_address": "DE123456789",
                  "seller_electronic_scheme": "9930", "seller_contact_name": "Max Muster",
                  "seller_phone": "+49 30 123456"}

EXTRA_RULES = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <xsl:template match="/">
    <svrl:schematron-output>
      <xsl:if test="not(starts-with(string(/*/cbc:BuyerReference), '991'))">
        <svrl:failed-assert id="SHOP-R001" flag="fatal" location="/*/cbc:BuyerReference">
          <svrl:text>The buyer reference must be a Leitweg-ID of our public customer (991...).</svrl:text>
        </svrl:failed-assert>
      </xsl:if>
      <svrl:failed-assert id="SHOP-W001" flag="warning" location="/*">
        <svrl:text>Advisory only.</svrl:text>
      </svrl:failed-assert>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>
"""


def config(**values) -> ChannelConfig:
    return ChannelConfig.from_mapping({"seller_legal_name": "Shop GmbH", **values})


def test_channel_settings_are_parsed_and_checked():
    parsed = config(pdf_flavour="facturx", b2b_xml="xrechnung-cii", seller_electronic_address="shop@example.com",
                    seller_electronic_scheme="em", seller_address="Musterstraße 1\n10115 Berlin\nDE")
    assert (parsed.pdf_flavour, parsed.b2b_xml) == ("facturx", "xrechnung-cii")
    assert (parsed.seller.electronic_address, parsed.seller.electronic_scheme) == ("shop@example.com", "EM")
    assert (parsed.seller.address.postal_code, parsed.seller.address.city) == ("10115", "Berlin")
    assert (config().pdf_flavour, config().b2b_xml) == ("plain", "none")
    with pytest.raises(ConfigValidationError) as error:
        config(pdf_flavour="pdf/a", b2b_xml="edifact")
    assert set(error.value.errors) == {"pdf_flavour", "b2b_xml"}
    with pytest.raises(ConfigValidationError) as error:
        config(b2b_xml="peppol-ubl")
    assert error.value.errors["seller_electronic_address"][1] == ErrorCode.REQUIRED


def test_which_documents_get_which_formats():
    business = invoice_model(snapshot(LINES))
    consumer = invoice_model(snapshot(LINES, electronic_address="", electronic_scheme=""))
    consumer = dataclasses.replace(consumer, buyer=dataclasses.replace(consumer.buyer, vat_id=""))
    both = config(pdf_flavour="facturx", b2b_xml="xrechnung-ubl")
    assert formats_for(business, both) == (Format.FACTURX, Format.XRECHNUNG_UBL)
    assert formats_for(consumer, both) == (Format.FACTURX,)
    assert formats_for(business, config()) == ()
    receipt = dataclasses.replace(business, type=DocumentType.RECEIPT, type_code="")
    assert formats_for(receipt, both) == ()
    with pytest.raises(ValidationError):
        write(receipt, "RCT-1", Format.FACTURX)


def test_check_holds_missing_buyer_data_and_passes_complete_documents(einvoice_rules):
    channel = config(**PEPPOL_CHANNEL)
    assert gate.check(invoice_model(snapshot(LINES)), gate.PLACEHOLDER, channel) == []
    missing = invoice_model(snapshot(LINES, electronic_address="", electronic_scheme=""))
    reasons = gate.check(missing, gate.PLACEHOLDER, channel)
    assert [r.code for r in reasons] == [ErrorCode.MISSING_BUYER_DATA]


def test_merchant_rule_sets_add_errors_and_warnings(einvoice_rules, settings, tmp_path):
    rules_file = tmp_path / "shop-rules.xsl"
    rules_file.write_text(EXTRA_RULES)
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING,
                                 "EINVOICE_EXTRA_RULES": {"xrechnung-ubl": [str(rules_file)]}}
    outcome = gate.evaluate(invoice_model(snapshot(LINES)), "INV-1", (Format.XRECHNUNG_UBL, Format.PEPPOL_UBL))
    assert [(r.code, r.field) for r in outcome.reasons] == [
        (ErrorCode.EINVOICE_INVALID, "einvoice.xrechnung-ubl.SHOP-R001")]
    assert "shop-rules.xsl" in outcome.reasons[0].message and "Leitweg-ID" in outcome.reasons[0].message
    assert set(outcome.files) == {Format.PEPPOL_UBL}  # the extra rules apply to their format only
    assert [(fmt, w.rule) for fmt, w in outcome.warnings] == [(Format.XRECHNUNG_UBL, "SHOP-W001")]
    public = invoice_model(snapshot(LINES, buyer_reference="991-12345-67"))
    outcome = gate.evaluate(public, "INV-1", (Format.XRECHNUNG_UBL,))
    assert outcome.reasons == [] and outcome.files and [w.rule for _f, w in outcome.warnings] == ["SHOP-W001"]


def test_a_missing_rule_file_holds_with_a_configuration_reason(einvoice_rules, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING,
                                 "EINVOICE_EXTRA_RULES": {"peppol-ubl": ["/nonexistent/rules.xsl"]}}
    reasons = gate.evaluate(invoice_model(snapshot(LINES)), "INV-1", (Format.PEPPOL_UBL,)).reasons
    assert [r.code for r in reasons] == [ErrorCode.INVALID_CONFIGURATION]
    assert "/nonexistent/rules.xsl" in reasons[0].message


@pytest.mark.django_db
def test_issuing_holds_a_b2b_invoice_without_the_buyer_data_its_format_needs(einvoice_rules):
    sample.ensure_channel(**PEPPOL_CHANNEL)
    base = sample.build_snapshot()
    incomplete = dataclasses.replace(base, buyer_vat_id="DE987654321")
    complete = dataclasses.replace(base, buyer_vat_id="DE987654321", buyer_reference="PO-1",
                                   buyer_electronic_address="4035811991021", buyer_electronic_scheme="0088")
    consumer = base
    results = {}
    for name, snap in (("incomplete", incomplete), ("complete", complete), ("consumer", consumer)):
        order = sample.create_order(snap)
        sample.pay(str(order.id))
        results[name] = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    held = results["incomplete"]
    assert held.status == DocumentStatus.NEEDS_REVIEW and held.number is None
    assert {r["code"] for r in held.review_reasons} == {ErrorCode.MISSING_BUYER_DATA.value}
    assert any("BT-49" in r["message"] for r in held.review_reasons)
    assert results["complete"].status == DocumentStatus.ISSUED and results["complete"].number
    assert results["consumer"].status == DocumentStatus.ISSUED
    receipts = BillingDocument.objects.filter(type=DocumentType.RECEIPT)
    assert receipts.count() == 3 and set(receipts.values_list("status", flat=True)) == {DocumentStatus.ISSUED}

