"""Transient failures: deferred with exponential backoff and jitter, retried when due, within 24 hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.delivery import retry
from saypro_invoicing.delivery.queue import retry_due
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt, StaffAlert
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.snapshot import DocumentType

DEFER = "defer"
pytestmark = pytest.mark.django_db
# The SMTP server's event loop keeps real time while the tests move the clock.
REAL_TIME = ["asyncio", "aiosmtpd", "selectors"]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def shop(smtp_server):
    # Invoices only: one chain of attempts per order keeps the timing assertions simple.
    return sample.ensure_channel(**smtp_server.channel_config(), issue_receipts=False)


def pay_new_order(capture, **kwargs) -> BillingDocument:
    order = sample.create_order(**kwargs)
    with capture(execute=True):
        sample.pay(str(order.id))
    return BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)


def attempts(document):
    return list(DeliveryAttempt.objects.filter(document=document).order_by("started_at", "id"))


def test_backoff_doubles_with_jitter_below_the_cap():
    config = ChannelConfig(retry_base_seconds=60, retry_max_seconds=14400)
    rng = random.Random(7)
    for n in range(1, 12):
        nominal = min(60 * 2 ** (n - 1), 14400)
        delay = retry.backoff_seconds(config, n, rng)
        assert nominal * (1 - retry.JITTER_FRACTION) <= delay <= nominal
    assert {retry.backoff_seconds(config, 3, random.Random(seed)) for seed in range(20)} != {240}


def test_retry_schedule_stays_inside_24_hours():
    config = ChannelConfig(retry_base_seconds=3600, retry_max_seconds=86400, retry_max_attempts=50)
    first = START
    now = first
    for n in range(1, 50):
        due = retry.next_retry_at(config, n, now=now, first_attempt_at=first)
        if due is None:
            break
        assert due <= first + timedelta(hours=24)
        now = due
    assert retry.next_retry_at(config, 10, now=first + timedelta(hours=24), first_attempt_at=first) is None


def test_transient_failures_are_classified():
    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"5.1.1 unknown")})
    assert retry.classify(refused).kind == retry.FailureKind.BOUNCE
    busy = smtplib.SMTPRecipientsRefused({"a@b.c": (451, b"try later")})
    assert retry.classify(busy).is_transient
    assert retry.classify(ConnectionRefusedError(111, "refused")).is_transient
    assert retry.classify(TimeoutError("timed out")).is_transient
    assert retry.classify(smtplib.SMTPServerDisconnected("gone")).is_transient
    assert retry.classify(smtplib.SMTPDataError(554, b"spam")).kind == retry.FailureKind.REJECTED
    assert retry.classify(smtplib.SMTPSenderRefused(553, b"bad sender", "x@y")).kind == retry.FailureKind.PERMANENT


def test_deferred_mail_is_retried_with_growing_intervals_until_accepted(shop, smtp_server,
                                                                        django_capture_on_commit_callbacks):
    smtp_server.defer_next("jane@example.com", 4)
    with freeze_time(START, ignore=REAL_TIME) as clock:
        invoice = pay_new_order(django_capture_on_commit_callbacks)
        [first] = attempts(invoice)
        assert first.status == AttemptStatus.DEFERRED and first.next_retry_at is not None
        assert first.response.startswith("451") and first.error_code == "smtp_451"
        invoice.refresh_from_db()
        assert invoice.delivery_status == DeliveryStatus.QUEUED and invoice.first_sent_at == START
        # Not due yet: the periodic task leaves it alone.
        clock.move_to(first.next_retry_at - timedelta(seconds=30))
        assert retry_due() == 0
        while (latest := attempts(invoice)[-1]).status == AttemptStatus.DEFERRED:
            clock.move_to(latest.next_retry_at)
            assert retry_due() == 1
    chain = attempts(invoice)
    assert [a.status for a in chain] == [AttemptStatus.DEFERRED] * 4 + [AttemptStatus.SENT]
    assert [a.attempt_number for a in chain] == [1, 2, 3, 4, 5]
    intervals = [(b.started_at - a.started_at).total_seconds() for a, b in zip(chain, chain[1:], strict=False)]
    assert all(later > earlier for earlier, later in zip(intervals, intervals[1:], strict=False)), intervals
    for n, interval in enumerate(intervals, start=1):
        assert 60 * 2 ** (n - 1) * 0.85 <= interval <= 60 * 2 ** (n - 1)
    assert chain[-1].started_at - chain[0].started_at < timedelta(hours=24)
    assert len(smtp_server.to("jane@example.com")) == 1
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.SENT and invoice.accepted_at == chain[-1].finished_at


def test_server_down_defers_and_the_retry_delivers(shop, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.stop()
    with freeze_time(START, ignore=REAL_TIME) as clock:
        invoice = pay_new_order(django_capture_on_commit_callbacks)
        [first] = attempts(invoice)
        assert first.status == AttemptStatus.DEFERRED
        assert "ConnectionRefusedError" in first.response or "refused" in first.response.lower()
        assert first.finished_at is not None and first.next_retry_at > first.finished_at
        smtp_server.start()
        clock.move_to(first.next_retry_at)
        assert retry_due() == 1
    assert [a.status for a in attempts(invoice)] == [AttemptStatus.DEFERRED, AttemptStatus.SENT]
    [mail] = smtp_server.to("jane@example.com")
    assert invoice.number in mail.pdf_text()


def test_attempts_exhausted_fail_alert_staff_and_stop(smtp_server, django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config(), issue_receipts=False, retry_max_attempts="3")
    smtp_server.set_rule("jane@example.com", DEFER)
    with freeze_time(START, ignore=REAL_TIME) as clock:
        invoice = pay_new_order(django_capture_on_commit_callbacks)
        for _ in range(5):
            latest = attempts(invoice)[-1]
            if latest.status != AttemptStatus.DEFERRED:
                break
            clock.move_to(latest.next_retry_at)
            with django_capture_on_commit_callbacks(execute=True):
                retry_due()
        clock.tick(timedelta(days=1))
        assert retry_due() == 0
    chain = attempts(invoice)
    assert [a.status for a in chain] == [AttemptStatus.DEFERRED, AttemptStatus.DEFERRED, AttemptStatus.FAILED]
    assert chain[-1].next_retry_at is None
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.FAILED and invoice.failed_at is not None
    alert = StaffAlert.objects.get(document=invoice, kind=AlertKind.DELIVERY_FAILED)
    assert alert.emailed_at is not None
    [staff_mail] = smtp_server.to("staff@shop.example")
    assert invoice.number in staff_mail.subject and "after 3 attempts" in staff_mail.part("text/plain")


def test_a_send_interrupted_by_a_crash_is_visible_and_retried_later(shop, smtp_server):
    from saypro_invoicing.delivery.attempts import STALE_SENDING, claim
    from saypro_invoicing.models.delivery import Channel

    order = sample.create_order()
    sample.pay(str(order.id), notify=False)
    from saypro_invoicing.events import order_changed

    with freeze_time(START, ignore=REAL_TIME) as clock:
        [invoice] = [r.document for r in order_changed(str(order.id), send=False)]
        # A worker claimed the send and died before finishing: the row says SENDING.
        crashed = claim(invoice, Channel.EMAIL, "document", invoice.customer_email, now=START)
        assert crashed.status == AttemptStatus.SENDING and crashed.finished_at is None
        assert retry_due() == 0  # another worker may still be at it
        clock.move_to(START + STALE_SENDING + timedelta(seconds=1))
        assert retry_due() == 1
    chain = attempts(invoice)
    assert [a.status for a in chain] == [AttemptStatus.DEFERRED, AttemptStatus.SENT]
    assert "Interrupted" in chain[0].response
    assert len(smtp_server.to("jane@example.com")) == 1
