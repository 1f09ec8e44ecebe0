"""Every Celery task of the plugin, and the per-process warm-up of the renderer.

Celery's autodiscovery finds ``<app>.tasks`` of each installed Django app, so importing this
module registers the tasks in any worker: Saleor's, or the sandbox's.
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_process_init

from .delivery import tasks as delivery_tasks
from .sla import tasks as sla_tasks

__all__ = ["delivery_tasks", "sla_tasks"]


@worker_process_init.connect
def _warm_renderer(**kwargs: Any) -> None:
    # Fonts, CSS and templates once per worker process, not per document (perf-notes: the first
    # render of a process costs ~0.5 s more than the next ones).
    from .rendering import warm

    warm()
