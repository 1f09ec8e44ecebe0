"""What GraphQL lists per document: its PDF and each e-invoice format, with a signed link per file."""

from __future__ import annotations

from typing import Any

from .. import links
from ..models import BillingDocument
from ..models.documents import DocumentStatus
from .formats import Format, spec


def document_formats(document: BillingDocument) -> list[dict[str, Any]]:
    """The PDF first ("facturx-pdf" where it is the Factur-X hybrid), then each XML the content froze.

    Links only for issued documents; an XML not stored yet is written (and validated) on first download."""
    frozen = [Format(value) for value in document.document_content.einvoice_formats]
    issued = bool(document.number) and document.status != DocumentStatus.NEEDS_REVIEW
    stored = {row.format: row.sha256 for row in document.files.all()} if frozen else {}
    hybrid = Format.FACTURX in frozen
    result = [{
        "format": "facturx-pdf" if hybrid else "pdf",
        "label": "PDF/A-3 with Factur-X (EN 16931)" if hybrid else "PDF",
        "media_type": "application/pdf",
        "download_url": links.download_url(document.id, document.channel) if issued else None,
        "sha256": document.pdf_sha256 or None,
    }]
    for fmt in frozen:
        result.append({
            "format": fmt.value,
            "label": spec(fmt).label,
            "media_type": "application/xml",
            "download_url": links.download_url(document.id, document.channel, file_format=fmt.value) if issued
            else None,
            "sha256": stored.get(fmt.value),
        })
    return result
