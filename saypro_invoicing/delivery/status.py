"""A document's delivery status, derived from its attempts and provider events.

QUEUED -> SENT (accepted by a server) -> DELIVERED / BOUNCED / FAILED. The order of
DeliveryStatus is the precedence: an update to a lower status (a late or out-of-order webhook, a
retry's result after a delivery event) never replaces a higher one. The check is in the UPDATE's
WHERE clause, so two workers racing cannot downgrade either.

One exception: a server accepting a *new* attempt (a fallback address, an SMS, a resend) after a
bounce or failure is a newer fact than the failure, so SENT replaces BOUNCED and FAILED and the
acceptance time becomes that attempt's. The failure stays on record (bounced_at, attempts, alerts).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from ..models import BillingDocument
from ..models.documents import DeliveryStatus

ORDER: tuple[str, ...] = tuple(DeliveryStatus.values)

# The timestamp each status sets the first time it is reached (kept even when the status is outranked).
TIMESTAMP_FIELD: dict[str, str] = {
    DeliveryStatus.SENT: "accepted_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.BOUNCED: "bounced_at",
    DeliveryStatus.FAILED: "failed_at",
}


SUPERSEDED_BY_NEW_ACCEPTANCE = (DeliveryStatus.BOUNCED, DeliveryStatus.FAILED)


def rank(status: str) -> int:
    return ORDER.index(status)


def lower_than(status: str) -> list[str]:
    return list(ORDER[: rank(status)])


def advance(document: BillingDocument, status: str, *, at: datetime | None = None) -> bool:
    """Move the document to ``status`` unless it already has that or a higher one; True if it moved.

    The status's timestamp is recorded the first time it happens either way: a bounce after a
    delivery is a fact for the record, just not the document's status.
    """
    at = at or timezone.now()
    if status == DeliveryStatus.SENT and BillingDocument.objects.filter(
            pk=document.pk, delivery_status__in=SUPERSEDED_BY_NEW_ACCEPTANCE).update(
            delivery_status=DeliveryStatus.SENT, accepted_at=at):
        document.delivery_status, document.accepted_at = DeliveryStatus.SENT, at
        return True
    stamp = TIMESTAMP_FIELD.get(status)
    if stamp:
        BillingDocument.objects.filter(pk=document.pk).filter(**{f"{stamp}__isnull": True}).update(**{stamp: at})
    moved = BillingDocument.objects.filter(pk=document.pk, delivery_status__in=lower_than(status)).update(
        delivery_status=status) == 1
    refreshed = BillingDocument.objects.filter(pk=document.pk).values(
        "delivery_status", "first_sent_at", *TIMESTAMP_FIELD.values()).first()
    if refreshed:
        for name, value in refreshed.items():
            setattr(document, name, value)
    return moved


def mark_first_send(document: BillingDocument, *, at: datetime) -> None:
    """first_sent_at: when the first attempt started (the start of the 24-hour clock's evidence)."""
    if BillingDocument.objects.filter(Q(pk=document.pk) & Q(first_sent_at__isnull=True)).update(first_sent_at=at):
        document.first_sent_at = at
