"""Resending a document on request: staff (GraphQL, Saleor's dashboard "Send invoice") or the customer.

The same pipeline and record as the first delivery, with purpose RESEND. Nothing is cleared: a
suppressed address stays suppressed (the request is recorded as a SUPPRESSED attempt) until
staff clear it with ``clear_suppression``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from ..conf import setting
from ..errors import ErrorCode, SayproInvoicingError, ValidationError
from ..models import AuditAction, AuditEntry, BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from .queue import enqueue_delivery
from .suppression import clear_suppression, is_suppressed, normalise

__all__ = ["RateLimited", "ResendResult", "clear_suppression", "resend"]


@dataclass(frozen=True)
class ResendResult:
    queued: bool
    recipient: str
    attempt: DeliveryAttempt | None = None  # the SUPPRESSED attempt when not queued
    error_code: ErrorCode | None = None


class RateLimited(SayproInvoicingError):
    code = ErrorCode.RATE_LIMITED


def _check_rate(document: BillingDocument, requested_by: str, now: datetime) -> None:
    """Customers may resend a document only so often (conf: RESEND_LIMIT_*); staff are not limited.

    Counted from the audit trail, which records every resend request (queued or suppressed). The
    document's row lock serialises concurrent requests for one document.
    """
    since = now - timedelta(seconds=setting("RESEND_LIMIT_WINDOW_SECONDS"))
    BillingDocument.objects.select_for_update().filter(pk=document.pk).first()
    requests = AuditEntry.objects.filter(action=AuditAction.RESEND, details__customer=True, created_at__gte=since)
    per_document, per_customer = setting("RESEND_LIMIT_PER_DOCUMENT"), setting("RESEND_LIMIT_PER_CUSTOMER")
    if per_document and requests.filter(document=document).count() >= per_document:
        raise RateLimited(f"This document was sent again {per_document} times recently; try again later.",
                          field="id")
    if per_customer and requested_by and requests.filter(actor=requested_by[:254]).count() >= per_customer:
        raise RateLimited(f"You asked for {per_customer} documents to be sent again recently; try again later.",
                          field="id")


def resend(document: BillingDocument, email: str | None = None, requested_by: str = "", *,
           customer: bool = False) -> ResendResult:
    """Queue the document to ``email`` (default: the order's address) after the current transaction commits.

    ``customer``: the customer asked (not staff): rate-limited, RateLimited when over the limit.
    """
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
    if customer:
        _check_rate(document, requested_by, now)
    AuditEntry.objects.create(document=document, document_number=document.number or "", action=AuditAction.RESEND,
                              actor=requested_by[:254], details={"recipient": recipient, "customer": customer})
    if is_suppressed(recipient):
        attempt = DeliveryAttempt.objects.create(
            document=document, channel=Channel.EMAIL, purpose=AttemptPurpose.RESEND, recipient=recipient,
            status=AttemptStatus.SUPPRESSED, error_code=ErrorCode.SUPPRESSED.value, started_at=now, finished_at=now,
            response="Not sent: the address is suppressed after a hard bounce or complaint; staff can clear it.")
        return ResendResult(queued=False, recipient=recipient, attempt=attempt, error_code=ErrorCode.SUPPRESSED)
    # The request time bounds this request's chain of attempts: a duplicate task finds them and stops.
    enqueue_delivery(document.id, AttemptPurpose.RESEND, recipient, not_before=now)
    return ResendResult(queued=True, recipient=recipient)
