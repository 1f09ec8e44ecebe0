"""The customer's PDF as a Factur-X / ZUGFeRD hybrid: PDF/A-3b with the CII XML embedded as
``factur-x.xml`` (the associated file of the document, relationship Data) and the Factur-X XMP extension.

The same HTML as the plain PDF is laid out by the same renderer (fonts, stylesheet, fetcher), so a
consumer sees the same pages; only the PDF variant, the attachment and the metadata differ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import SubElement, fromstring, register_namespace, tostring

import pydyf
import weasyprint

from ..rendering import pdf as renderer
from ..rendering.fonts import font_config, render_lock
from ..snapshot import DocumentContent

FILE_NAME = "factur-x.xml"
FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
VERSION = "1.0"
CONFORMANCE_LEVEL = "EN 16931"
# The PDF stays the readable form of the document; the XML is its data (Alternative: the XML prevails).
RELATIONSHIP = "Data"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXT = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
# PDF/A validators expect the prefixes the extension schema declares (fx) and the usual ones for the schema.
for _prefix, _uri in (("fx", FX_NS), ("pdfaExtension", EXT), ("pdfaSchema", SCHEMA), ("pdfaProperty", PROPERTY)):
    register_namespace(_prefix, _uri)
_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


def _factur_x_rdf(base: bytes) -> bytes:
    """WeasyPrint's RDF (PDF/A identification, producer, dates) plus the PDF/A extension schema that
    declares the fx: properties (PDF/A requires custom properties to be declared) and their values."""
    rdf = fromstring(base)
    about = {f"{{{RDF}}}about": ""}
    extension = SubElement(rdf, f"{{{RDF}}}Description", about)
    bag = SubElement(SubElement(extension, f"{{{EXT}}}schemas"), f"{{{RDF}}}Bag")
    schema = SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    SubElement(schema, f"{{{SCHEMA}}}schema").text = "Factur-X PDFA Extension Schema"
    SubElement(schema, f"{{{SCHEMA}}}namespaceURI").text = FX_NS
    SubElement(schema, f"{{{SCHEMA}}}prefix").text = "fx"
    seq = SubElement(SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, description in _PROPERTIES:
        prop = SubElement(seq, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
        SubElement(prop, f"{{{PROPERTY}}}name").text = name
        SubElement(prop, f"{{{PROPERTY}}}valueType").text = "Text"
        SubElement(prop, f"{{{PROPERTY}}}category").text = "external"
        SubElement(prop, f"{{{PROPERTY}}}description").text = description
    values = SubElement(rdf, f"{{{RDF}}}Description", about)
    for name, value in (("DocumentType", "INVOICE"), ("DocumentFileName", FILE_NAME), ("Version", VERSION),
                        ("ConformanceLevel", CONFORMANCE_LEVEL)):
        SubElement(values, f"{{{FX_NS}}}{name}").text = value
    return tostring(rdf, encoding="utf-8")


def _pdf_date(content: DocumentContent) -> datetime:
    # Dates from the content, never the clock: the same content gives the same bytes.
    return (content.issued_at or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)


def render_facturx_pdf(content: DocumentContent, xml: bytes, *, number: str, document_id: str | None = None) -> bytes:
    """Credit notes are Factur-X documents too (fx:DocumentType INVOICE covers the 38x type codes)."""
    html = renderer.render_document_html(content, number=number, document_id=document_id)
    when = _pdf_date(content)
    with render_lock:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=renderer.fetcher()).render(
            stylesheets=[renderer.stylesheet()], font_config=font_config(),
            cache=renderer._image_cache)  # the renderer's one image cache per process
        metadata = document.metadata
        base_rdf = metadata.generate_rdf_metadata

        def generate(variant, version, conformance):
            return _factur_x_rdf(base_rdf(variant, version, conformance))

        metadata.generate_rdf_metadata = generate
        metadata.title = metadata.title or number
        metadata.created = metadata.modified = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        # The renderer's fetcher: an Attachment without one builds a URLFetcher, and with it an SSL context
        # (~20-90 ms), for every document.
        attachment = weasyprint.Attachment(string=xml, name=FILE_NAME, description="Factur-X invoice data",
                                           created=when, modified=when, relationship=RELATIONSHIP,
                                           url_fetcher=renderer.fetcher())
        return document.write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment], finisher=_one_entry_per_file)


def _one_entry_per_file(_document, pdf) -> None:
    """WeasyPrint lists an embedded file in /AF once from the name tree and once as a file specification."""
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
