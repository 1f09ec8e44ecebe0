"""Celery tasks: primary keys in, idempotent, transient failures retried with backoff.

A transient failure leaves the attempt DEFERRED with ``next_retry_at``. With a broker the task
queues itself again with that countdown. In eager mode (no broker: CELERY_TASK_ALWAYS_EAGER) a
countdown is not honoured and re-running at once would spin through every attempt in a second,
so the task stops there and ``retry_due_deliveries`` (a periodic task, also run by the sweeper)
picks the attempt up when it is due. Both paths meet in the same claim, so a retry that both
the countdown and the periodic task fire still sends once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..conf import setting
from ..hosts import get_host, writer
from ..models import StaffAlert
from ..models.delivery import AttemptStatus, Channel
from . import connection, service
from .email import compose_staff_alert
from .retry import backoff_seconds, classify

logger = logging.getLogger(__name__)

# Unsent staff alerts are picked up again after this, in case their task was lost.
ALERT_RESEND_AFTER = timedelta(minutes=10)
ALERT_RESEND_WINDOW = timedelta(days=2)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def queue_delivery(document_id: uuid.UUID | str, *, purpose: str = "document", recipient: str = "",
                   not_before: datetime | None = None) -> None:
    """Queue a delivery after the current transaction commits (at once outside one)."""
    kwargs = {"purpose": str(purpose), "recipient": recipient, "not_before": _iso(not_before)}
    transaction.on_commit(lambda: deliver_document.apply_async(args=[str(document_id)], kwargs=kwargs,
                                                               queue=setting("CELERY_QUEUE")))


def queue_sms(document_id: uuid.UUID | str, phone: str) -> None:
    transaction.on_commit(lambda: deliver_sms.apply_async(args=[str(document_id), phone],
                                                          queue=setting("CELERY_QUEUE")))


@shared_task(bind=True, name="saypro_invoicing.deliver_document", ignore_result=True)
def deliver_document(self, document_id: str, purpose: str = "document", recipient: str = "",
                     not_before: str = "") -> str:
    since = parse_datetime(not_before) if not_before else None
    with writer():
        outcome = service.deliver(document_id, purpose, recipient, not_before=since)
    if outcome.status == AttemptStatus.DEFERRED and outcome.retry_at and not self.request.is_eager:
        countdown = max(1, int((outcome.retry_at - timezone.now()).total_seconds()) + 1)
        deliver_document.apply_async(args=[document_id],
                                     kwargs={"purpose": purpose, "recipient": recipient, "not_before": not_before},
                                     countdown=countdown, queue=setting("CELERY_QUEUE"))
    return outcome.status


@shared_task(bind=True, name="saypro_invoicing.deliver_sms", ignore_result=True)
def deliver_sms(self, document_id: str, phone: str) -> str:
    from .sms import deliver_sms as send_sms

    with writer():
        result = send_sms(document_id, phone)
    return result


def retry_due(now: datetime | None = None) -> int:
    """Send every delivery whose retry time has come; returns how many were queued."""
    now = now or timezone.now()
    count = 0
    with writer():
        for attempt, start in list(service.iter_due_retries(now)):
            if attempt.channel == Channel.SMS:
                deliver_sms.apply_async(args=[str(attempt.document_id), attempt.recipient],
                                        queue=setting("CELERY_QUEUE"))
            else:
                deliver_document.apply_async(
                    args=[str(attempt.document_id)],
                    kwargs={"purpose": attempt.purpose, "recipient": attempt.recipient, "not_before": _iso(start)},
                    queue=setting("CELERY_QUEUE"))
            count += 1
        lost_alerts = StaffAlert.objects.filter(emailed_at__isnull=True, created_at__lt=now - ALERT_RESEND_AFTER,
                                                created_at__gte=now - ALERT_RESEND_WINDOW).values_list("pk", flat=True)
        for alert_id in list(lost_alerts[:500]):
            send_staff_alert.apply_async(args=[alert_id], queue=setting("CELERY_QUEUE"))
    return count


@shared_task(name="saypro_invoicing.retry_due_deliveries", ignore_result=True)
def retry_due_deliveries() -> int:
    return retry_due()


@shared_task(bind=True, name="saypro_invoicing.send_staff_alert", ignore_result=True)
def send_staff_alert(self, alert_id: int) -> str:
    with writer():
        alert = StaffAlert.objects.select_related("document").filter(pk=alert_id).first()
        if alert is None or alert.emailed_at is not None:
            return "skipped"
        config = get_host().channel_config(alert.channel) if alert.channel else None
        if config is None or not config.staff_alert_email or not config.from_email:
            logger.warning("saypro_invoicing: no staff alert address for channel %r; alert %s only logged",
                           alert.channel, alert.pk)
            return "skipped"
        try:
            connection.send(config, compose_staff_alert(alert, config, config.staff_alert_email))
        except Exception as exc:  # noqa: BLE001 - classified: transient ones are retried
            failure = classify(exc)
            logger.warning("saypro_invoicing: staff alert %s not sent (%s): %s", alert.pk, failure.kind,
                           failure.text)
            if failure.is_transient and not self.request.is_eager and self.request.retries < 8:
                raise self.retry(countdown=backoff_seconds(config, self.request.retries + 1), exc=exc) from exc
            return "failed"
        StaffAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return "sent"


@shared_task(name="saypro_invoicing.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    from .reminders import send_due_reminders as run

    with writer():
        return run()
