"""SLA series for the dashboard's charts, and the report as CSV: ``billingDocumentSlaSeries``,
``billingDocumentSlaReportCsv``.

The delivery-time distribution and the weekly trend use the report's own definitions (sla/deadlines.py):
delivery time is accepted_at - event_at; a document counts as delivered within 24 h by
``delivered_moment``; the percentage is over documents that are due (deadline passed, or delivered).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import graphene
from django.utils import timezone

from ..errors import ErrorCode, PermissionDenied, ValidationError
from ..hosts import get_host
from ..hosts.protocol import Requestor
from ..models import BillingDocument
from ..models.documents import DocumentStatus
from ..sla.deadlines import deadline, delivered_moment
from ..sla.formatting import as_csv
from ..sla.periods import PERIOD_HELP
from ..sla.report import build_report, nearest_rank, percent
from ..snapshot import DocumentType
from .errors import coded
from .permissions import requestor, require_staff
from .validation import period as checked_period
from .validation import text

# Upper bounds of the distribution's bins, in seconds (the last bin is open: over 24 h).
BINS: tuple[tuple[str, float | None], ...] = (
    ("< 1 min", 60), ("1-5 min", 300), ("5-15 min", 900), ("15-60 min", 3600), ("1-4 h", 4 * 3600),
    ("4-12 h", 12 * 3600), ("12-24 h", 24 * 3600), ("> 24 h", None),
)
MAX_WEEKS = 26


class BillingDocumentSlaBin(graphene.ObjectType):
    label = graphene.String(required=True)
    upper_seconds = graphene.Float(description="Exclusive upper bound; null for the last, open bin.")
    count = graphene.Int(required=True)


class BillingDocumentSlaWeek(graphene.ObjectType):
    week_start = graphene.DateTime(required=True, description="Monday 00:00 UTC.")
    invoices_due = graphene.Int(required=True)
    invoices_within_24h = graphene.Int(required=True)
    invoices_percent = graphene.Float()
    receipts_due = graphene.Int(required=True)
    receipts_within_24h = graphene.Int(required=True)
    receipts_percent = graphene.Float()


class BillingDocumentSlaSeries(graphene.ObjectType):
    start = graphene.DateTime(required=True)
    end = graphene.DateTime(required=True)
    delivery_time_bins = graphene.List(graphene.NonNull(BillingDocumentSlaBin), required=True)
    p50_seconds = graphene.Float()
    p95_seconds = graphene.Float()
    max_seconds = graphene.Float()
    weeks = graphene.List(graphene.NonNull(BillingDocumentSlaWeek), required=True,
                          description="The weeks up to the period's end, oldest first.")


def _channels(who: Requestor, channel: str | None) -> list[str]:
    require_staff(who)
    slug = text(channel, "channel", limit=128) if channel else ""
    if slug and not who.may_see_channel(slug):
        raise PermissionDenied(f"You have no access to channel {slug!r}.", field="channel")
    if not slug and who.channels is not None:
        raise ValidationError("Choose one of the channels you may access.", code=ErrorCode.REQUIRED, field="channel")
    return [slug] if slug else get_host().active_channels()


def _cohort(channels: list[str], start: datetime, end: datetime) -> list[BillingDocument]:
    # The report's cohort: invoices and receipts whose clock started in [start, end), minus void unnumbered.
    return list(BillingDocument.objects.filter(channel__in=channels, event_at__gte=start, event_at__lt=end,
                                               type__in=(DocumentType.INVOICE, DocumentType.RECEIPT))
                .exclude(status=DocumentStatus.VOID, number__isnull=True)
                .only("type", "event_at", "accepted_at", "delivered_at", "delivery_status"))


def delivery_bins(durations: list[float]) -> list[dict[str, Any]]:
    counts = [0] * len(BINS)
    for seconds in durations:
        for index, (_label, upper) in enumerate(BINS):
            if upper is None or seconds < upper:
                counts[index] += 1
                break
    return [{"label": label, "upper_seconds": upper, "count": count}
            for (label, upper), count in zip(BINS, counts, strict=True)]


def week_figures(documents: list[BillingDocument], week_start: datetime, now: datetime) -> dict[str, Any]:
    result: dict[str, Any] = {"week_start": week_start}
    for prefix, doc_type in (("invoices", DocumentType.INVOICE), ("receipts", DocumentType.RECEIPT)):
        due = on_time = 0
        for document in documents:
            if document.type != doc_type:
                continue
            moment = delivered_moment(document)
            if moment is not None and moment <= deadline(document.event_at):
                on_time += 1
                due += 1
            elif moment is not None or now >= deadline(document.event_at):
                due += 1
        result.update({f"{prefix}_due": due, f"{prefix}_within_24h": on_time,
                       f"{prefix}_percent": percent(on_time, due)})
    return result


def build_series(channels: list[str], start: datetime, end: datetime, weeks: int,
                 now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    cohort = _cohort(channels, start, end)
    durations = sorted((d.accepted_at - d.event_at).total_seconds() for d in cohort if d.accepted_at is not None)
    last_monday = (end - timedelta(microseconds=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    last_monday -= timedelta(days=last_monday.weekday())
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    history = _cohort(channels, first_monday, last_monday + timedelta(weeks=1))
    series = []
    for index in range(weeks):
        week_start = first_monday + timedelta(weeks=index)
        week_end = week_start + timedelta(weeks=1)
        series.append(week_figures([d for d in history if week_start <= d.event_at < week_end], week_start, now))
    return {"start": start, "end": end, "delivery_time_bins": delivery_bins(durations),
            "p50_seconds": nearest_rank(durations, 0.5), "p95_seconds": nearest_rank(durations, 0.95),
            "max_seconds": durations[-1] if durations else None, "weeks": series}


class DashboardSlaQueries(graphene.ObjectType):
    billing_document_sla_series = graphene.Field(
        BillingDocumentSlaSeries,
        channel=graphene.String(description="Channel slug; omitted: every channel together."),
        period=graphene.String(required=True, description=PERIOD_HELP),
        weeks=graphene.Int(default_value=8, description=f"Weeks of trend, 1 to {MAX_WEEKS}."),
        description="Delivery-time distribution and weekly 24-hour trend for charts. Requires MANAGE_ORDERS.",
    )
    billing_document_sla_report_csv = graphene.String(
        channel=graphene.String(description="Channel slug; omitted: every channel together."),
        period=graphene.String(required=True, description=PERIOD_HELP),
        description="The SLA report as CSV (section, metric, value). Requires MANAGE_ORDERS.",
    )

    @staticmethod
    @coded
    def resolve_billing_document_sla_series(_root: Any, info: Any, period: str, channel: str | None = None,
                                            weeks: int = 8) -> dict[str, Any]:
        channels = _channels(requestor(info), channel)
        if not 1 <= weeks <= MAX_WEEKS:
            raise ValidationError(f"`weeks` must be between 1 and {MAX_WEEKS}.", code=ErrorCode.OUT_OF_RANGE,
                                  field="weeks")
        start, end = checked_period(period)
        return build_series(channels, start, end, weeks)

    @staticmethod
    @coded
    def resolve_billing_document_sla_report_csv(_root: Any, info: Any, period: str,
                                                channel: str | None = None) -> str:
        channels = _channels(requestor(info), channel)
        start, end = checked_period(period)
        return as_csv(build_report(channels[0] if channel else None, start, end))
