"""A document's e-invoice files: written from the frozen content with the real number, validated
again (an invalid e-invoice is never stored, so never sent), stored once with their SHA-256.

``ensure_files(document)`` stores every format the content froze at issue; ``customer_pdf(document)``
is the PDF the customer gets (the Factur-X hybrid where the channel chose it, else the plain PDF).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from ..document.calculate import model_of
from ..errors import ErrorCode, SayproInvoicingError
from ..models import BillingDocument, DocumentFile
from ..rendering.pdf import render_document_pdf
from .facturx_pdf import render_facturx_pdf
from .formats import Format, spec
from .validate import validate
from .write import write

logger = logging.getLogger(__name__)

XML_MEDIA_TYPE = "application/xml"


def document_formats(document: BillingDocument) -> tuple[Format, ...]:
    return tuple(Format(value) for value in document.document_content.einvoice_formats)


def build_xml(document: BillingDocument, fmt: Format) -> bytes:
    if not document.number:
        raise SayproInvoicingError(f"Document {document.pk} is not issued: it has no e-invoice.",
                                   code=ErrorCode.NOT_ISSUED)
    model = model_of(document.document_content)
    xml = write(model, document.number, fmt)
    report = validate(fmt, xml, credit_note=model.is_credit_note)
    if not report.valid:
        # The gate validated the same model before numbering; reaching this means a rule set changed since.
        details = "; ".join(f"{f.rule}: {f.message}" for f in report.errors[:5])
        raise SayproInvoicingError(f"The {spec(fmt).label} of {document.number} is invalid: {details}",
                                   code=ErrorCode.EINVOICE_INVALID)
    return xml


def ensure_files(document: BillingDocument) -> list[DocumentFile]:
    """Every e-invoice file of the document, writing the missing ones once."""
    if not document_formats(document):
        return []
    stored = {f.format: f for f in DocumentFile.objects.filter(document=document)}
    for fmt in document_formats(document):
        if fmt.value in stored:
            continue
        xml = build_xml(document, fmt)
        row = DocumentFile(document=document, format=fmt.value, sha256=hashlib.sha256(xml).hexdigest(),
                           size=len(xml))
        try:
            with transaction.atomic():
                row.file.save(f"{document.id.hex}.{fmt.value}.xml", ContentFile(xml), save=False)
                row.save(force_insert=True)
        except IntegrityError:  # a concurrent delivery stored it first: theirs is the file
            row.file.storage.delete(row.file.name or "")
            row = DocumentFile.objects.get(document=document, format=fmt.value)
        stored[fmt.value] = row
    return [stored[fmt.value] for fmt in document_formats(document) if fmt.value in stored]


def read(row: DocumentFile) -> bytes:
    with row.file.storage.open(row.file.name or "", "rb") as handle:
        return handle.read()


def verify_file(row: DocumentFile) -> bool:
    try:
        actual = hashlib.sha256(read(row)).hexdigest()
    except (OSError, ValueError):
        logger.warning("saypro_invoicing: the %s file of document %s is missing", row.format, row.document_id)
        return False
    return hmac.compare_digest(actual, row.sha256)


def customer_pdf(document: BillingDocument) -> bytes:
    content = document.document_content
    if Format.FACTURX not in document_formats(document):
        return render_document_pdf(content, number=document.number or "", document_id=document.id.hex)

    row = next(f for f in ensure_files(document) if f.format == Format.FACTURX.value)
    return render_facturx_pdf(content, read(row), number=document.number or "", document_id=document.id.hex)


def email_attachments(document: BillingDocument) -> list[tuple[str, bytes, str]]:
    """(filename, bytes, media type) of the XML a B2B customer gets beside the PDF. The Factur-X XML
    travels inside the PDF already."""
    return [(row.filename, read(row), XML_MEDIA_TYPE) for row in ensure_files(document)
            if row.format != Format.FACTURX.value]
