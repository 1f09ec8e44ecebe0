"""The attempt records: one DeliveryAttempt row per try, grouped in chains, claimed under a row lock.

A "chain" is the attempts of one (document, channel, purpose, recipient) request; its rows, read
under the document's row lock, are what make a duplicate or early task a no-op, so nothing is sent
twice by accident. Every channel (email, SMS) and purpose claims its attempts here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..errors import ErrorCode
from ..models import BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from . import status
from .outbound import Attempted
from .suppression import is_suppressed, normalise

# A SENDING row older than this belongs to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=15)
# A task arriving this much before its retry time is the retry itself, not a duplicate.
EARLY_SLACK = timedelta(seconds=5)
TERMINAL = (AttemptStatus.SENT, AttemptStatus.BOUNCED, AttemptStatus.FAILED, AttemptStatus.SUPPRESSED)
# Purposes that deliver the document itself: their failure alerts staff and moves the document's status.
DOCUMENT_PURPOSES = (AttemptPurpose.DOCUMENT, AttemptPurpose.FALLBACK, AttemptPurpose.RESEND)
FALLBACK_PURPOSES = (AttemptPurpose.DOCUMENT, AttemptPurpose.FALLBACK)


@dataclass(frozen=True)
class Outcome:
    status: str  # an AttemptStatus value, or "skipped"
    attempt: DeliveryAttempt | None = None
    retry_at: datetime | None = None
    reason: str = ""


def chain(document: BillingDocument, channel: str, purpose: str, recipient: str,
          not_before: datetime | None = None) -> list[DeliveryAttempt]:
    attempts = DeliveryAttempt.objects.filter(document=document, channel=channel, purpose=purpose,
                                              recipient=normalise(recipient))
    if not_before is not None:
        attempts = attempts.filter(started_at__gte=not_before)
    return list(attempts.order_by("started_at", "id"))


def chain_start(attempt: DeliveryAttempt) -> datetime:
    """Where the chain of a given attempt began: its latest attempt number 1 at or before it."""
    first = (DeliveryAttempt.objects.filter(document_id=attempt.document_id, channel=attempt.channel,
                                            purpose=attempt.purpose, recipient=attempt.recipient,
                                            attempt_number=1, started_at__lte=attempt.started_at)
             .order_by("-started_at", "-id").first())
    return first.started_at if first else attempt.started_at


def claim(document: BillingDocument, channel: str, purpose: str, recipient: str, *, now: datetime,
          not_before: datetime | None = None) -> DeliveryAttempt | Outcome:
    """Under the document's row lock: a new SENDING attempt, or the reason there is nothing to do."""
    recipient = normalise(recipient)
    with transaction.atomic():
        locked = BillingDocument.objects.select_for_update()
        if purpose == AttemptPurpose.CONFIRMATION:
            # One confirmation per order, whichever of its documents completes the set.
            list(locked.filter(order_id=document.order_id).order_by("pk").values_list("pk", flat=True))
            # (A deferred confirmation of this very document is retried through its chain, below.)
            if DeliveryAttempt.objects.filter(document__order_id=document.order_id,
                                              purpose=AttemptPurpose.CONFIRMATION).exclude(document=document).exists():
                return Outcome("skipped", reason="confirmation already sent")
        else:
            locked.filter(pk=document.pk).first()
        attempts = chain(document, channel, purpose, recipient, not_before)
        if purpose == AttemptPurpose.DOCUMENT and DeliveryAttempt.objects.filter(
                document=document, purpose=purpose, status=AttemptStatus.SENT).exists():
            return Outcome("skipped", reason="already sent")
        latest = attempts[-1] if attempts else None
        if latest is not None:
            if latest.status in TERMINAL:
                return Outcome("skipped", attempt=latest, reason=f"already {latest.status}")
            if latest.status == AttemptStatus.SENDING:
                if latest.started_at > now - STALE_SENDING:
                    return Outcome("skipped", attempt=latest, reason="another worker is sending")
                latest.status, latest.finished_at = AttemptStatus.DEFERRED, now
                latest.response = (latest.response + "\n" if latest.response else "") + (
                    "Interrupted: the worker stopped during the send; the outcome is unknown.")
                latest.save(update_fields=["status", "finished_at", "response"])
            elif latest.next_retry_at is not None and latest.next_retry_at > now + EARLY_SLACK:
                return Outcome("skipped", attempt=latest, retry_at=latest.next_retry_at, reason="retry not due")
        attempt = DeliveryAttempt(document=document, channel=channel, purpose=purpose, recipient=recipient,
                                  attempt_number=len(attempts) + 1, started_at=now)
        if channel == Channel.EMAIL and is_suppressed(recipient):
            attempt.status, attempt.finished_at = AttemptStatus.SUPPRESSED, now
            attempt.error_code = ErrorCode.SUPPRESSED.value
            attempt.response = "Not sent: the address is suppressed after a hard bounce or complaint."
            attempt.save(force_insert=True)
            return Outcome(AttemptStatus.SUPPRESSED, attempt=attempt, reason="suppressed")
        attempt.save(force_insert=True)
    if purpose in DOCUMENT_PURPOSES:
        status.mark_first_send(document, at=now)
    return attempt



def iter_due_retries(now: datetime) -> Iterator[tuple[DeliveryAttempt, datetime]]:
    """Deferred attempts whose time has come, and SENDING rows left behind by a dead worker.

    Only the newest attempt of a chain counts; reminders are retried by the reminder run instead.
    """
    candidates = DeliveryAttempt.objects.filter(
        status=AttemptStatus.DEFERRED, next_retry_at__lte=now).exclude(purpose=AttemptPurpose.REMINDER)
    stale = DeliveryAttempt.objects.filter(status=AttemptStatus.SENDING, started_at__lt=now - STALE_SENDING,
                                           finished_at__isnull=True).exclude(purpose=AttemptPurpose.REMINDER)
    for attempt in list(candidates.order_by("next_retry_at")[:1000]) + list(stale[:1000]):
        newer = DeliveryAttempt.objects.filter(document_id=attempt.document_id, channel=attempt.channel,
                                               purpose=attempt.purpose, recipient=attempt.recipient,
                                               started_at__gt=attempt.started_at).exists()
        if not newer:
            yield attempt, chain_start(attempt)


def record(attempt: DeliveryAttempt, attempted: Attempted, *, at: datetime | None = None) -> DeliveryAttempt:
    """Finish a SENDING attempt with what ``outbound`` says happened to the try."""
    attempt.status = attempted.status
    attempt.provider_message_id = attempted.provider_message_id or attempt.provider_message_id
    attempt.response, attempt.error_code = attempted.response, attempted.error_code
    attempt.next_retry_at = attempted.retry_at
    attempt.finished_at = at or timezone.now()
    attempt.save(update_fields=["status", "provider_message_id", "response", "error_code", "next_retry_at",
                                "finished_at"])
    return attempt
