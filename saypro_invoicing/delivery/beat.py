"""Periodic tasks, for Celery beat (in Saleor: add them to CELERY_BEAT_SCHEDULE in the settings).

    from saypro_invoicing.delivery.beat import BEAT_SCHEDULE
    CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, **BEAT_SCHEDULE}

This module imports nothing from Django, so a settings module can import it. A merchant routing the
plugin to another queue uses ``beat_schedule(queue=...)``. Cron users can run
``manage.py saypro_invoicing_send_reminders`` (hourly or daily) instead of the reminder entry.
"""

from __future__ import annotations

from datetime import timedelta

DEFAULT_QUEUE = "saypro_invoicing"


def beat_schedule(queue: str = DEFAULT_QUEUE) -> dict[str, dict]:
    return {
        "saypro-invoicing-retry-due-deliveries": {
            "task": "saypro_invoicing.retry_due_deliveries",
            "schedule": timedelta(minutes=1),
            "options": {"queue": queue, "expires": 55},
        },
        "saypro-invoicing-send-due-reminders": {
            "task": "saypro_invoicing.send_due_reminders",
            "schedule": timedelta(hours=1),
            "options": {"queue": queue, "expires": 3000},
        },
    }


BEAT_SCHEDULE = beat_schedule()
