"""Every periodic task of the plugin, for Celery beat. In Saleor's settings (or any Django settings):

    from saypro_invoicing.beat import BEAT_SCHEDULE as SAYPRO_BEAT
    CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, **SAYPRO_BEAT}

Importing it loads no Django code, so a settings module can. ``beat_schedule(queue=...)`` routes the
entries to another queue than ``saypro_invoicing``.
"""

from __future__ import annotations

from typing import Any

from .delivery.beat import DEFAULT_QUEUE
from .delivery.beat import beat_schedule as delivery_schedule
from .sla.beat import beat_schedule as sla_schedule


def beat_schedule(queue: str = DEFAULT_QUEUE) -> dict[str, Any]:
    return {**delivery_schedule(queue), **sla_schedule(queue)}


BEAT_SCHEDULE = beat_schedule()
