"""Reconciliation: every order's money (charged, refunded) against its documents (invoiced, receipted, credited).

Mismatch kinds:
- charged_without_receipt: a captured payment older than the grace period has no issued receipt;
- invoiced_unpaid_past_terms: an issued invoice is past its due date and the order is not fully charged;
- refunded_without_credit_note: an invoiced order was refunded more than it was credited;
- overcharged: charged minus refunded exceeds what the order is worth (zero once cancelled);
- undercharged: the host reports the order fully charged but the captured payments are below its total;
- payment_pending_too_long: a confirmed order without invoice is still not fully charged after
  SAYPRO_INVOICING["PAYMENT_PENDING_HOURS"].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from ..conf import ChannelConfig, setting
from ..hosts import get_host
from ..models import BillingDocument
from ..models.documents import DocumentStatus, PaymentStatus
from ..money import quantize
from ..snapshot import DocumentType, OrderSnapshot
from ..trigger_keys import TriggerKey
from ..triggers import CANCELLED_STATUSES, NOT_CONFIRMED_STATUSES

KINDS = ("charged_without_receipt", "invoiced_unpaid_past_terms", "refunded_without_credit_note", "overcharged",
         "undercharged", "payment_pending_too_long")


@dataclass(frozen=True)
class Mismatch:
    kind: str
    channel: str
    order_id: str
    order_number: str
    currency: str
    total: Decimal
    charged: Decimal
    invoiced: Decimal
    receipted: Decimal
    refunded: Decimal
    credited: Decimal
    difference: Decimal  # the amount that is off, always positive
    detail: str = ""


def order_snapshots(channel: str, start: datetime, end: datetime) -> Iterable[OrderSnapshot]:
    host = get_host()
    for ref in host.orders_changed(channel, start, end):
        yield host.snapshot(ref.order_id)


def reconcile(channel: str, start: datetime, end: datetime, *, now: datetime | None = None,
              snapshots: Iterable[OrderSnapshot] | None = None) -> list[Mismatch]:
    """Mismatches of the channel's orders changed in [start, end), oldest order first."""
    now = now or timezone.now()
    config = get_host().channel_config(channel)
    if config is None:
        return []
    snapshots = list(snapshots if snapshots is not None else order_snapshots(channel, start, end))
    documents: dict[str, list[BillingDocument]] = {}
    order_ids = [s.order_id for s in snapshots]
    for start_index in range(0, len(order_ids), 1000):
        chunk = order_ids[start_index:start_index + 1000]
        for document in BillingDocument.objects.filter(order_id__in=chunk, status=DocumentStatus.ISSUED).only(
                "order_id", "type", "total", "trigger_key", "due_at", "payment_status", "number"):
            documents.setdefault(document.order_id, []).append(document)
    mismatches: list[Mismatch] = []
    for snapshot in snapshots:
        mismatches.extend(check_order(snapshot, documents.get(snapshot.order_id, []), config, now))
    return mismatches


def check_order(snapshot: OrderSnapshot, documents: list[BillingDocument], config: ChannelConfig,
                now: datetime) -> list[Mismatch]:
    currency = snapshot.currency

    def total_of(doc_type: DocumentType) -> Decimal:
        return quantize(sum((d.total for d in documents if d.type == doc_type), Decimal(0)), currency)

    invoiced, receipted, credited = (total_of(DocumentType.INVOICE), total_of(DocumentType.RECEIPT),
                                     total_of(DocumentType.CREDIT_NOTE))
    total, charged, refunded = (quantize(snapshot.total_gross, currency), quantize(snapshot.total_charged, currency),
                                quantize(snapshot.total_refunded, currency))
    status = snapshot.status.lower()
    grace = timedelta(minutes=config.sweeper_grace_minutes)
    found: list[Mismatch] = []

    def add(kind: str, difference: Decimal, detail: str) -> None:
        found.append(Mismatch(kind=kind, channel=snapshot.channel, order_id=snapshot.order_id,
                              order_number=snapshot.order_number, currency=currency, total=total, charged=charged,
                              invoiced=invoiced, receipted=receipted, refunded=refunded, credited=credited,
                              difference=quantize(difference, currency), detail=detail))

    if config.issue_receipts:
        receipt_keys = {d.trigger_key for d in documents if d.type == DocumentType.RECEIPT}
        missing = [p for p in snapshot.payments
                   if p.amount > 0 and p.captured_at <= now - grace
                   and str(TriggerKey.receipt(snapshot.order_id, p.reference)) not in receipt_keys]
        if missing:
            add("charged_without_receipt", sum((p.amount for p in missing), Decimal(0)),
                "No receipt for payment " + ", ".join(p.reference for p in missing) + ".")
    overdue = [d for d in documents if d.type == DocumentType.INVOICE and d.due_at is not None and d.due_at < now
               and d.payment_status in (PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID)]
    if overdue and charged < total and status not in CANCELLED_STATUSES:
        add("invoiced_unpaid_past_terms", total - charged,
            f"Invoice {overdue[0].number} was due {overdue[0].due_at:%Y-%m-%d}.")
    if invoiced > 0 and config.issue_credit_notes and refunded > credited:
        add("refunded_without_credit_note", refunded - credited, "Refunded more than credited.")
    worth = Decimal(0) if status in CANCELLED_STATUSES else total
    if charged - refunded > worth:
        add("overcharged", charged - refunded - worth,
            "Charged after refunds exceeds the order total." if worth else "A cancelled order still holds money.")
    if snapshot.charge_status.lower() == "full" and charged < total and status not in CANCELLED_STATUSES:
        add("undercharged", total - charged, "The host reports the order fully charged, but less was captured.")
    pending_since = snapshot.confirmed_at or snapshot.created_at
    pending_hours = int(setting("PAYMENT_PENDING_HOURS"))
    if (charged < total and not invoiced and status not in CANCELLED_STATUSES
            and status not in NOT_CONFIRMED_STATUSES - {"unconfirmed"}
            and pending_since <= now - timedelta(hours=pending_hours)):
        add("payment_pending_too_long", total - charged,
            f"Not fully charged {int((now - pending_since).total_seconds() // 3600)} h after confirmation.")
    return found
