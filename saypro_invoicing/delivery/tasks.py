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
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..dispatch import TaskName, plugin_task, send_now
from ..models.delivery import AttemptStatus
from . import reminders, service, sms, staff_alerts
from .queue import retry_due

logger = logging.getLogger(__name__)

# A staff alert's transient failures are retried by Celery this many times (with the channel's backoff).
ALERT_MAX_RETRIES = 8


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
