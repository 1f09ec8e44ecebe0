"""Task dispatch: queued by name after commit, never for a rollback, one task per dedupe key and transaction."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import transaction

from saypro_invoicing import dispatch
from saypro_invoicing.dispatch import TaskName, enqueue

pytestmark = pytest.mark.django_db(transaction=True)

RUNS: list[tuple] = []
RECORD = "tests.dispatch.record"


@shared_task(name=RECORD)
def record(*args, **kwargs) -> None:
    RUNS.append((args, kwargs))


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()
    yield
    RUNS.clear()


def test_outside_a_transaction_the_task_runs_at_once():
    enqueue(RECORD, "a", 1, flag=True)
    assert RUNS == [(("a", 1), {"flag": True})]


def test_inside_a_transaction_it_waits_for_the_commit():
    with transaction.atomic():
        enqueue(RECORD, "x")
        assert RUNS == []
    assert RUNS == [(("x",), {})]


def test_a_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(RECORD, "lost")
        raise RuntimeError
    assert RUNS == []


def test_identical_dedupe_keys_collapse_within_one_transaction():
    with transaction.atomic():
        enqueue(RECORD, "order-1", dedupe_key="order:1")
        enqueue(RECORD, "order-1", dedupe_key="order:1")
        enqueue(RECORD, "order-2", dedupe_key="order:2")
        enqueue(RECORD, "no key")
        enqueue(RECORD, "no key")
    assert [args for args, _ in RUNS] == [("order-1",), ("order-2",), ("no key",), ("no key",)]
    with transaction.atomic():
        enqueue(RECORD, "order-1", dedupe_key="order:1")  # a new transaction queues again
    assert len(RUNS) == 5


def test_a_rolled_back_savepoint_frees_its_key():
    with transaction.atomic():
        try:
            with transaction.atomic():
                enqueue(RECORD, "first", dedupe_key="k")
                raise RuntimeError
        except RuntimeError:
            pass
        enqueue(RECORD, "second", dedupe_key="k")
    assert RUNS == [(("second",), {})]


def test_a_failing_send_does_not_stop_the_callbacks_after_it():
    with transaction.atomic():
        enqueue("saypro_invoicing.no_such_task", "boom")
        enqueue(RECORD, "after")
    assert RUNS == [(("after",), {})]


def test_every_task_name_is_registered_by_the_task_modules():
    from celery import current_app

    current_app.loader.import_default_modules()
    assert {str(name) for name in TaskName} <= set(current_app.tasks)


def test_queue_comes_from_the_setting(settings, monkeypatch):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "CELERY_QUEUE": "billing"}
    seen = {}
    monkeypatch.setattr(record, "apply_async", lambda **options: seen.update(options))
    dispatch.send_now(RECORD, 1)
    assert seen == {"args": [1], "kwargs": {}, "queue": "billing"}
