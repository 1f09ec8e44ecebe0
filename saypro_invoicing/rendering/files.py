"""The stored PDF of a document: rendered once, kept, and provable by its SHA-256.

An issued document's PDF is never rendered again: a later render could differ (templates,
fonts, WeasyPrint versions change) and the stored hash is the proof of what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ..einvoice.store import customer_pdf
from ..errors import ErrorCode, SayproInvoicingError
from ..models import BillingDocument
from .pdf import render_document_pdf

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


def ensure_pdf(document: BillingDocument) -> BillingDocument:
    """The document with its PDF stored, rendering it only if no PDF is stored yet."""
    if document.pdf:
        return document
    if not document.number:
        raise SayproInvoicingError(
            f"Document {document.pk} has no number (status {document.status}): it is not issued and has no PDF.",
            code=ErrorCode.NOT_ISSUED,
        )
    # Render before taking the row lock: a render takes from 0.2 s to seconds and the row is also
    # written by delivery. Losing a race costs one wasted render, never a second file.
    content = document.document_content
    if "facturx" in content.einvoice_formats:
        # The Factur-X hybrid (PDF/A-3 with the CII XML), where the document's content froze that flavour.
        data = customer_pdf(document)
    else:
        data = render_document_pdf(content, number=document.number, document_id=document.id.hex)
    with transaction.atomic():
        locked = BillingDocument.objects.select_for_update().get(pk=document.pk)
        if not locked.pdf:
            locked.pdf.save(f"{locked.id.hex}.pdf", ContentFile(data), save=False)
            locked.pdf_sha256 = hashlib.sha256(data).hexdigest()
            locked.rendered_at = timezone.now()
            locked.save(update_fields=["pdf", "pdf_sha256", "rendered_at"])
    document.pdf, document.pdf_sha256, document.rendered_at = locked.pdf.name, locked.pdf_sha256, locked.rendered_at
    return document


def file_sha256(document: BillingDocument) -> str:
    digest = hashlib.sha256()
    # Straight from the storage: the field's cached file object cannot be reopened once closed.
    with document.pdf.storage.open(document.pdf.name or "", "rb") as stored:
        while chunk := stored.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_pdf(document: BillingDocument) -> bool:
    """Whether the stored file still has the SHA-256 recorded when it was rendered."""
    if not document.pdf or not document.pdf_sha256:
        return False
    try:
        actual = file_sha256(document)
    except (OSError, ValueError):
        logger.warning("saypro_invoicing: the PDF of document %s is missing from storage", document.pk)
        return False
    return hmac.compare_digest(actual, document.pdf_sha256)
