"""The inbox's task: one per order and mutation, queued by ``inbox.record`` once the hook's transaction commits."""

from __future__ import annotations

from . import inbox
from .dispatch import TaskName, plugin_task


@plugin_task(TaskName.PROCESS_ORDER_EVENTS)
def process_order_events(order_id: str) -> int:
    return inbox.process_order(order_id).events
