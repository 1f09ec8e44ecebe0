"""Celery tasks of the SLA area: the sweeper and the periodic report email (primary keys / plain values in)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction

from .. import actions
from ..conf import ChannelConfig
from ..delivery import outbound
from ..delivery.outbound import OutboundFailed
from ..dispatch import TaskName, plugin_task
from ..hosts import get_host
from ..models import AuditAction, AuditEntry
from .formatting import as_csv, as_json, as_table
from .periods import parse_period
from .report import build_report

logger = logging.getLogger(__name__)


@plugin_task(TaskName.SWEEP)
def sweep_task() -> None:
    actions.sweep()


@plugin_task(TaskName.SEND_SLA_REPORT)
def send_sla_report(period: str = "previous-week", channel: str = "") -> int:
    """Email the period's report to each channel's staff address; idempotent per channel and period."""
    host = get_host()
    sent = 0
    for slug in [channel] if channel else host.active_channels():
        config = host.channel_config(slug)
        if config is None or not config.active or not config.staff_alert_email:
            continue
        sent += int(email_report(config, period))
    return sent


def email_report(config: ChannelConfig, period: str, *, now: datetime | None = None) -> bool:
    """Send one channel's report; False when it was already sent for this period."""
    start, end = parse_period(period, now)
    key = {"channel": config.channel, "start": start.isoformat(), "end": end.isoformat(),
           "to": config.staff_alert_email}
    if AuditEntry.objects.filter(action=AuditAction.SLA_REPORT_SENT, details=key).exists():
        return False
    report = build_report(config.channel, start, end, now=now)
    shop = config.display_shop_name or config.channel
    on_time = report.invoices.percent_within_24h, report.receipts.percent_within_24h
    subject = (f"[{shop}] Billing documents {start:%Y-%m-%d} to {end:%Y-%m-%d}: invoices "
               f"{_pct(on_time[0])}, receipts {_pct(on_time[1])} delivered within 24 h")
    message = EmailMessage(subject=subject, body=as_table(report), from_email=config.from_email or None,
                           to=[config.staff_alert_email])
    stem = f"sla-report-{config.channel}-{start:%Y%m%d}-{end:%Y%m%d}"
    message.attach(f"{stem}.csv", as_csv(report), "text/csv")
    message.attach(f"{stem}.json", as_json(report), "application/json")
    with transaction.atomic():
        # The row is written first and rolled back if sending fails, so a retry sends again.
        AuditEntry.objects.create(action=AuditAction.SLA_REPORT_SENT, actor="system", details=key)
        _send(config, message)
    return True


def _send(config: ChannelConfig, message: EmailMessage) -> None:
    attempted = outbound.send_email(outbound.MessageKind.SLA_REPORT, config, message)
    if not attempted.sent:
        # The audit row is rolled back with this error, so the next scheduled run sends again.
        raise OutboundFailed(f"SLA report to {config.staff_alert_email} not sent: {attempted.response}")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


