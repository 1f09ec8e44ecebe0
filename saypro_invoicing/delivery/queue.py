"""The delivery tasks' calling convention: what ``deliver_document`` and ``deliver_sms`` are queued with.

Queued through ``dispatch.enqueue``, after the transaction commits (never for a rolled-back document);
the same request twice in one transaction queues one task.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from ..dispatch import TaskName, enqueue, send_now
from ..models import StaffAlert
from ..models.delivery import AttemptPurpose, Channel
from .attempts import iter_due_retries

# Unsent staff alerts are picked up again after this, in case their task was lost.
ALERT_RESEND_AFTER = timedelta(minutes=10)
ALERT_RESEND_WINDOW = timedelta(days=2)


def enqueue_delivery(document_id: uuid.UUID | str, purpose: str = AttemptPurpose.DOCUMENT, recipient: str = "",
                     *, not_before: datetime | None = None) -> None:
    enqueue(TaskName.DELIVER_DOCUMENT, str(document_id), purpose=str(purpose), recipient=recipient,
            not_before=not_before.isoformat() if not_before else "",
            dedupe_key=f"deliver:{document_id}:{purpose}:{recipient}")


def enqueue_sms(document_id: uuid.UUID | str, phone: str) -> None:
    enqueue(TaskName.DELIVER_SMS, str(document_id), phone, dedupe_key=f"sms:{document_id}:{phone}")


def retry_due(now: datetime | None = None) -> int:
    """Queue every delivery whose retry time has come (and staff alerts whose task was lost); returns
    how many deliveries were queued. The periodic task and the cron command both run this."""
    now = now or timezone.now()
    count = 0
    for attempt, start in list(iter_due_retries(now)):
        if attempt.channel == Channel.SMS:
            send_now(TaskName.DELIVER_SMS, str(attempt.document_id), attempt.recipient)
        else:
            send_now(TaskName.DELIVER_DOCUMENT, str(attempt.document_id), purpose=attempt.purpose,
                     recipient=attempt.recipient, not_before=start.isoformat())
        count += 1
    lost_alerts = StaffAlert.objects.filter(emailed_at__isnull=True, created_at__lt=now - ALERT_RESEND_AFTER,
                                            created_at__gte=now - ALERT_RESEND_WINDOW).values_list("pk", flat=True)
    for alert_id in list(lost_alerts[:500]):
        send_now(TaskName.SEND_STAFF_ALERT, alert_id)
    return count
