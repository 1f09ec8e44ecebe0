"""Deliver one document by email: claim, send, record, derive the status, then retry or fall back.

Every try is a DeliveryAttempt row (``attempts``), written as SENDING before the SMTP conversation
(a crash mid-send stays visible) and finished afterwards.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..alerts import raise_alert
from ..conf import ChannelConfig
from ..errors import ErrorCode
from ..hosts import get_host
from ..models import BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from ..models.documents import DeliveryStatus
from ..models.records import AlertKind
from ..rendering.files import ensure_pdf
from . import outbound, status
from .attempts import DOCUMENT_PURPOSES, FALLBACK_PURPOSES, Outcome, chain_start, claim, record
from .email import ReminderInfo, compose_document
from .fallback import run_fallback
from .queue import enqueue_delivery
from .retry import FailureKind
from .suppression import normalise, suppress

logger = logging.getLogger(__name__)


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
    kind = outbound.MessageKind(attempt.purpose)
    number, first = attempt.attempt_number, chain_start(attempt)
    try:
        outbound.check_email_config(config)
        if attempt.purpose != AttemptPurpose.CONFIRMATION:
            ensure_pdf(document)
        documents = _order_documents(document) if attempt.purpose == AttemptPurpose.CONFIRMATION else None
        message = compose_document(document, config, attempt.recipient, purpose=attempt.purpose,
                                   reminder=reminder, documents=documents)
        # Anymail passes metadata to the ESP, and its tracking webhooks hand it back.
        message.metadata = {  # type: ignore[attr-defined]  # anymail's extension of EmailMessage
            "saypro_attempt": str(attempt.pk), "saypro_document": str(document.pk)}
    except Exception as exc:  # noqa: BLE001 - a failure before the hand-over is a failed try like any other
        attempted = outbound.failure_of(kind, config, exc, attempt.recipient, attempt_number=number,
                                        first_attempt_at=first)
    else:
        attempted = outbound.send_email(kind, config, message, attempt_number=number,
                                        first_attempt_at=first)
    record(attempt, attempted)
    if attempted.invalid_configuration:
        raise_alert(AlertKind.DELIVERY_FAILED, document,
                    f"Cannot send documents of channel {document.channel}: {attempted.response}")
    if attempted.sent:
        if attempt.purpose in DOCUMENT_PURPOSES:
            status.advance(document, DeliveryStatus.SENT, at=attempt.finished_at)
            maybe_confirm(document, config)
        return Outcome(AttemptStatus.SENT, attempt=attempt)
    return _after_failure(document, config, attempt, attempted)


def _after_failure(document: BillingDocument, config: ChannelConfig, attempt: DeliveryAttempt,
                   attempted: outbound.Attempted) -> Outcome:
    """What a failed document email means for the document: nothing yet, or give up (alert, fallback)."""
    text = attempted.failure.text if attempted.failure else attempted.response
    kind = document.type.replace("_", " ")
    if attempted.status == AttemptStatus.DEFERRED:
        return Outcome(AttemptStatus.DEFERRED, attempt=attempt, retry_at=attempt.next_retry_at)
    if attempted.failure is not None and attempted.failure.is_transient:
        give_up(document, config, attempt, DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED,
                f"Sending the {kind} {document.number} to {attempt.recipient} failed after "
                f"{attempt.attempt_number} attempts: {text}")
        return Outcome(AttemptStatus.FAILED, attempt=attempt)
    if attempted.status == AttemptStatus.FAILED:
        doc_status, alert = DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED
    else:
        doc_status, alert = DeliveryStatus.BOUNCED, AlertKind.BOUNCED
    if attempted.failure is not None and attempted.failure.kind == FailureKind.BOUNCE:
        suppress(attempt.recipient, "hard_bounce", detail=text, document=document)
    give_up(document, config, attempt, doc_status, alert,
            f"The {kind} {document.number} to {attempt.recipient} was refused: {text}")
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
    enqueue_delivery(document.id, AttemptPurpose.CONFIRMATION, document.customer_email)
