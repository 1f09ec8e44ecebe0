"""Inside Saleor: a business order's buyer data comes from Saleor's order metadata (the keys of
saypro_invoicing.buyer); the channel's e-invoice settings come from Saleor's plugin configuration."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from pypdf import PdfReader
from saleor.order.actions import mark_order_as_paid_with_transaction
from saleor.plugins.manager import get_plugins_manager

from saypro_invoicing.einvoice.formats import Format
from saypro_invoicing.einvoice.store import read
from saypro_invoicing.einvoice.validate import validate
from saypro_invoicing.models import BillingDocument, DocumentFile
from saypro_invoicing.models.documents import DocumentStatus

pytestmark = [pytest.mark.saleor]

EINVOICE_CHANNEL = {"b2b_xml": "peppol-ubl", "pdf_flavour": "facturx", "seller_electronic_address": "DE123456789",
                    "seller_electronic_scheme": "9930", "seller_contact_name": "Max Muster",
                    "seller_phone": "+1 415 555 0100", "seller_email": "billing@shop.example"}
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def _pay(order, staff_user, capture):
    with capture(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))
    return BillingDocument.objects.get(order_id=str(order.pk), type="invoice")


def test_business_order_gets_peppol_xml_and_factur_x_pdf(order_with_lines, channel_USD, activate_plugin, staff_user,
                                                         smtp_server, django_capture_on_commit_callbacks):
    activate_plugin(channel_USD, **EINVOICE_CHANNEL)
    order = order_with_lines
    order.store_value_in_metadata({"invoicing.buyer_vat_id": "DE 987.654.321", "invoicing.buyer_reference": "BR-7",
                                   "invoicing.buyer_electronic_address": "0088:4035811991021"})
    order.save(update_fields=["metadata"])
    invoice = _pay(order, staff_user, django_capture_on_commit_callbacks)
    assert invoice.status == DocumentStatus.ISSUED, invoice.review_reasons
    assert invoice.document_content.einvoice_formats == ("facturx", "peppol-ubl")
    mail = next(m for m in smtp_server.to(order.user_email) if "invoice" in m.subject)
    (_pdf_name, _pdf_type, pdf), (xml_name, xml_type, xml) = mail.attachments()
    assert xml_type == "application/xml" and xml_name.endswith(".peppol-ubl.xml")
    assert validate(Format.PEPPOL_UBL, xml, credit_note=False).valid
    root = etree.fromstring(xml)
    assert root.findtext("cbc:ID", namespaces=UBL) == invoice.number
    assert root.findtext("cbc:BuyerReference", namespaces=UBL) == "BR-7"
    assert [(e.get("schemeID"), e.text) for e in root.iterfind(".//cbc:EndpointID", UBL)] == [
        ("9930", "DE123456789"), ("0088", "4035811991021")]
    assert PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"] == [read(
        DocumentFile.objects.get(document=invoice, format="facturx"))]
    assert {f.format for f in DocumentFile.objects.filter(document=invoice)} == {"facturx", "peppol-ubl"}


def test_business_order_without_its_electronic_address_is_held(order_with_lines, channel_USD, activate_plugin,
                                                                staff_user, django_capture_on_commit_callbacks):
    activate_plugin(channel_USD, **EINVOICE_CHANNEL)
    order = order_with_lines
    order.store_value_in_metadata({"invoicing.buyer_vat_id": "DE987654321", "invoicing.buyer_reference": "BR-7"})
    order.save(update_fields=["metadata"])
    invoice = _pay(order, staff_user, django_capture_on_commit_callbacks)
    assert invoice.status == DocumentStatus.NEEDS_REVIEW and not invoice.number
    [reason] = invoice.review_reasons
    assert reason["code"] == "missing_buyer_data" and "invoicing.buyer_electronic_address" in reason["message"]
