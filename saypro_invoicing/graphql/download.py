"""The signed download link: the only way to a PDF from outside (guests included).

The token is the credential: signed, expiring, bound to one document. Forged -> 403, expired -> 410,
held for review or unknown -> 404. Answers are never cached by shared caches.
"""

from __future__ import annotations

import logging

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .. import links
from ..einvoice.store import ensure_files, read
from ..errors import SayproInvoicingError
from ..hosts import writer
from ..models import BillingDocument
from ..models.documents import DocumentStatus
from ..rendering import ensure_pdf

logger = logging.getLogger(__name__)



def _private[R: HttpResponseBase](response: R) -> R:
    # A plain or a streaming (file) response: the same private-cache headers go on both.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _text(status: int, message: str) -> HttpResponse:
    return _private(HttpResponse(message, status=status, content_type="text/plain; charset=utf-8"))


def download_view(request: HttpRequest, token: str) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        response: HttpResponseBase = _text(405, "Method not allowed.")
        response["Allow"] = "GET, HEAD"
        return response
    try:
        document_id, file_format = links.read_file_token(token)
    except links.LinkExpired:
        return _text(410, "This download link has expired. Ask the shop for a new one.")
    except links.LinkInvalid:
        return _text(403, "This download link is not valid.")
    document = BillingDocument.objects.filter(pk=document_id).first()
    # A held document has no number and must never leave the shop; VOID documents stay downloadable.
    if document is None or document.status == DocumentStatus.NEEDS_REVIEW or not document.number:
        return _text(404, "Document not found.")
    if file_format:
        return _stored_file(document, file_format)
    if not document.pdf:
        try:
            with writer():  # Saleor routes reads to replicas; storing the PDF is a write
                document = ensure_pdf(document)
        except SayproInvoicingError:
            logger.exception("saypro_invoicing: could not render document %s for download", document.pk)
            return _text(503, "The document is being prepared. Try again in a minute.")
    try:
        size = document.pdf.size
        if request.method == "HEAD":
            response = HttpResponse(content_type="application/pdf")
            response["Content-Length"] = str(size)
            response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        else:
            response = FileResponse(document.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                                    filename=document.filename)
    except OSError:
        logger.exception("saypro_invoicing: the PDF of document %s is missing from storage", document.pk)
        return _text(503, "The document is temporarily unavailable.")
    return _private(response)


def _stored_file(document: BillingDocument, file_format: str) -> HttpResponse:
    """One e-invoice XML of the document (issue 13), written and validated on first request."""
    try:
        with writer():
            row = next((f for f in ensure_files(document) if f.format == file_format), None)
        if row is None:
            return _text(404, "Document not found.")
        data = read(row)
    except SayproInvoicingError:
        logger.exception("saypro_invoicing: could not write the %s of document %s", file_format, document.pk)
        return _text(503, "The document is being prepared. Try again in a minute.")
    except OSError:
        logger.exception("saypro_invoicing: the %s of document %s is missing from storage", file_format, document.pk)
        return _text(503, "The document is temporarily unavailable.")
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{row.filename}"'
    return _private(response)
