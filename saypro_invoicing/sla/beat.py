"""Celery beat entries: merge into your CELERY_BEAT_SCHEDULE (Saleor: in its settings, next to its own).

    from saypro_invoicing.sla.beat import BEAT_SCHEDULE
    CELERY_BEAT_SCHEDULE.update(BEAT_SCHEDULE)

Import-light on purpose: settings modules load it before Django is configured, so the queue is a
parameter (``beat_schedule(queue=...)``) rather than read from SAYPRO_INVOICING.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab

DEFAULT_QUEUE = "saypro_invoicing"


def beat_schedule(queue: str = DEFAULT_QUEUE, sweep_every: timedelta = timedelta(minutes=15)) -> dict[str, Any]:
    options = {"queue": queue}
    return {
        "saypro-invoicing-sweep": {"task": "saypro_invoicing.sweep", "schedule": sweep_every, "options": options},
        # Monday 06:00 UTC: the previous ISO week (Monday to Sunday).
        "saypro-invoicing-sla-report-weekly": {
            "task": "saypro_invoicing.send_sla_report", "schedule": crontab(minute=0, hour=6, day_of_week=1),
            "kwargs": {"period": "previous-week"}, "options": options},
        # First of the month 06:30 UTC: the previous calendar month.
        "saypro-invoicing-sla-report-monthly": {
            "task": "saypro_invoicing.send_sla_report", "schedule": crontab(minute=30, hour=6, day_of_month=1),
            "kwargs": {"period": "previous-month"}, "options": options},
    }


BEAT_SCHEDULE = beat_schedule()
