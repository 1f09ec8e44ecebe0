"""Every Celery task of the plugin, and the per-process warm-up of the renderer.

Celery's autodiscovery finds ``<app>.tasks`` of each installed Django app, so importing this
module registers the tasks in any worker: Saleor's, or the sandbox's.
"""

from __future__ import annotations

import gc
from typing import Any

from celery.signals import worker_process_init

from . import inbox_tasks
from .delivery import tasks as delivery_tasks
from .einvoice.rules import warm as warm_einvoice_rules
from .rendering import warm
from .sla import tasks as sla_tasks

__all__ = ["delivery_tasks", "inbox_tasks", "sla_tasks"]


@worker_process_init.connect
def _warm_renderer(**kwargs: Any) -> None:
    # Fonts, CSS and templates once per worker process, not per document (perf-notes: the first
    # render of a process costs ~0.5 s more than the next ones).
    warm()
    # The EN 16931 rule sets (XSLT 2.0, ~1 s to compile) and schemas, once per process (issue 13).
    warm_einvoice_rules()
    # What is alive now (modules, Django, Celery, the warm renderer) lives as long as the process.
    # Freezing it keeps every later full collection from rescanning it: each render leaves cyclic
    # garbage, and full collections over the unfrozen heap cost ~95 ms every few documents (mean
    # render 88 -> 82 ms). Saleor's ASGI application does the same at start (saleor/asgi/__init__.py).
    gc.collect()
    gc.freeze()
