"""The sweeper: finds what the hooks missed and repairs it through the same idempotent path.

1. Orders changed in [now - lookback, now - grace) go through ``events.order_changed`` again: a
   document the order calls for and does not have is issued; an existing one is returned as is
   (unique trigger keys: never a second document, never a second number). A per-channel watermark
   (where the last successful pass stopped) keeps a pass to the orders changed since, not the
   whole lookback window each time.
2. Issued documents whose delivery stalled are queued again: never attempted, a SENDING attempt
   left by a worker that died, or a DEFERRED attempt whose retry time passed without a retry.
3. Deadline checks: a warning before 24 h, a breach with its cause after.

The grace period leaves recent work to the hooks and the delivery task's own retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

from .. import events, inbox
from ..alerts import raise_alert
from ..conf import ChannelConfig
from ..delivery.queue import enqueue_delivery
from ..errors import SayproInvoicingError
from ..hosts import get_host
from ..models import AuditAction, AuditEntry, BackfillRun, BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptStatus
from ..models.documents import DeliveryStatus, DocumentStatus
from ..models.records import AlertKind
from .deadlines import DOCUMENT_PURPOSES, chased, check_deadlines, lookback

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    orders_checked: int = 0
    documents_issued: int = 0
    documents_requeued: int = 0
    warnings: int = 0
    breaches: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)
    events_processed: int = 0  # host events left pending by a worker that was down or a lost task

    def summary(self) -> str:
        return (f"{self.orders_checked} orders checked, {self.documents_issued} documents issued, "
                f"{self.documents_requeued} deliveries re-queued, {self.warnings} deadline warnings, "
                f"{self.breaches} breaches, {len(self.errors)} errors")


def sweep(now: datetime | None = None, *, channels: list[str] | None = None,
          lookback_days: int | None = None) -> SweepResult:
    """One pass; ``lookback_days`` forces a full look over that many days, ignoring the watermark."""
    now = now or timezone.now()
    window = timedelta(days=lookback_days) if lookback_days is not None else lookback()
    host = get_host()
    stale = inbox.process_stale(now, channels=channels)
    checked = requeued = 0
    issued = stale.documents
    errors: list[str] = []
    swept_channels = []
    for slug in channels if channels is not None else host.active_channels():
        config = _channel_config(host, slug)
        if config is None or not config.active:
            continue
        swept_channels.append(slug)
        grace = timedelta(minutes=config.sweeper_grace_minutes)
        mark = _watermark(slug)
        since = now - window
        if mark is not None and lookback_days is None:
            # Orders checked by an earlier successful pass need no second look; one grace period of
            # overlap covers transactions that committed late.
            since = max(since, mark - grace)
        until = now - grace
        first_failure: datetime | None = None
        for ref in host.orders_changed(slug, since, until):
            checked += 1
            try:
                results = events.order_changed(ref.order_id, send=True)
            except SayproInvoicingError as exc:
                # One broken order must not stop the sweep; it is reported and looked at again next time.
                logger.error("saypro_invoicing sweeper: order %s: %s", ref.order_id, exc)
                errors.append(f"order {ref.order_id}: {exc}")
                first_failure = first_failure or ref.updated_at
                continue
            issued += sum(1 for r in results if r.created)
        _set_watermark(slug, first_failure or until, previous=mark)
        requeued += _requeue(slug, now, window, grace)
    deadlines = check_deadlines(now, channels=swept_channels)
    result = SweepResult(orders_checked=checked, documents_issued=issued, documents_requeued=requeued,
                         warnings=deadlines.warned, breaches=deadlines.breached, errors=tuple(errors),
                         events_processed=stale.events)
    if issued or requeued or deadlines.breached or errors or stale.events:
        logger.warning("saypro_invoicing sweeper: %s", result.summary())
    return result


def _channel_config(host: Any, slug: str) -> ChannelConfig | None:
    """The channel's configuration; None (skip the channel) when it is broken, reported to staff once.

    One broken channel must not stop the sweep of the others. "Once": the problem is remembered on the
    channel's watermark row until a pass of that channel succeeds (which rewrites the row).
    """
    try:
        return host.channel_config(slug)
    except (SayproInvoicingError, ImproperlyConfigured, ValueError, TypeError, KeyError, AttributeError) as exc:
        problem = str(exc)[:1000] or type(exc).__name__
    logger.error("saypro_invoicing sweeper: channel %s skipped, its configuration is broken: %s", slug, problem)
    row, _created = BackfillRun.objects.get_or_create(key=_watermark_key(slug), defaults={
        "params": {"kind": "sweeper", "channel": slug}})
    if row.params.get("broken_config") != problem:
        row.params = {**row.params, "broken_config": problem}
        row.save(update_fields=["params"])
        raise_alert(AlertKind.HOOK_FAILED, None, f"Channel {slug}: documents are not issued or swept because "
                                                 f"the plugin's configuration is broken: {problem}", channel=slug)
    return None


def _watermark_key(channel: str) -> str:
    return f"sweeper:{channel}"


def _watermark(channel: str) -> datetime | None:
    """Up to when the channel's orders have been checked (kept in a BackfillRun row: a run that never ends)."""
    cursor = BackfillRun.objects.filter(key=_watermark_key(channel)).values_list("cursor", flat=True).first()
    return datetime.fromisoformat(cursor) if cursor else None


def _set_watermark(channel: str, until: datetime, *, previous: datetime | None) -> None:
    if previous is not None and until <= previous:
        return
    BackfillRun.objects.update_or_create(key=_watermark_key(channel), defaults={
        "cursor": until.isoformat(), "params": {"kind": "sweeper", "channel": channel}})


def stalled_documents(channel: str, now: datetime, window: timedelta, grace: timedelta) -> list[BillingDocument]:
    """Issued, still QUEUED documents whose delivery is not progressing on its own."""
    candidates: QuerySet[BillingDocument] = chased(BillingDocument.objects.filter(
        channel=channel, status=DocumentStatus.ISSUED, number__isnull=False, delivery_status=DeliveryStatus.QUEUED,
        created_at__gte=now - window, created_at__lte=now - grace))
    recently_requeued = set(AuditEntry.objects.filter(action=AuditAction.SWEEPER_REQUEUED, created_at__gt=now - grace,
                                                      document__in=candidates).values_list("document_id", flat=True))
    latest: dict[Any, DeliveryAttempt] = {}
    for row in (DeliveryAttempt.objects.filter(document__in=candidates, purpose__in=DOCUMENT_PURPOSES)
                .order_by("started_at", "id")):
        latest[row.document_id] = row
    stalled = []
    for document in candidates.order_by("created_at"):
        if document.pk in recently_requeued:
            continue
        attempt = latest.get(document.pk)
        if attempt is None:
            stalled.append(document)
        elif attempt.status == AttemptStatus.SENDING and attempt.started_at <= now - grace:
            stalled.append(document)
        elif (attempt.status == AttemptStatus.DEFERRED and attempt.next_retry_at is not None
              and attempt.next_retry_at <= now - grace):
            stalled.append(document)
    return stalled


def _requeue(channel: str, now: datetime, window: timedelta, grace: timedelta) -> int:
    stalled = stalled_documents(channel, now, window, grace)
    for document in stalled:
        AuditEntry.objects.create(document=document, document_number=document.number or "",
                                  action=AuditAction.SWEEPER_REQUEUED, actor="sweeper",
                                  details={"delivery_status": document.delivery_status})
        enqueue_delivery(document.id)
    return len(stalled)
