"""Emailing a staff alert: once, to the channel's staff address; transient failures are retried."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from ..hosts import get_host
from ..models import StaffAlert
from . import outbound
from .email import compose_staff_alert

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertOutcome:
    status: str  # "sent", "skipped" or "failed"
    retry_in: int | None = None  # seconds, when a transient failure is worth another try


def email_alert(alert_id: int, *, attempt_number: int = 1) -> AlertOutcome:
    alert = StaffAlert.objects.select_related("document").filter(pk=alert_id).first()
    if alert is None or alert.emailed_at is not None:
        return AlertOutcome("skipped")
    config = get_host().channel_config(alert.channel) if alert.channel else None
    if config is None or not config.staff_alert_email or not config.from_email:
        logger.warning("saypro_invoicing: no staff alert address for channel %r; alert %s only logged",
                       alert.channel, alert.pk)
        return AlertOutcome("skipped")
    attempted = outbound.send_email(outbound.MessageKind.STAFF_ALERT, config,
                                    compose_staff_alert(alert, config, config.staff_alert_email),
                                    attempt_number=attempt_number)
    if not attempted.sent:
        # Celery retries the task (its own countdown); the periodic retry run re-queues a lost one.
        transient = attempted.failure is not None and attempted.failure.is_transient
        return AlertOutcome("failed", outbound.retry_in_seconds(config, attempt_number) if transient else None)
    StaffAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return AlertOutcome("sent")
