"""Task dispatch: the bottom layer that queues Celery tasks by name once the transaction commits.

Domain code calls ``enqueue("saypro_invoicing.deliver_document", document_id)`` and never imports a
task module, so no domain module depends on the tasks (which depend on the domain). Queue name comes
from the settings here; writer routing and retry policy are declared on the tasks themselves.

Work is queued on commit so a worker never sees a row that a rollback removes; ``robust=True`` keeps
one failing broker call from swallowing the callbacks queued after it. Identical ``dedupe_key``s
within one transaction queue one task: the hooks of one Saleor mutation collapse into one run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from celery import current_app, shared_task
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .conf import setting
from .hosts import writer


class TaskName(StrEnum):
    """Every task's registered name, declared once: the tasks register under these, callers queue them."""

    DELIVER_DOCUMENT = "saypro_invoicing.deliver_document"
    DELIVER_SMS = "saypro_invoicing.deliver_sms"
    SEND_STAFF_ALERT = "saypro_invoicing.send_staff_alert"
    RETRY_DUE_DELIVERIES = "saypro_invoicing.retry_due_deliveries"
    SEND_DUE_REMINDERS = "saypro_invoicing.send_due_reminders"
    SWEEP = "saypro_invoicing.sweep"
    SEND_SLA_REPORT = "saypro_invoicing.send_sla_report"
    PROCESS_ORDER_EVENTS = "saypro_invoicing.process_order_events"


class _Send:
    """The on-commit callback; carries its dedupe key so later calls can find it in the queue."""

    __slots__ = ("__qualname__", "args", "dedupe_key", "kwargs", "sent", "task_name")

    def __init__(self, task_name: str, args: tuple[Any, ...], kwargs: dict[str, Any], dedupe_key: str | None):
        self.task_name = task_name
        self.args = args
        self.kwargs = kwargs
        self.dedupe_key = dedupe_key
        self.sent = False
        # Django names a failing robust callback by its __qualname__ in the log.
        self.__qualname__ = f"enqueue({task_name!r})"

    def __call__(self) -> None:
        # Marked first: a callback that ran (or failed to reach the broker) no longer holds its key.
        self.sent = True
        send_now(self.task_name, *self.args, **self.kwargs)


def enqueue(task_name: str, *args: Any, dedupe_key: str | None = None, **kwargs: Any) -> None:
    """Queue ``task_name(*args, **kwargs)`` after the current transaction commits (at once outside one).

    With a ``dedupe_key``, a second call with the same key before the commit is dropped. A rolled-back
    transaction (or savepoint) drops its callbacks and with them their keys, so the next transaction
    queues again.
    """
    if dedupe_key is not None and _pending(dedupe_key):
        return
    transaction.on_commit(_Send(task_name, args, kwargs, dedupe_key), robust=True)


def send_now(task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send at once, not waiting for a commit (for tasks re-queueing themselves and periodic sweeps).

    With a broker the task goes to it by name, so a web process never imports the task modules. In
    eager mode (no broker: the demo and the tests) the registered task runs in place.
    """
    options: dict[str, Any] = {"queue": setting("CELERY_QUEUE")}
    if countdown is not None:
        options["countdown"] = countdown
    if current_app.conf.task_always_eager:
        _registered(task_name).apply_async(args=list(args), kwargs=kwargs, **options)
    else:
        current_app.send_task(task_name, args=list(args), kwargs=kwargs, **options)


def _registered(task_name: str) -> Any:
    tasks = current_app.tasks
    if task_name not in tasks:
        # Celery's autodiscovery is lazy: a worker runs it at start, an eager process only when asked.
        current_app.loader.import_default_modules()
    if task_name not in tasks:
        raise LookupError(f"No Celery task named {task_name!r} is registered (is saypro_invoicing installed?).")
    return tasks[task_name]


def _pending(dedupe_key: str) -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return False
    # Django keeps on-commit callbacks as (savepoint ids, callback, robust) and removes those of a
    # rolled-back savepoint, so the queue itself is the record of what this transaction will send.
    callbacks = (entry[1] for entry in connection.run_on_commit)
    return any(isinstance(callback, _Send) and not callback.sent and callback.dedupe_key == dedupe_key
               for callback in callbacks)


def plugin_task(name: TaskName, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare one of our tasks: registered under ``name``, run in the host's write context.

    The writer routing lives here, once, rather than in every task body: Saleor sends reads to
    replicas and a task that writes must say so. ``options`` are Celery's (``bind``, retry policy).
    """

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with writer():
                return func(*args, **kwargs)

        return shared_task(name=str(name), ignore_result=True, **options)(run)

    return decorate
