"""Deliver one document by email: claim, send, record, derive the status, then retry or fall back.

Every try is a DeliveryAttempt row, written as SENDING before the SMTP conversation (a crash
mid-send stays visible) and finished afterwards. A "chain" is the attempts of one (document,
channel, purpose, recipient) request; its rows, read under the document's row lock, are what make
a duplicate or early task a no-op, so nothing is sent twice by accident.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..alerts import raise_alert
from ..conf import ChannelConfig
from ..errors import ConfigurationError, ErrorCode
from ..hosts import get_host
from ..models import BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from ..models.documents import DeliveryStatus
from ..models.records import AlertKind
from . import connection, status
from .email import ReminderInfo, compose_document
from .retry import Failure, FailureKind, classify, next_retry_at
from .suppression import is_suppressed, normalise, suppress

logger = logging.getLogger(__name__)

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


def deliver(document_id: str, purpose: str = AttemptPurpose.DOCUMENT, recipient: str = "", *,
            not_before: datetime | None = None, reminder: ReminderInfo | None = None,
            now: datetime | None = None) -> Outcome:
    """Deliver one document (or its reminder / confirmation) by email to one recipient, once."""
    document = BillingDocument.objects.filter(pk=document_id).first()
    if document is None or not document.is_sendable:
        return Outcome("skipped", reason="not an issued document")
    config = get_host().channel_config(document.channel)
    if config is None:
        return Outcome("skipped", reason="the plugin is not active in this channel")
    recipient = normalise(recipient or document.customer_email)
    if not recipient:
        return _no_recipient(document, config, purpose, now or timezone.now())
    claimed = claim(document, Channel.EMAIL, purpose, recipient, now=now or timezone.now(), not_before=not_before)
    if isinstance(claimed, Outcome):
        if claimed.status == AttemptStatus.SUPPRESSED and purpose in FALLBACK_PURPOSES:
            give_up(document, config, claimed.attempt, DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED,
                     f"{recipient} is suppressed; the document was not sent to it.")
        return claimed
    return send_attempt(document, config, claimed, reminder=reminder)


def send_attempt(document: BillingDocument, config: ChannelConfig, attempt: DeliveryAttempt, *,
                 reminder: ReminderInfo | None = None) -> Outcome:
    try:
        _check_config(config)
        if attempt.purpose != AttemptPurpose.CONFIRMATION:
            from ..rendering import ensure_pdf

            ensure_pdf(document)
        documents = _order_documents(document) if attempt.purpose == AttemptPurpose.CONFIRMATION else None
        message = compose_document(document, config, attempt.recipient, purpose=attempt.purpose,
                                   reminder=reminder, documents=documents)
        # Anymail passes metadata to the ESP, and its tracking webhooks hand it back.
        message.metadata = {"saypro_attempt": str(attempt.pk), "saypro_document": str(document.pk)}
        result = connection.send(config, message)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and classified, none is lost
        if isinstance(exc, ConfigurationError):
            failure = Failure(FailureKind.TRANSIENT, str(exc))
            raise_alert(AlertKind.DELIVERY_FAILED, document,
                        f"Cannot send documents of channel {document.channel}: {exc.message}")
        else:
            failure = classify(exc)
        logger.warning("saypro_invoicing: %s of %s to %s failed (%s): %s", attempt.purpose, document,
                       attempt.recipient, failure.kind, failure.text)
        return _record_failure(document, config, attempt, failure, code="invalid_configuration"
                               if isinstance(exc, ConfigurationError) else "")
    finished = timezone.now()
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        status=AttemptStatus.SENT, provider_message_id=result.provider_message_id[:255],
        response=result.response[:2000], finished_at=finished)
    attempt.status, attempt.provider_message_id, attempt.finished_at = (
        AttemptStatus.SENT, result.provider_message_id[:255], finished)
    if attempt.purpose in DOCUMENT_PURPOSES:
        status.advance(document, DeliveryStatus.SENT, at=finished)
        maybe_confirm(document, config)
    return Outcome(AttemptStatus.SENT, attempt=attempt)


def _check_config(config: ChannelConfig) -> None:
    if not config.from_email:
        raise ConfigurationError(f"Channel {config.channel} has no From address.", field="from_email")
    if config.email_backend == "smtp" and not config.smtp_host:
        raise ConfigurationError(f"Channel {config.channel} has no SMTP host.", field="smtp_host")


def _record_failure(document: BillingDocument, config: ChannelConfig, attempt: DeliveryAttempt, failure: Failure,
                    *, code: str = "") -> Outcome:
    now = timezone.now()
    attempt.response, attempt.finished_at = failure.text[:2000], now
    attempt.error_code = code or (f"smtp_{failure.smtp_code}" if failure.smtp_code else failure.kind.value)
    if failure.is_transient:
        first = chain_start(attempt)
        attempt.next_retry_at = next_retry_at(config, attempt.attempt_number, now=now, first_attempt_at=first)
        if attempt.next_retry_at is not None:
            attempt.status = AttemptStatus.DEFERRED
            attempt.save(update_fields=["status", "response", "finished_at", "error_code", "next_retry_at"])
            return Outcome(AttemptStatus.DEFERRED, attempt=attempt, retry_at=attempt.next_retry_at)
        attempt.status = AttemptStatus.FAILED
        attempt.save(update_fields=["status", "response", "finished_at", "error_code", "next_retry_at"])
        give_up(document, config, attempt, DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED,
                 f"Sending the {document.type.replace('_', ' ')} {document.number} to {attempt.recipient} failed "
                 f"after {attempt.attempt_number} attempts: {failure.text}")
        return Outcome(AttemptStatus.FAILED, attempt=attempt)
    if failure.kind == FailureKind.PERMANENT:
        attempt.status = AttemptStatus.FAILED
        doc_status, alert = DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED
    else:
        attempt.status = AttemptStatus.BOUNCED
        doc_status, alert = DeliveryStatus.BOUNCED, AlertKind.BOUNCED
    attempt.save(update_fields=["status", "response", "finished_at", "error_code"])
    if failure.kind == FailureKind.BOUNCE:
        suppress(attempt.recipient, "hard_bounce", detail=failure.text, document=document)
    give_up(document, config, attempt, doc_status, alert,
             f"The {document.type.replace('_', ' ')} {document.number} to {attempt.recipient} was refused: "
             f"{failure.text}")
    return Outcome(attempt.status, attempt=attempt)


def give_up(document: BillingDocument, config: ChannelConfig, attempt: DeliveryAttempt | None, doc_status: str,
            alert: str, message: str, *, at: datetime | None = None, fallback: bool = True) -> None:
    """A final failure of one attempt: status, staff alert, and the next channel if there is one."""
    purpose = attempt.purpose if attempt else AttemptPurpose.DOCUMENT
    if purpose not in DOCUMENT_PURPOSES:
        return
    if delivered_elsewhere(document, exclude=attempt):
        return
    status.advance(document, doc_status, at=at)
    raise_alert(alert, document, message)
    if fallback and purpose in FALLBACK_PURPOSES:
        from .fallback import run_fallback

        run_fallback(document, config)


def delivered_elsewhere(document: BillingDocument, *, exclude: DeliveryAttempt | None = None) -> bool:
    """Whether another attempt already got this document to the customer (then a failure changes nothing).

    Only an acceptance at another address counts: once an address bounces, an earlier acceptance there
    (the first send, before a resend bounced) proves nothing about the customer having the document.
    """
    if document.delivery_status == DeliveryStatus.DELIVERED:
        return True
    accepted = DeliveryAttempt.objects.filter(document=document, purpose__in=FALLBACK_PURPOSES,
                                              status=AttemptStatus.SENT)
    if exclude is not None:
        accepted = accepted.exclude(pk=exclude.pk).exclude(recipient=exclude.recipient)
    return accepted.exists()


def _no_recipient(document: BillingDocument, config: ChannelConfig, purpose: str, now: datetime) -> Outcome:
    if purpose not in FALLBACK_PURPOSES:
        return Outcome("skipped", reason="no recipient")
    with transaction.atomic():
        BillingDocument.objects.select_for_update().filter(pk=document.pk).first()
        existing = DeliveryAttempt.objects.filter(document=document, purpose=purpose, recipient="").first()
        if existing is not None:
            return Outcome("skipped", attempt=existing, reason="no recipient (recorded)")
        attempt = DeliveryAttempt.objects.create(
            document=document, channel=Channel.EMAIL, purpose=purpose, recipient="", status=AttemptStatus.FAILED,
            error_code=ErrorCode.NO_RECIPIENT.value, response="The order has no customer email address.",
            started_at=now, finished_at=now)
    give_up(document, config, attempt, DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED,
             f"The {document.type.replace('_', ' ')} {document.number} has no customer email address.")
    return Outcome(AttemptStatus.FAILED, attempt=attempt, reason="no recipient")


def _order_documents(document: BillingDocument) -> list[BillingDocument]:
    return list(BillingDocument.objects.filter(order_id=document.order_id, number__isnull=False,
                                               status="issued").order_by("issued_at", "created_at"))


def maybe_confirm(document: BillingDocument, config: ChannelConfig) -> None:
    """The optional "documents delivered" email, once every issued document of the order was accepted."""
    if not config.send_delivered_confirmation or not document.customer_email:
        return
    documents = _order_documents(document)
    if not documents or any(d.accepted_at is None and d.delivered_at is None for d in documents):
        return
    from .tasks import queue_delivery

    queue_delivery(document.id, purpose=AttemptPurpose.CONFIRMATION, recipient=document.customer_email)


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
