"""The SLA report for a channel and period: the figures that prove (or disprove) "100 % within 24 h".

Cohorts are by ``event_at`` in [start, end): the documents whose clock started in the period.
See ``deadlines.DEFINITION`` for what "delivered within 24 h" means; it is part of every report.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ..hosts import get_host
from ..models import BillingDocument, CorrectionRequest, DeliveryAttempt, DeliveryEvent, GateCheck, Reminder, SlaBreach
from ..models.delivery import AttemptStatus, Channel
from ..models.documents import DocumentStatus, PaymentStatus
from ..money import quantize
from ..snapshot import DocumentType, to_json
from ..triggers import CANCELLED_STATUSES, invoice_trigger_time
from .deadlines import DEFINITION, deadline, delivered_moment
from .reconciliation import Mismatch, reconcile

CORRECTION_WINDOW = timedelta(hours=48)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (("0-7", 0, 7), ("8-30", 8, 30), ("31-60", 31, 60),
                                                         ("61+", 61, None))
BOUNCE_EVENTS = ("bounced", "rejected")


@dataclass(frozen=True)
class DocumentFigures:
    type: str
    documents: int  # event_at in the period
    issued: int  # of those, numbered
    held_for_review: int  # of those, still held by the gate
    due: int  # deadline passed, or delivered
    delivered_within_24h: int
    missed: int  # due and not delivered within 24 h
    pending: int  # inside their 24 h and not delivered yet
    percent_within_24h: float | None


@dataclass(frozen=True)
class Durations:
    count: int
    average_seconds: float | None
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    attempts: int
    accepted: int
    bounced: int
    failed: int
    deferred: int
    success_rate: float | None  # accepted and not bounced later / final outcomes
    bounce_rate: float | None


@dataclass(frozen=True)
class Accuracy:
    gate_checks: int
    passed: int
    accuracy_rate: float | None
    held_for_review: int
    still_held: int


@dataclass(frozen=True)
class Corrections:
    requested: int
    resolved: int
    resolved_within_48h: int
    open: int
    percent_resolved_within_48h: float | None


@dataclass(frozen=True)
class MoneyAmount:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class AgingBucket:
    label: str
    count: int
    amounts: tuple[MoneyAmount, ...]


@dataclass(frozen=True)
class BreachItem:
    document_id: str
    document_number: str
    type: str
    order_number: str
    event_at: datetime
    deadline_at: datetime
    cause: str
    detail: str


@dataclass(frozen=True)
class CauseCount:
    cause: str
    count: int


@dataclass(frozen=True)
class SlaReport:
    channel: str  # "" for every channel
    start: datetime
    end: datetime
    generated_at: datetime
    definition: str
    orders_at_trigger: int
    orders_at_trigger_without_invoice: int
    invoices: DocumentFigures
    receipts: DocumentFigures
    delivery_time: Durations
    delivery_channels: tuple[ChannelFigures, ...]
    accuracy: Accuracy
    corrections: Corrections
    reminders_sent: int
    unpaid_as_of: datetime
    unpaid_invoices: tuple[AgingBucket, ...]
    breaches: tuple[BreachItem, ...]
    breach_causes: tuple[CauseCount, ...]
    mismatches: tuple[Mismatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def nearest_rank(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[max(math.ceil(q * len(sorted_values)), 1) - 1]


def build_report(channel: str | None, start: datetime, end: datetime, now: datetime | None = None) -> SlaReport:
    now = now or timezone.now()
    host = get_host()
    channels = [channel] if channel else host.active_channels()
    in_channel = Q(channel__in=channels)
    cohort = list(BillingDocument.objects.filter(in_channel, event_at__gte=start, event_at__lt=end,
                                                 type__in=(DocumentType.INVOICE, DocumentType.RECEIPT))
                  .exclude(status=DocumentStatus.VOID, number__isnull=True))
    invoices = [d for d in cohort if d.type == DocumentType.INVOICE]
    receipts = [d for d in cohort if d.type == DocumentType.RECEIPT]
    durations = sorted((d.accepted_at - d.event_at).total_seconds() for d in cohort if d.accepted_at is not None)

    at_trigger, without_invoice, mismatches = _orders(channels, start, end, now, {d.order_id for d in invoices})
    breaches = [
        BreachItem(document_id=str(b.document_id), document_number=b.document.number or "", type=b.document.type,
                   order_number=b.document.order_number, event_at=b.document.event_at, deadline_at=b.deadline_at,
                   cause=b.cause, detail=b.detail)
        for b in SlaBreach.objects.select_related("document").filter(
            document__channel__in=channels, document__event_at__gte=start, document__event_at__lt=end)
        .order_by("deadline_at", "id")
    ]
    causes = Counter(b.cause for b in breaches)
    as_of = min(end, now)
    return SlaReport(
        channel=channel or "", start=start, end=end, generated_at=now, definition=DEFINITION,
        orders_at_trigger=at_trigger, orders_at_trigger_without_invoice=without_invoice,
        invoices=_figures(DocumentType.INVOICE, invoices, now), receipts=_figures(DocumentType.RECEIPT, receipts, now),
        delivery_time=Durations(
            count=len(durations),
            average_seconds=round(sum(durations) / len(durations), 1) if durations else None,
            p50_seconds=nearest_rank(durations, 0.5), p95_seconds=nearest_rank(durations, 0.95),
            max_seconds=durations[-1] if durations else None),
        delivery_channels=tuple(_channel_figures(kind, channels, start, end) for kind in Channel.values),
        accuracy=_accuracy(channels, start, end),
        corrections=_corrections(channels, start, end, now),
        reminders_sent=Reminder.objects.filter(document__channel__in=channels, sent_at__gte=start,
                                               sent_at__lt=end).count(),
        unpaid_as_of=as_of,
        unpaid_invoices=_aging(channels, as_of),
        breaches=tuple(breaches),
        breach_causes=tuple(CauseCount(cause, count) for cause, count in sorted(causes.items())),
        mismatches=tuple(mismatches),
    )


def _figures(doc_type: DocumentType, documents: list[BillingDocument], now: datetime) -> DocumentFigures:
    on_time = due = pending = 0
    for document in documents:
        moment = delivered_moment(document)
        if moment is not None and moment <= deadline(document.event_at):
            on_time += 1
            due += 1
        elif now >= deadline(document.event_at) or moment is not None:
            due += 1
        else:
            pending += 1
    return DocumentFigures(
        type=doc_type.value, documents=len(documents), issued=sum(1 for d in documents if d.number),
        held_for_review=sum(1 for d in documents if d.status == DocumentStatus.NEEDS_REVIEW), due=due,
        delivered_within_24h=on_time, missed=due - on_time, pending=pending, percent_within_24h=percent(on_time, due))


def _orders(channels: list[str], start: datetime, end: datetime, now: datetime,
            invoiced_orders: set[str]) -> tuple[int, int, list[Mismatch]]:
    """Orders at the invoice trigger in the period (with or without invoice), and reconciliation."""
    host = get_host()
    without: set[str] = set()
    mismatches: list[Mismatch] = []
    for slug in channels:
        config = host.channel_config(slug)
        if config is None:
            continue
        # An order's updated_at is never before the moment it reached the trigger, so scanning from
        # start to now finds every order that reached it during the period.
        in_period, seen = [], set()
        for ref in host.orders_changed(slug, start, max(now, end)):
            snapshot = host.snapshot(ref.order_id)
            seen.add(snapshot.order_id)
            if ref.updated_at < end:
                in_period.append(snapshot)
            reached = invoice_trigger_time(snapshot, config)
            if (reached is not None and start <= reached < end and snapshot.order_id not in invoiced_orders
                    and snapshot.status.lower() not in CANCELLED_STATUSES):
                without.add(snapshot.order_id)
        mismatches.extend(reconcile(slug, start, end, now=now, snapshots=in_period))
    return len(invoiced_orders | without), len(without), mismatches


def _channel_figures(kind: str, channels: list[str], start: datetime, end: datetime) -> ChannelFigures:
    attempts = DeliveryAttempt.objects.filter(document__channel__in=channels, channel=kind, started_at__gte=start,
                                              started_at__lt=end)
    bounced_later = set(DeliveryEvent.objects.filter(attempt__in=attempts, event_type__in=BOUNCE_EVENTS)
                        .values_list("attempt_id", flat=True))
    counts: Counter[str] = Counter()
    for pk, status in attempts.values_list("pk", "status"):
        counts["bounced" if status == AttemptStatus.BOUNCED or pk in bounced_later else status] += 1
    accepted = counts[AttemptStatus.SENT]
    failed = counts[AttemptStatus.FAILED] + counts[AttemptStatus.SUPPRESSED]
    final = accepted + counts["bounced"] + failed
    return ChannelFigures(channel=kind, attempts=sum(counts.values()), accepted=accepted, bounced=counts["bounced"],
                          failed=failed, deferred=counts[AttemptStatus.DEFERRED],
                          success_rate=percent(accepted, final), bounce_rate=percent(counts["bounced"], final))


def _accuracy(channels: list[str], start: datetime, end: datetime) -> Accuracy:
    checks = GateCheck.objects.filter(channel__in=channels, checked_at__gte=start, checked_at__lt=end)
    total, passed = checks.count(), checks.filter(passed=True).count()
    held = checks.filter(passed=False)
    return Accuracy(gate_checks=total, passed=passed, accuracy_rate=percent(passed, total),
                    held_for_review=held.count(),
                    still_held=held.filter(document__status=DocumentStatus.NEEDS_REVIEW).count())


def _corrections(channels: list[str], start: datetime, end: datetime, now: datetime) -> Corrections:
    requests = list(CorrectionRequest.objects.filter(document__channel__in=channels, requested_at__gte=start,
                                                     requested_at__lt=end).values_list("requested_at", "resolved_at"))
    resolved = [(asked, done) for asked, done in requests if done is not None]
    within = sum(1 for asked, done in resolved if done - asked <= CORRECTION_WINDOW)
    # Open requests younger than 48 h have not failed yet: they are left out of the percentage.
    due = len(resolved) + sum(1 for asked, done in requests if done is None and now - asked > CORRECTION_WINDOW)
    return Corrections(requested=len(requests), resolved=len(resolved), resolved_within_48h=within,
                       open=len(requests) - len(resolved), percent_resolved_within_48h=percent(within, due))


def _aging(channels: list[str], as_of: datetime) -> tuple[AgingBucket, ...]:
    """Unpaid invoices (current payment status) by whole days past their due date at ``as_of``."""
    rows = BillingDocument.objects.filter(
        channel__in=channels, type=DocumentType.INVOICE, status=DocumentStatus.ISSUED, issued_at__lt=as_of,
        due_at__lt=as_of, payment_status__in=(PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID),
    ).values_list("due_at", "currency", "total")
    counts: Counter[str] = Counter()
    amounts: dict[str, dict[str, Decimal]] = {label: {} for label, _low, _high in AGE_BUCKETS}
    for due_at, currency, total in rows:
        if due_at is None:  # excluded by the filter; says so to the type checker
            continue
        days = (as_of - due_at).days
        label = next(label for label, low, high in AGE_BUCKETS if days >= low and (high is None or days <= high))
        counts[label] += 1
        amounts[label][currency] = amounts[label].get(currency, Decimal(0)) + total
    return tuple(AgingBucket(label=label, count=counts[label],
                             amounts=tuple(MoneyAmount(c, quantize(a, c)) for c, a in sorted(amounts[label].items())))
                 for label, _low, _high in AGE_BUCKETS)

