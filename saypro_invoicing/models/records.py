"""Alerts, breaches, audit trail and resumable batch runs."""

from __future__ import annotations

from django.db import models

from .documents import BillingDocument


class AlertKind(models.TextChoices):
    REVIEW_HOLD = "review_hold", "Document held for review"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    BOUNCED = "bounced", "Delivery bounced"
    SLA_WARNING = "sla_warning", "Delivery deadline approaching"
    SLA_BREACH = "sla_breach", "Delivery deadline breached"
    CORRECTION_REQUESTED = "correction_requested", "Correction requested"
    RECONCILIATION = "reconciliation", "Reconciliation mismatch"
    HOOK_FAILED = "hook_failed", "A host event could not be processed"


class StaffAlert(models.Model):
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    document = models.ForeignKey(BillingDocument, null=True, on_delete=models.SET_NULL, related_name="alerts")
    channel = models.CharField(max_length=128, blank=True, default="")
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One alert of a kind per document: retries and sweeps do not spam staff.
            models.UniqueConstraint(fields=["kind", "document"], condition=models.Q(document__isnull=False),
                                    name="saypro_alert_once_per_document"),
        ]


class SlaBreach(models.Model):
    document = models.OneToOneField(BillingDocument, on_delete=models.CASCADE, related_name="sla_breach")
    deadline_at = models.DateTimeField()
    cause = models.CharField(max_length=64)
    detail = models.TextField(blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)


class AuditAction(models.TextChoices):
    """What an AuditEntry records; the values are stored, so they never change."""

    VOIDED = "voided", "Voided"
    RELEASED = "released", "Released after review"
    RESEND = "resend", "Sent again on request"
    CORRECTION_REQUESTED = "correction_requested", "Correction requested"
    CORRECTION_APPROVED = "correction_approved", "Correction approved"
    CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
    CORRECTION_REJECTION_SENT = "correction_rejection_sent", "Rejection notice sent"
    CORRECTION_REJECTION_FAILED = "correction_rejection_failed", "Rejection notice not sent"
    SWEEPER_REQUEUED = "sweeper_requeued", "Stalled delivery queued again by the sweeper"
    BACKFILL_UNSENT = "backfill_unsent", "Issued by backfill without sending"
    SLA_REPORT_SENT = "sla_report_sent", "SLA report emailed"
    VERIFY_FAILED = "verify_failed", "Archive verification failed"
    ANONYMISED = "anonymised", "Personal data removed after retention"


class AuditEntry(models.Model):
    """What happened to a document and who did it; kept after retention removes the personal data."""

    document = models.ForeignKey(BillingDocument, null=True, on_delete=models.SET_NULL, related_name="audit_entries")
    document_number = models.CharField(max_length=64, blank=True, default="")
    action = models.CharField(max_length=64)
    actor = models.CharField(max_length=254, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class BackfillRun(models.Model):
    """A resumable backfill: the cursor moves only after a batch has committed."""

    key = models.CharField(max_length=255, unique=True)
    params = models.JSONField(default=dict)
    cursor = models.CharField(max_length=255, blank=True, default="")
    processed = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


# The retention guard on BillingDocument (signals) must be connected whenever the models are.
from ..archive import guards  # noqa: E402, F401
