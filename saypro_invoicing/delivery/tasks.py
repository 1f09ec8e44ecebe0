"""Celery tasks: primary keys in, idempotent, transient failures retried with backoff.

A transient failure leaves the attempt DEFERRED with ``next_retry_at``. With a broker the task
queues itself again with that countdown. In eager mode (no broker: CELERY_TASK_ALWAYS_EAGER) a
countdown is not honoured and re-running at once would spin through every attempt in a second,
so the task stops there and ``retry_due_deliveries`` (a periodic task, also run by the sweeper)
picks the attempt up when it is due. Both paths meet in the same claim, so a retry that both
the countdown and the periodic task fire still sends once.

Nothing in the domain imports this module: work is queued by name through ``dispatch``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..dispatch import TaskName, plugin_task, send_now
from ..models import StaffAlert
from ..models.delivery import AttemptStatus, Channel
from . import reminders, service, sms, staff_alerts
from .attempts import iter_due_retries

logger = logging.getLogger(__name__)

# Unsent staff alerts are picked up again after this, in case their task was lost.
ALERT_RESEND_AFTER = timedelta(minutes=10)
ALERT_RESEND_WINDOW = timedelta(days=2)
# A staff alert's transient failures are retried by Celery this many times (with the channel's backoff).
ALERT_MAX_RETRIES = 8


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@plugin_task(TaskName.DELIVER_DOCUMENT, bind=True)
def deliver_document(self: Any, document_id: str, purpose: str = "document", recipient: str = "",
                     not_before: str = "") -> str:
    since = parse_datetime(not_before) if not_before else None
    outcome = service.deliver(document_id, purpose, recipient, not_before=since)
    if outcome.status == AttemptStatus.DEFERRED and outcome.retry_at and not self.request.is_eager:
        countdown = max(1, int((outcome.retry_at - timezone.now()).total_seconds()) + 1)
        send_now(TaskName.DELIVER_DOCUMENT, document_id, purpose=purpose, recipient=recipient,
                 not_before=not_before, countdown=countdown)
    return outcome.status


@plugin_task(TaskName.DELIVER_SMS)
def deliver_sms(document_id: str, phone: str) -> str:
    return sms.deliver_sms(document_id, phone)


def retry_due(now: datetime | None = None) -> int:
    """Send every delivery whose retry time has come; returns how many were queued."""
    now = now or timezone.now()
    count = 0
    for attempt, start in list(iter_due_retries(now)):
        if attempt.channel == Channel.SMS:
            send_now(TaskName.DELIVER_SMS, str(attempt.document_id), attempt.recipient)
        else:
            send_now(TaskName.DELIVER_DOCUMENT, str(attempt.document_id), purpose=attempt.purpose,
                     recipient=attempt.recipient, not_before=_iso(start))
        count += 1
    lost_alerts = StaffAlert.objects.filter(emailed_at__isnull=True, created_at__lt=now - ALERT_RESEND_AFTER,
                                            created_at__gte=now - ALERT_RESEND_WINDOW).values_list("pk", flat=True)
    for alert_id in list(lost_alerts[:500]):
        send_now(TaskName.SEND_STAFF_ALERT, alert_id)
    return count


@plugin_task(TaskName.RETRY_DUE_DELIVERIES)
def retry_due_deliveries() -> int:
    return retry_due()


@plugin_task(TaskName.SEND_STAFF_ALERT, bind=True)
def send_staff_alert(self: Any, alert_id: int) -> str:
    outcome = staff_alerts.email_alert(alert_id, attempt_number=self.request.retries + 1)
    if outcome.retry_in is not None and not self.request.is_eager and self.request.retries < ALERT_MAX_RETRIES:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@plugin_task(TaskName.SEND_DUE_REMINDERS)
def send_due_reminders() -> int:
    return reminders.send_due_reminders()
