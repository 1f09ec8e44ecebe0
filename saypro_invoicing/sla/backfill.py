"""Backfill: issue the documents past orders call for, in batches, resumable, idempotent.

A BackfillRun row, keyed by the parameters, keeps a cursor (channel, updated_at, order id of the
last order processed) that moves only after a batch is done; running again with the same
parameters continues after it. Orders are re-read from the host for each batch, so no database
cursor stays open while documents are issued. Without ``send`` nothing is emailed, and the
documents are marked so that the sweeper does not send them either.

Backfill is the one path that issues documents for events before a channel's activation (hooks and
the sweeper leave those out). It follows each order's history: a charge that was refunded gets its
receipt and its credit note, or, where the order has no invoice to credit, neither.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..conf import ChannelConfig
from ..delivery.queue import enqueue_delivery
from ..errors import SayproInvoicingError
from ..hosts import get_host
from ..hosts.protocol import OrderRef
from ..issuing import IssueResult, sync_order
from ..models import AuditAction, AuditEntry, BackfillRun, BillingDocument, DeliveryAttempt
from ..models.documents import DeliveryStatus, DocumentStatus
from ..sanitize import clean_snapshot
from ..snapshot import DocumentType, OrderSnapshot
from ..triggers import Planned, plan_invoice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cursor:
    channel: str
    updated_at: datetime
    order_id: str

    def encode(self) -> str:
        return json.dumps({"c": self.channel, "t": self.updated_at.isoformat(), "o": self.order_id})

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(data["c"], datetime.fromisoformat(data["t"]), data["o"])

    def passed(self, channel: str, ref: OrderRef) -> bool:
        """Whether the ref was processed before this cursor (orders come by updated_at, then id)."""
        if channel != self.channel:
            return channel < self.channel
        return (ref.updated_at, ref.order_id) <= (self.updated_at, self.order_id)


@dataclass(frozen=True)
class BackfillResult:
    key: str
    processed: int  # in this call
    issued: int  # in this call
    batches: int
    finished: bool
    total_processed: int  # over every call of the run
    errors: tuple[str, ...] = field(default_factory=tuple)


def run_key(start: datetime, end: datetime, channel: str | None, send: bool) -> tuple[str, dict]:
    params = {"from": start.isoformat(), "to": end.isoformat(), "channel": channel or "", "send": send}
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
    return f"backfill:{digest}", params


def remaining(start: datetime, end: datetime, channel: str | None, send: bool) -> int:
    """Orders left to process for these parameters (for a progress total)."""
    key, _params = run_key(start, end, channel, send)
    run = BackfillRun.objects.filter(key=key).first()
    if run is not None and run.finished_at is not None:
        return 0
    cursor = Cursor.decode(run.cursor) if run else None
    return sum(1 for _ in _refs(_channels(channel), start, end, cursor))


def backfill(start: datetime, end: datetime, *, channel: str | None = None, send: bool = False,
             batch_size: int = 100, max_batches: int | None = None, restart: bool = False,
             progress: Callable[[int], None] | None = None) -> BackfillResult:
    if batch_size < 1:
        raise SayproInvoicingError("The batch size must be at least 1.", field="batch_size")
    key, params = run_key(start, end, channel, send)
    run, _created = BackfillRun.objects.get_or_create(key=key, defaults={"params": params})
    if restart:
        run.cursor, run.processed, run.issued, run.finished_at = "", 0, 0, None
        run.save(update_fields=["cursor", "processed", "issued", "finished_at"])
    if run.finished_at is not None:
        return BackfillResult(key, 0, 0, 0, True, run.processed)
    channels = _channels(channel)
    processed = issued = batches = 0
    errors: list[str] = []
    while max_batches is None or batches < max_batches:
        cursor = Cursor.decode(run.cursor)
        batch = list(itertools.islice(_refs(channels, start, end, cursor), batch_size))
        if not batch:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            break
        made = 0
        for _slug, ref in batch:
            try:
                made += _process(ref.order_id, send)
            except SayproInvoicingError as exc:
                logger.error("saypro_invoicing backfill: order %s: %s", ref.order_id, exc)
                errors.append(f"order {ref.order_id}: {exc}")
            if progress:
                progress(1)
        last_channel, last = batch[-1]
        with transaction.atomic():
            run = BackfillRun.objects.select_for_update().get(pk=run.pk)
            run.cursor = Cursor(last_channel, last.updated_at, last.order_id).encode()
            run.processed += len(batch)
            run.issued += made
            run.save(update_fields=["cursor", "processed", "issued"])
        processed, issued, batches = processed + len(batch), issued + made, batches + 1
    return BackfillResult(key, processed, issued, batches, run.finished_at is not None, run.processed,
                          tuple(errors))


def _channels(channel: str | None) -> list[str]:
    return [channel] if channel else sorted(get_host().active_channels())


def _refs(channels: list[str], start: datetime, end: datetime, cursor: Cursor | None) -> Iterator[tuple[str, OrderRef]]:
    host = get_host()
    for slug in channels:
        if cursor is not None and slug < cursor.channel:
            continue
        since = max(start, cursor.updated_at) if cursor is not None and slug == cursor.channel else start
        for ref in host.orders_changed(slug, since, end):
            if cursor is None or not cursor.passed(slug, ref):
                yield slug, ref


def issue_history(order_id: str, *, send: bool) -> list[IssueResult]:
    """Every document the order's whole history calls for, activation or not."""
    host = get_host()
    snapshot = clean_snapshot(host.snapshot(order_id))
    config = host.channel_config(snapshot.channel)
    if config is None or not config.active:
        return []
    config = config.replace(activated_at=None)
    return sync_order(snapshot, config, send=send, keep=_follows_history(snapshot, config))


def _follows_history(snapshot: OrderSnapshot, config: ChannelConfig) -> Callable[[Planned], bool]:
    """Leave out receipts of refunded charges where no invoice can take the refund's credit note."""
    if not snapshot.refunds or _creditable(snapshot, config):
        return lambda plan: True
    left = sum((r.amount for r in snapshot.refunds), Decimal(0))
    refunded: set[str] = set()
    # Refunds give back the latest charges first (Saleor refunds what a transaction still holds).
    for payment in sorted(snapshot.payments, key=lambda p: (p.captured_at, p.reference), reverse=True):
        if left <= 0:
            break
        refunded.add(payment.reference)
        left -= payment.amount
    return lambda plan: not (plan.type == DocumentType.RECEIPT and plan.payment is not None
                             and plan.payment.reference in refunded)


def _creditable(snapshot: OrderSnapshot, config: ChannelConfig) -> bool:
    if not config.issue_credit_notes:
        return False
    invoices = BillingDocument.objects.filter(order_id=snapshot.order_id, type=DocumentType.INVOICE)
    if invoices.filter(status=DocumentStatus.ISSUED).exists():
        return True
    return not invoices.exists() and bool(plan_invoice(snapshot, config, has_invoice=False))


def _process(order_id: str, send: bool) -> int:
    results = issue_history(order_id, send=send)
    created = [r.document for r in results if r.created]
    if not send:
        AuditEntry.objects.bulk_create([
            AuditEntry(document=d, document_number=d.number or "", action=AuditAction.BACKFILL_UNSENT, actor="backfill")
            for d in created if d.status == DocumentStatus.ISSUED])
    else:
        # Documents an earlier run without --send issued and left unsent are sent now.
        held_back = (BillingDocument.objects.filter(order_id=order_id, status=DocumentStatus.ISSUED,
                                                    delivery_status=DeliveryStatus.QUEUED,
                                                    audit_entries__action=AuditAction.BACKFILL_UNSENT)
                     .exclude(Exists(DeliveryAttempt.objects.filter(document=OuterRef("pk")))).distinct())
        for document in held_back:
            enqueue_delivery(document.id)
    return len(created)
