"""The stored files of a document beside its PDF: its e-invoice XML, one row per format, with SHA-256."""

from __future__ import annotations

import uuid

from django.db import models

from ..storage import private_storage

FORMAT_CHOICES = [("facturx", "Factur-X / ZUGFeRD XML (EN 16931)"), ("xrechnung-ubl", "XRechnung 3.0 UBL"),
                  ("xrechnung-cii", "XRechnung 3.0 CII"), ("peppol-ubl", "Peppol BIS Billing 3.0")]


def _file_path(instance: DocumentFile, filename: str) -> str:
    # Random like the PDF's path: a leaked storage listing reveals nothing sequential.
    document = instance.document
    return f"documents/{document.channel}/{document.id.hex[:2]}/{document.id.hex}.{instance.format}.xml"


class DocumentFile(models.Model):
    """Written once, from the frozen content and the number, after it validated; never rewritten."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey("saypro_invoicing.BillingDocument", on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=32, choices=FORMAT_CHOICES)
    file = models.FileField(storage=private_storage, upload_to=_file_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "saypro_invoicing"
        constraints = [models.UniqueConstraint(fields=["document", "format"], name="saypro_file_one_per_format")]
        ordering = ["document", "format"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.format}"

    @property
    def filename(self) -> str:
        """What the customer's mail client and download show: the document's name and the format."""
        stem = self.document.filename.removesuffix(".pdf")
        return f"{stem}.{'factur-x' if self.format == 'facturx' else self.format}.xml"
