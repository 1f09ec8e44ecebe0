"""The Factur-X PDF: PDF/A-3b whose XMP declares part 3 and the Factur-X extension, fonts embedded, an
output intent, the CII XML as the associated file factur-x.xml; a reader still reads the invoice."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from saypro_invoicing.document.calculate import with_model
from saypro_invoicing.einvoice.facturx_pdf import render_facturx_pdf
from saypro_invoicing.einvoice.formats import Format
from saypro_invoicing.einvoice.validate import validate
from saypro_invoicing.einvoice.write import write
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DocumentFile
from saypro_invoicing.rendering.files import ensure_pdf, verify_pdf
from saypro_invoicing.rendering.pdf import render_document_pdf
from saypro_invoicing.snapshot import DocumentType
from tests.einvoice_support import credit_content, credit_model, invoice_content, invoice_model, snapshot

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
EXT = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
NUMBER = "INV-2026-000042"


@pytest.fixture(scope="module")
def rendered():
    order = snapshot([(2, Decimal("19.99"), Decimal("0.19")), (1, Decimal("24.50"), Decimal("0.07"))],
                     shipping=(Decimal("4.90"), Decimal("0.19")))
    model = invoice_model(order)
    content = with_model(invoice_content(order), model)
    xml = write(model, NUMBER, Format.FACTURX)
    return content, xml, render_facturx_pdf(content, xml, number=NUMBER)


def xmp(reader: PdfReader) -> etree._Element:
    data = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    return etree.fromstring(data[data.index(b"<x:xmpmeta"):data.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")])


def rdf_value(root: etree._Element, ns: str, name: str) -> list[str]:
    """An XMP property written as an attribute or as an element of an rdf:Description."""
    values = [d.get(f"{{{ns}}}{name}") for d in root.iter(f"{{{RDF}}}Description") if d.get(f"{{{ns}}}{name}")]
    return values + [e.text for e in root.iter(f"{{{ns}}}{name}")]


def test_xmp_declares_pdfa_3b_and_the_factur_x_extension(rendered):
    _content, _xml, pdf = rendered
    root = xmp(PdfReader(io.BytesIO(pdf)))
    assert rdf_value(root, PDFAID, "part") == ["3"] and rdf_value(root, PDFAID, "conformance") == ["B"]
    assert rdf_value(root, FX, "DocumentType") == ["INVOICE"]
    assert rdf_value(root, FX, "DocumentFileName") == ["factur-x.xml"]
    assert rdf_value(root, FX, "Version") == ["1.0"]
    assert rdf_value(root, FX, "ConformanceLevel") == ["EN 16931"]
    schemas = root.findall(f".//{{{EXT}}}schemas//{{{SCHEMA}}}namespaceURI")
    assert [s.text for s in schemas] == [FX]
    declared = [e.text for e in root.iter("{http://www.aiim.org/pdfa/ns/property#}name")]
    assert sorted(declared) == ["ConformanceLevel", "DocumentFileName", "DocumentType", "Version"]
    assert root.find(f".//{{{SCHEMA}}}prefix").text == "fx" and "fx" in {
        prefix for el in root.iter() for prefix, uri in el.nsmap.items() if uri == FX}


def test_xml_is_the_associated_file_and_valid(einvoice_rules, rendered):
    _content, xml, pdf = rendered
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    associated = [ref.get_object() for ref in catalog["/AF"]]
    assert len(associated) == 1
    spec = associated[0]
    assert spec["/F"] == spec["/UF"] == "factur-x.xml" and spec["/AFRelationship"] in ("/Data", "/Alternative")
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/text/xml" and embedded.get_data() == xml
    assert reader.attachments["factur-x.xml"] == [xml]
    # The reference Python library reads the same XML back out, as a receiving system would.
    filename, extracted = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml" and extracted == xml
    assert validate(Format.FACTURX, extracted, credit_note=False).valid


def test_output_intent_and_embedded_fonts(rendered):
    reader = PdfReader(io.BytesIO(rendered[2]))
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents and intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert intents[0].get_object()["/DestOutputProfile"].get_object().get_data()  # an ICC profile
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts += 1
    assert fonts


def test_text_extraction_reads_the_same_invoice_as_the_plain_pdf(rendered):
    content, _xml, pdf = rendered
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    plain = render_document_pdf(content, number=NUMBER)
    plain_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(plain)).pages)
    assert NUMBER in text and "SayPro Demo GmbH" in text and "69.38" in text.replace(",", ".")
    assert text == plain_text
    assert render_facturx_pdf(content, rendered[1], number=NUMBER) == pdf  # same content, same bytes


def test_credit_notes_are_factur_x_too(einvoice_rules):
    order = snapshot([(1, Decimal("119.00"), Decimal("0.19"))])
    model = credit_model(order, invoice_model(order), "amount")
    content = with_model(credit_content(order, amount=model.totals.gross_total), model)
    xml = write(model, "CN-1", Format.FACTURX)
    pdf = render_facturx_pdf(content, xml, number="CN-1")
    assert PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"] == [xml]
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert validate(Format.FACTURX, xml, credit_note=True).valid


@pytest.mark.django_db
def test_a_factur_x_channel_stores_the_hybrid_and_its_xml(einvoice_rules):
    sample.ensure_channel(pdf_flavour="facturx", seller_contact_name="Max Muster")
    order = sample.create_order()
    sample.pay(str(order.id))
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    receipt = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.RECEIPT)
    assert invoice.document_content.einvoice_formats == ("facturx",)
    assert receipt.document_content.einvoice_formats == ()
    ensure_pdf(invoice)
    stored = DocumentFile.objects.get(document=invoice)
    with invoice.pdf.storage.open(invoice.pdf.name, "rb") as handle:
        pdf = handle.read()
    with stored.file.storage.open(stored.file.name, "rb") as handle:
        xml = handle.read()
    assert (stored.format, stored.sha256) == ("facturx", hashlib.sha256(xml).hexdigest())
    assert PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"] == [xml]
    assert invoice.number.encode() in xml and verify_pdf(invoice)
    ensure_pdf(receipt)
    with receipt.pdf.storage.open(receipt.pdf.name, "rb") as handle:
        assert not PdfReader(handle).attachments  # receipts stay plain PDFs
    assert not DocumentFile.objects.filter(document=receipt).exists()


def test_plain_channels_keep_the_plain_pdf(rendered):
    content, _xml, _pdf = rendered
    plain = render_document_pdf(dataclasses.replace(content, einvoice_formats=()), number=NUMBER)
    reader = PdfReader(io.BytesIO(plain))
    assert not reader.attachments and "/AF" not in reader.trailer["/Root"]
