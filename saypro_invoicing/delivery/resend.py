"""Resending a document on request: staff (GraphQL, Saleor's dashboard "Send invoice") or the customer.

The same pipeline and record as the first delivery, with purpose RESEND. Nothing is cleared: a
suppressed address stays suppressed (the request is recorded as a SUPPRESSED attempt) until
staff clear it with ``clear_suppression``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from ..errors import ErrorCode, SayproInvoicingError, ValidationError
from ..models import AuditEntry, BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from .suppression import clear_suppression, is_suppressed, normalise

__all__ = ["ResendResult", "clear_suppression", "resend"]


@dataclass(frozen=True)
class ResendResult:
    queued: bool
    recipient: str
    attempt: DeliveryAttempt | None = None  # the SUPPRESSED attempt when not queued
    error_code: ErrorCode | None = None


def resend(document: BillingDocument, email: str | None = None, requested_by: str = "") -> ResendResult:
    """Queue the document to ``email`` (default: the order's address) after the current transaction commits."""
    if not document.is_sendable:
        raise SayproInvoicingError("Only issued documents can be sent.", code=ErrorCode.NOT_ISSUED)
    recipient = normalise(email or document.customer_email)
    if not recipient:
        raise ValidationError("The order has no email address; give one.", code=ErrorCode.NO_RECIPIENT, field="email")
    try:
        EmailValidator()(recipient)
    except DjangoValidationError as exc:
        raise ValidationError(f"Not an email address: {recipient!r}.", code=ErrorCode.INVALID, field="email") from exc
    now = timezone.now()
    AuditEntry.objects.create(document=document, document_number=document.number or "", action="resend",
                              actor=requested_by[:254], details={"recipient": recipient})
    if is_suppressed(recipient):
        attempt = DeliveryAttempt.objects.create(
            document=document, channel=Channel.EMAIL, purpose=AttemptPurpose.RESEND, recipient=recipient,
            status=AttemptStatus.SUPPRESSED, error_code=ErrorCode.SUPPRESSED.value, started_at=now, finished_at=now,
            response="Not sent: the address is suppressed after a hard bounce or complaint; staff can clear it.")
        return ResendResult(queued=False, recipient=recipient, attempt=attempt, error_code=ErrorCode.SUPPRESSED)
    from .tasks import queue_delivery

    # The request time bounds this request's chain of attempts: a duplicate task finds them and stops.
    queue_delivery(document.id, purpose=AttemptPurpose.RESEND, recipient=recipient, not_before=now)
    return ResendResult(queued=True, recipient=recipient)
