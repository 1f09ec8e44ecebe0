"""The 24-hour promise, per document: warn staff before it is broken, record the cause when it is.

"Delivered within 24 h" means: the receiving server accepted the message (``accepted_at``, status
SENT) or the provider reported it delivered (``delivered_at``), whichever came first, no later
than 24 hours after the document's ``event_at`` (order reached the trigger / payment captured).
Invoices and receipts carry the promise; credit notes are delivered but not measured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from ..alerts import raise_alert
from ..conf import ChannelConfig, setting
from ..delivery.attempts import DOCUMENT_PURPOSES
from ..delivery.retry import DELIVERY_WINDOW
from ..hosts import get_host
from ..models import AuditAction, AuditEntry, BillingDocument, DeliveryAttempt, SlaBreach
from ..models.delivery import AttemptStatus
from ..models.documents import DeliveryStatus, DocumentStatus
from ..models.records import AlertKind
from ..snapshot import DocumentType

logger = logging.getLogger(__name__)

SLA_WINDOW = DELIVERY_WINDOW  # the retry window is the promise: one definition
SLA_HOURS = int(SLA_WINDOW.total_seconds() // 3600)
SLA_TYPES = (DocumentType.INVOICE.value, DocumentType.RECEIPT.value)
DELIVERED_STATUSES = (DeliveryStatus.SENT.value, DeliveryStatus.DELIVERED.value)
UNDELIVERED_STATUSES = (DeliveryStatus.BOUNCED.value, DeliveryStatus.FAILED.value)
# AuditAction.BACKFILL_UNSENT, written by a backfill run without --send: the merchant chose not to
# email these documents, so neither the sweeper nor the deadline checks chase them.

DEFINITION = (
    "Delivered within 24 h: the customer's mail server accepted the document (accepted_at) or the provider "
    "reported it delivered (delivered_at) no later than 24 h after event_at; an acceptance followed by a bounce or "
    "failure does not count (the order reaching the invoice "
    "trigger, or the payment being captured). Percentages count invoices and receipts whose deadline has passed "
    "or that were delivered; documents still inside their 24 h are reported as pending. Delivery time is "
    "accepted_at - event_at; p50/p95 use the nearest-rank method."
)


def deadline(event_at: datetime) -> datetime:
    return event_at + SLA_WINDOW


def delivered_moment(document: BillingDocument) -> datetime | None:
    """When the document reached the customer, by the definition above; None if it has not.

    A server's acceptance does not count once the message bounced or failed (an asynchronous bounce
    after acceptance): the proof must not claim more than happened.
    """
    accepted = document.accepted_at if document.delivery_status not in UNDELIVERED_STATUSES else None
    moments = [m for m in (accepted, document.delivered_at) if m is not None]
    return min(moments) if moments else None


def delivered_on_time(document: BillingDocument) -> bool:
    moment = delivered_moment(document)
    return moment is not None and moment <= deadline(document.event_at)


def lookback() -> timedelta:
    return timedelta(days=int(setting("SLA_LOOKBACK_DAYS")))


def chased(queryset: QuerySet[BillingDocument]) -> QuerySet[BillingDocument]:
    """Leave out documents issued on purpose without sending (backfill without --send, never attempted)."""
    unsent = AuditEntry.objects.filter(document=OuterRef("pk"), action=AuditAction.BACKFILL_UNSENT)
    attempted = DeliveryAttempt.objects.filter(document=OuterRef("pk"))
    return queryset.exclude(Q(Exists(unsent)) & ~Q(Exists(attempted)))


def breach_cause(document: BillingDocument) -> tuple[str, str]:
    """Why a document missed its deadline, as a short code and a human detail."""
    if document.status == DocumentStatus.NEEDS_REVIEW:
        reasons = ", ".join(f"{r.get('field')}: {r.get('code')}" for r in document.review_reasons or [])
        return "held_for_review", f"Held by the accuracy gate ({reasons or 'no reason recorded'})."
    moment = delivered_moment(document)
    if moment is not None:
        late = moment - deadline(document.event_at)
        return "delivered_late", f"Accepted {late} after the deadline."
    attempts = list(DeliveryAttempt.objects.filter(document=document, purpose__in=DOCUMENT_PURPOSES)
                    .order_by("started_at", "id"))
    if not attempts:
        if document.delivery_status == DeliveryStatus.FAILED:
            return "failed", "Marked failed without a recorded attempt."
        return "never_attempted", "No delivery attempt was made (the delivery task never ran)."
    last = attempts[-1]
    detail = f"Attempt {last.attempt_number} to {last.recipient or '-'}: {last.status}" + (
        f" ({last.error_code}) {last.response[:200]}" if (last.error_code or last.response) else "")
    if "render" in last.error_code.lower():
        return "rendering_failed", detail
    if last.error_code == "no_recipient":
        return "no_recipient", detail
    if document.delivery_status == DeliveryStatus.BOUNCED or last.status == AttemptStatus.BOUNCED:
        return "bounced", detail
    if document.delivery_status == DeliveryStatus.FAILED:
        return "failed", detail
    by_status: dict[str, str] = {AttemptStatus.DEFERRED: "smtp_deferred", AttemptStatus.SENDING: "sending_stalled",
                 AttemptStatus.SUPPRESSED: "suppressed", AttemptStatus.FAILED: "failed"}
    return by_status.get(last.status, "failed"), detail


@dataclass(frozen=True)
class DeadlineResult:
    warned: int = 0
    breached: int = 0


def _label(document: BillingDocument) -> str:
    kind = document.type.replace("_", " ")
    return f"The {kind} {document.number or '(unnumbered)'} for order {document.order_number}"


def check_deadlines(now: datetime | None = None, channels: list[str] | None = None) -> DeadlineResult:
    """Warn once past the channel's warning time; record a breach (with its cause) once past 24 h."""
    now = now or timezone.now()
    host = get_host()
    warned = breached = 0
    for slug in channels if channels is not None else host.active_channels():
        config = host.channel_config(slug)
        if config is None or not config.active:
            continue
        warned += _warn(config, now)
        breached += _breach(config, now)
    return DeadlineResult(warned=warned, breached=breached)


def _owed(channel: str, now: datetime) -> QuerySet[BillingDocument]:
    return chased(BillingDocument.objects.filter(
        channel=channel, type__in=SLA_TYPES, status__in=(DocumentStatus.ISSUED, DocumentStatus.NEEDS_REVIEW),
        event_at__gte=now - lookback()))


def _warn(config: ChannelConfig, now: datetime) -> int:
    warning = timedelta(hours=config.sla_warning_hours)
    candidates = (_owed(config.channel, now)
                  .filter(sla_warned_at__isnull=True, event_at__lte=now - warning, event_at__gt=now - SLA_WINDOW)
                  .exclude(delivery_status__in=DELIVERED_STATUSES))
    count = 0
    for document in candidates.iterator(chunk_size=200):
        with transaction.atomic():
            # The conditional update lets exactly one of two concurrent sweepers raise the alert.
            if not BillingDocument.objects.filter(pk=document.pk, sla_warned_at__isnull=True).update(
                    sla_warned_at=now):
                continue
            due = deadline(document.event_at)
            hours = max(int((due - now).total_seconds() // 3600), 0)
            raise_alert(AlertKind.SLA_WARNING, document,
                        f"{_label(document)} is not delivered yet ({document.delivery_status}); "
                        f"the 24 h deadline passes in about {hours} h, at {due:%Y-%m-%d %H:%M} UTC.")
        count += 1
    return count


def _breach(config: ChannelConfig, now: datetime) -> int:
    moment = Least("accepted_at", "delivered_at")
    candidates = (_owed(config.channel, now).filter(event_at__lte=now - SLA_WINDOW, sla_breach__isnull=True)
                  .annotate(delivered=moment)
                  .filter(Q(delivered__isnull=True) | Q(delivered__gt=F("event_at") + SLA_WINDOW)
                          | Q(delivery_status__in=UNDELIVERED_STATUSES, delivered_at__isnull=True)))
    count = 0
    for document in candidates.iterator(chunk_size=200):
        cause, detail = breach_cause(document)
        try:
            with transaction.atomic():
                SlaBreach.objects.create(document=document, deadline_at=deadline(document.event_at), cause=cause,
                                         detail=detail)
                raise_alert(AlertKind.SLA_BREACH, document,
                            f"{_label(document)} missed the 24 h delivery deadline "
                            f"({deadline(document.event_at):%Y-%m-%d %H:%M} UTC): {cause}. {detail}")
        except IntegrityError:
            continue  # another sweeper recorded it first
        logger.warning("saypro_invoicing: SLA breach for %s %s: %s", document.type, document.number, cause)
        count += 1
    return count
