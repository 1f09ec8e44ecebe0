from __future__ import annotations

from django.db import models

from .documents import BillingDocument


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class AttemptStatus(models.TextChoices):
    SENDING = "sending", "Sending"  # written before the send: a crash mid-send leaves a visible trace
    SENT = "sent", "Accepted by the server"
    DEFERRED = "deferred", "Transient failure, will retry"
    BOUNCED = "bounced", "Rejected permanently"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Not sent: address suppressed"


class AttemptPurpose(models.TextChoices):
    DOCUMENT = "document", "Document"
    RESEND = "resend", "Resend"
    FALLBACK = "fallback", "Fallback"
    REMINDER = "reminder", "Reminder"
    CONFIRMATION = "confirmation", "Delivery confirmation"


class DeliveryAttempt(models.Model):
    """One row per try to hand a document to a provider (django-post-office style log)."""

    document = models.ForeignKey(BillingDocument, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    purpose = models.CharField(max_length=16, choices=AttemptPurpose.choices, default=AttemptPurpose.DOCUMENT)
    recipient = models.CharField(max_length=254)
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.SENDING)
    attempt_number = models.PositiveSmallIntegerField(default=1)
    provider_message_id = models.CharField(max_length=255, blank=True, default="")
    response = models.TextField(blank=True, default="", help_text="SMTP reply or exception text.")
    error_code = models.CharField(max_length=32, blank=True, default="")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["document", "channel", "purpose"], name="saypro_attempt_doc"),
            models.Index(fields=["provider_message_id"], name="saypro_attempt_msgid"),
        ]


class DeliveryEvent(models.Model):
    """An asynchronous provider event (anymail tracking): delivered, bounced, complained, ..."""

    document = models.ForeignKey(BillingDocument, null=True, on_delete=models.SET_NULL, related_name="delivery_events")
    attempt = models.ForeignKey(DeliveryAttempt, null=True, on_delete=models.SET_NULL, related_name="events")
    event_type = models.CharField(max_length=32)
    recipient = models.CharField(max_length=254, blank=True, default="")
    provider_message_id = models.CharField(max_length=255, blank=True, default="")
    provider_event_id = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict, blank=True)


class Suppression(models.Model):
    """A hard-bounced or complaining address: not mailed again until staff clear it."""

    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=64)
    detail = models.TextField(blank=True, default="")
    document = models.ForeignKey(BillingDocument, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address"], condition=models.Q(cleared_at__isnull=True),
                                    name="saypro_suppression_active_unique"),
        ]


class Reminder(models.Model):
    """One row per reminder step of an unpaid invoice; the unique step makes sending idempotent."""

    document = models.ForeignKey(BillingDocument, on_delete=models.CASCADE, related_name="reminders")
    step = models.PositiveSmallIntegerField()
    days_after_due = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempt = models.ForeignKey(DeliveryAttempt, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "step"], name="saypro_reminder_step_unique")]
