"""End to end with a real Celery worker over Redis: order paid -> documents issued -> emails received.

The worker is a separate process on the same test database and private storage as the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.snapshot import DocumentType

BROKER = os.environ.get("SAYPRO_E2E_BROKER", "redis://127.0.0.1:6379/3")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def broker():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {BROKER}")
    client.flushdb()  # nothing left over from an earlier run reaches this worker
    yield BROKER
    client.flushdb()
    client.close()


@pytest.fixture
def celery_to_broker(broker):
    """This process publishes to Redis instead of running tasks eagerly, for the duration of the test."""
    from celery import current_app

    # The app reads Django's CELERY_* settings: the namespaced keys are the ones that count.
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")
    saved = {key: current_app.conf.get(key) for key in keys}
    current_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker)
    _forget_connections(current_app)
    assert not current_app.conf.task_always_eager and current_app.conf.broker_url == broker
    yield current_app
    _forget_connections(current_app)
    current_app.conf.update(saved)
    assert current_app.conf.task_always_eager


def _forget_connections(app) -> None:
    # Pools are made on first use with the broker URL of that moment (none, in eager tests).
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools per connection globally: a second test would get the closed one.
    from kombu import pools

    pools.reset()


@pytest.fixture
def worker(broker, celery_to_broker, settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SAYPRO_TEST_BROKER": broker,
        "SAYPRO_DB_NAME": connection.settings_dict["NAME"],  # the test database, test_<name>
        "SAYPRO_PRIVATE_ROOT": settings.SAYPRO_INVOICING["PRIVATE_ROOT"],
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "celery", "-A", "saypro_invoicing.hosts.sandbox.worker", "worker",
               "-Q", "saypro_invoicing", "-c", "2", "--pool", "prefork", "--loglevel", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"e2e-{os.getpid()}@%h"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        # The worker and its pool children share the session we started: stop them all, surely.
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
                process.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        output = process.stdout.read().decode(errors="replace") if process.stdout else ""
        process.stdout and process.stdout.close()
        if output.strip():
            print("--- celery worker output ---\n" + output[-5000:])


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_paid_order_reaches_the_inbox_through_a_real_worker(worker, smtp_server):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # this process alone would run tasks inline; the fixture changed that
    sample.ensure_channel(**smtp_server.channel_config())
    order = sample.create_order(email="e2e@example.com")
    sample.pay(str(order.id))  # issues invoice and receipt; delivery is queued to Redis on commit
    documents = {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.id))}
    assert set(documents) == {DocumentType.INVOICE, DocumentType.RECEIPT}
    assert not any(d.pdf for d in documents.values())  # rendering happens in the worker

    received = smtp_server.wait_for(2, timeout=120)
    assert worker.poll() is None, "the worker exited"
    assert len(received) == 2, "the worker did not deliver both documents in time"
    by_subject = {m.subject: m for m in received}
    for doc_type, label in ((DocumentType.INVOICE, "invoice"), (DocumentType.RECEIPT, "receipt")):
        mail = by_subject[f"Your {label} from SayPro Demo Shop – Order #{order.number}"]
        assert mail.rcpt_tos == ["e2e@example.com"]
        assert documents[doc_type].number in mail.pdf_text()
        assert documents[doc_type].number in mail.part("text/plain")
    for document in documents.values():
        attempt = DeliveryAttempt.objects.get(document=document)
        assert attempt.status == AttemptStatus.SENT and attempt.response.startswith("250")
        document.refresh_from_db()
        assert document.delivery_status == DeliveryStatus.SENT and document.pdf_sha256
        assert (Path(settings.SAYPRO_INVOICING["PRIVATE_ROOT"]) / document.pdf.name).is_file()
