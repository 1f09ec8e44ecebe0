"""End to end with a real Celery worker over Redis: the beat-scheduled sweep repairs missed hooks and
lost deliveries, the documents reach a real SMTP server once, and the staff report follows."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone

from saypro_invoicing import events
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditAction, AuditEntry, BillingDocument
from saypro_invoicing.models.documents import DeliveryStatus
from tests.smtp import smtp_server  # noqa: F401 - fixture

# Each test run (and each parallel checkout) gets its own Redis database through SAYPRO_E2E_BROKER.
BROKER = os.environ.get("SAYPRO_E2E_BROKER", "redis://127.0.0.1:6379/5")
QUEUE = "saypro_invoicing"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    redis.Redis.from_url(BROKER).flushdb()  # this suite's own Redis database: no leftovers from other runs
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "SAYPRO_TEST_BROKER": BROKER,
           "SAYPRO_DB_NAME": connection.settings_dict["NAME"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "saypro_invoicing.hosts.sandbox.worker", "worker", "-Q", QUEUE,
         "-P", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        env=env, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Not the current app: later tests in this process keep the eager sandbox app.
    producer = Celery(broker=BROKER, set_as_current=False)
    try:
        yield producer
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()


def test_beat_sweep_on_a_real_worker_repairs_and_never_duplicates(worker, smtp_server):  # noqa: F811
    sample.ensure_channel(**smtp_server.channel_config(), sweeper_grace_minutes="0")
    paid_at = timezone.now() - timedelta(hours=1)
    missed = sample.create_order(notify=False, created_at=paid_at, email="missed@example.com")
    sample.pay(str(missed.id), at=paid_at, notify=False)  # the hook never ran
    lost = sample.create_order(notify=False, created_at=paid_at, email="lost@example.com")
    sample.pay(str(lost.id), at=paid_at, notify=False)
    events.order_changed(str(lost.id), send=False)  # issued; the delivery task was lost with its worker

    worker.send_task("saypro_invoicing.sweep", queue=QUEUE)
    received = smtp_server.wait_for(4, timeout=120)
    assert sorted(m.rcpt_tos[0] for m in received) == ["lost@example.com"] * 2 + ["missed@example.com"] * 2
    numbers = {d.number for d in BillingDocument.objects.all()}
    assert all(any(n in m.pdf_text() for n in numbers) for m in received)

    # A second sweep, then the report: the solo worker takes them in order, so once the report is in, the
    # sweep has finished; it must have issued nothing and re-queued nothing (the audit trail says so).
    worker.send_task("saypro_invoicing.sweep", queue=QUEUE)
    worker.send_task("saypro_invoicing.send_sla_report", kwargs={"period": "last-1-days"}, queue=QUEUE)
    received = smtp_server.wait_for(5, timeout=120)
    assert AuditEntry.objects.filter(action=AuditAction.SWEEPER_REQUEUED).count() == 2  # the first sweep's two, no more
    report = received[4]
    assert report.rcpt_tos == ["staff@shop.example"] and "receipts" in report.subject
    documents = BillingDocument.objects.all()
    assert documents.count() == 4
    assert {d.delivery_status for d in documents} == {DeliveryStatus.SENT}
