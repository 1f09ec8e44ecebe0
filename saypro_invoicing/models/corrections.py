from __future__ import annotations

import uuid

from django.db import models

from .documents import BillingDocument


class CorrectionStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class CorrectionRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(BillingDocument, on_delete=models.PROTECT, related_name="correction_requests")
    requested_by = models.CharField(max_length=64, blank=True, default="", help_text="Host user id.")
    reason = models.TextField()
    company_name = models.CharField(max_length=256, blank=True, default="")
    vat_id = models.CharField(max_length=64, blank=True, default="")
    billing_address = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN)
    requested_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=64, blank=True, default="")
    resolution_message = models.TextField(blank=True, default="")
    credit_note = models.ForeignKey(BillingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    corrected_invoice = models.ForeignKey(BillingDocument, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="saypro_correction_status")]
