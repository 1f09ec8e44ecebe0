from __future__ import annotations

import uuid
from functools import cached_property

from django.db import models
from django.db.models import Q

from ..snapshot import DocumentContent, DocumentType, from_json
from ..storage import private_storage


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    NEEDS_REVIEW = "needs_review", "Needs review"
    VOID = "void", "Void"


class DeliveryStatus(models.TextChoices):
    # The order is the precedence: a status never moves to a lower one.
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    DELIVERED = "delivered", "Delivered"


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    CREDITED = "credited", "Credited"


DOCUMENT_TYPE_CHOICES = [(t.value, t.value.replace("_", " ").capitalize()) for t in DocumentType]


def _pdf_path(instance: BillingDocument, filename: str) -> str:
    # Random, not the number: a leaked storage listing reveals nothing sequential.
    return f"documents/{instance.channel}/{instance.id.hex[:2]}/{instance.id.hex}.pdf"


class NumberSequence(models.Model):
    """The last number used per (channel, type, fiscal year); its row lock makes numbering gapless."""

    channel = models.CharField(max_length=128)
    type = models.CharField(max_length=32, choices=DOCUMENT_TYPE_CHOICES)
    fiscal_year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "type", "fiscal_year"], name="saypro_sequence_unique"),
        ]


class BillingDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=32, choices=DOCUMENT_TYPE_CHOICES)
    status = models.CharField(max_length=32, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED)
    channel = models.CharField(max_length=128)
    order_id = models.CharField(max_length=64)
    order_number = models.CharField(max_length=64)
    # One document per (order, type, triggering payment / refund / event): the idempotency key.
    trigger_key = models.CharField(max_length=255, unique=True)

    number = models.CharField(max_length=64, null=True, blank=True)
    fiscal_year = models.PositiveIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)

    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=20, decimal_places=3)
    total_net = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    tax_total = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    content = models.JSONField()
    review_reasons = models.JSONField(default=list, blank=True)

    customer_email = models.CharField(max_length=254, blank=True, default="")
    customer_user_id = models.CharField(max_length=64, blank=True, default="")
    customer_name = models.CharField(max_length=256, blank=True, default="")
    locale = models.CharField(max_length=16, default="en")

    pdf = models.FileField(storage=private_storage, upload_to=_pdf_path, max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, default="")

    event_at = models.DateTimeField(help_text="When the order reached the trigger or the payment/refund happened.")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    payment_status = models.CharField(max_length=32, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    paid_at = models.DateTimeField(null=True, blank=True)

    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True, default="")

    host_invoice_id = models.CharField(max_length=64, blank=True, default="")
    reminder_count = models.PositiveSmallIntegerField(default=0)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "type", "fiscal_year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="saypro_document_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "type", "-issued_at"], name="saypro_doc_chan_type_issued"),
            models.Index(fields=["-issued_at", "id"], name="saypro_doc_issued"),
            models.Index(fields=["order_id"], name="saypro_doc_order"),
            models.Index(fields=["order_number"], name="saypro_doc_order_number"),
            models.Index(fields=["number"], name="saypro_doc_number"),
            models.Index(fields=["customer_user_id", "-issued_at"], name="saypro_doc_customer"),
            models.Index(fields=["customer_email"], name="saypro_doc_email"),
            models.Index(fields=["delivery_status", "event_at"], name="saypro_doc_delivery"),
            models.Index(fields=["status"], name="saypro_doc_status"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.number or self.id}"

    @cached_property
    def document_content(self) -> DocumentContent:
        return from_json(DocumentContent, self.content)

    @property
    def document_type(self) -> DocumentType:
        return DocumentType(self.type)

    @property
    def is_sendable(self) -> bool:
        return self.status == DocumentStatus.ISSUED and bool(self.number)

    @property
    def filename(self) -> str:
        return f"{self.type.replace('_', '-')}-{self.number or self.id.hex}.pdf"


class GateCheck(models.Model):
    """One row per accuracy check, passed or not: the denominator of the accuracy rate."""

    document = models.ForeignKey(BillingDocument, null=True, on_delete=models.SET_NULL, related_name="gate_checks")
    channel = models.CharField(max_length=128)
    type = models.CharField(max_length=32, choices=DOCUMENT_TYPE_CHOICES)
    trigger_key = models.CharField(max_length=255)
    passed = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "checked_at"], name="saypro_gate_chan_time")]
