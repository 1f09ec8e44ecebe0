"""Backfill: issue the documents past orders call for, in batches, resumable, idempotent.

A BackfillRun row, keyed by the parameters, keeps a cursor (channel, updated_at, order id of the
last order processed) that moves only after a batch is done; running again with the same
parameters continues after it. Orders are re-read from the host for each batch, so no database
cursor stays open while documents are issued. Without ``send`` nothing is emailed, and the
documents are marked so that the sweeper does not send them either.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import events
from ..delivery.queue import enqueue_document
from ..errors import SayproInvoicingError
from ..hosts import get_host
from ..hosts.protocol import OrderRef
from ..models import AuditEntry, BackfillRun, BillingDocument, DeliveryAttempt
from ..models.documents import DeliveryStatus, DocumentStatus
from .deadlines import UNSENT_BY_REQUEST

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


def _process(order_id: str, send: bool) -> int:
    results = events.order_changed(order_id, send=send)
    created = [r.document for r in results if r.created]
    if not send:
        AuditEntry.objects.bulk_create([
            AuditEntry(document=d, document_number=d.number or "", action=UNSENT_BY_REQUEST, actor="backfill")
            for d in created if d.status == DocumentStatus.ISSUED])
    else:
        # Documents an earlier run without --send issued and left unsent are sent now.
        held_back = (BillingDocument.objects.filter(order_id=order_id, status=DocumentStatus.ISSUED,
                                                    delivery_status=DeliveryStatus.QUEUED,
                                                    audit_entries__action=UNSENT_BY_REQUEST)
                     .exclude(Exists(DeliveryAttempt.objects.filter(document=OuterRef("pk")))).distinct())
        for document in held_back:
            enqueue_document(document.id)
    return len(created)
