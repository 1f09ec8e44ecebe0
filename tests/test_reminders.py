"""Reminders for unpaid invoices across time (freezegun), against the loopback SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from saypro_invoicing.delivery.beat import BEAT_SCHEDULE
from saypro_invoicing.delivery.reminders import send_due_reminders
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt, Reminder
from saypro_invoicing.models.delivery import AttemptPurpose, AttemptStatus
from saypro_invoicing.models.documents import PaymentStatus
from saypro_invoicing.snapshot import DocumentType

DEFER = "defer"
pytestmark = pytest.mark.django_db
REAL_TIME = ["asyncio", "aiosmtpd", "selectors"]
ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = ISSUED + timedelta(days=14)


@pytest.fixture
def shop(smtp_server):
    return sample.ensure_channel(**smtp_server.channel_config(), invoice_trigger="confirmed")


@pytest.fixture
def invoice(shop, django_capture_on_commit_callbacks):
    with freeze_time(ISSUED, ignore=REAL_TIME):
        order = sample.create_order(email="jane@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            sample.confirm(str(order.id))
    document = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    assert document.due_at == DUE and document.payment_status == PaymentStatus.UNPAID
    return document


def reminders(smtp_server):
    return [m for m in smtp_server.messages if m.subject.startswith("Payment reminder")]


def run_at(moment: datetime) -> int:
    with freeze_time(moment, ignore=REAL_TIME):
        return send_due_reminders()


def test_reminders_follow_the_schedule_up_to_the_maximum(invoice, smtp_server):
    assert len(smtp_server.messages) == 1  # the invoice itself
    assert run_at(DUE - timedelta(hours=1)) == 0
    assert run_at(DUE + timedelta(hours=23)) == 0  # the first reminder is one day after the due date
    assert run_at(DUE + timedelta(days=1)) == 1
    assert run_at(DUE + timedelta(days=1, hours=6)) == 0  # once per step, however often the task runs
    assert run_at(DUE + timedelta(days=6)) == 0
    assert run_at(DUE + timedelta(days=7)) == 1
    assert run_at(DUE + timedelta(days=14)) == 1
    assert run_at(DUE + timedelta(days=30)) == 0  # three reminders is the maximum
    assert list(Reminder.objects.filter(document=invoice).order_by("step").values_list("step", "days_after_due")) == [
        (1, 1), (2, 7), (3, 14)]
    invoice.refresh_from_db()
    assert invoice.reminder_count == 3
    mails = reminders(smtp_server)
    assert len(mails) == 3
    first = mails[0]
    assert first.subject == (f"Payment reminder: invoice {invoice.number} from SayPro Demo Shop – "
                             f"Order #{invoice.order_number}")
    assert first.rcpt_tos == ["jane@example.com"]
    text, html = first.part("text/plain"), first.part("text/html")
    assert "Amount due: €69.38" in text and "€69.38" in html
    assert f"https://shop.example/pay/{invoice.order_id}" in text and "IBAN DE02 1203 0000 0000 2020 51" in text
    assert "Please pay by March 24, 2026." in text  # seven days after the reminder
    assert "due on March 16, 2026" in text and "support@shop.example" in text
    assert invoice.number in first.pdf_text()
    attempts = DeliveryAttempt.objects.filter(document=invoice, purpose=AttemptPurpose.REMINDER)
    assert attempts.count() == 3 and set(attempts.values_list("status", flat=True)) == {AttemptStatus.SENT}


def test_missed_runs_send_one_reminder_not_a_burst(invoice, smtp_server, shop):
    sample.ensure_channel(reminder_max_count="2")
    assert run_at(DUE + timedelta(days=10)) == 1
    assert list(Reminder.objects.filter(document=invoice).values_list("step", flat=True)) == [2]
    assert run_at(DUE + timedelta(days=20)) == 0  # max count 2: step 3 is not scheduled
    assert len(reminders(smtp_server)) == 1


def test_payment_arriving_stops_reminders_even_when_the_hook_was_missed(invoice, smtp_server):
    assert run_at(DUE + timedelta(days=1)) == 1
    with freeze_time(DUE + timedelta(days=3), ignore=REAL_TIME):
        sample.pay(invoice.order_id, notify=False)
    assert run_at(DUE + timedelta(days=7)) == 0
    invoice.refresh_from_db()
    assert invoice.payment_status == PaymentStatus.PAID and invoice.reminder_count == 1
    assert run_at(DUE + timedelta(days=14)) == 0
    assert len(reminders(smtp_server)) == 1


def test_partial_payment_reminds_of_the_rest(invoice, smtp_server, django_capture_on_commit_callbacks):
    with freeze_time(DUE - timedelta(days=2), ignore=REAL_TIME), django_capture_on_commit_callbacks(execute=True):
        sample.pay(invoice.order_id, "20.00")
    assert run_at(DUE + timedelta(days=1)) == 1
    [mail] = reminders(smtp_server)
    assert "Amount due: €49.38" in mail.part("text/plain")


@pytest.mark.parametrize("how", ["cancelled", "cancelled_unnoticed", "refunded_unnoticed"])
def test_never_for_cancelled_or_refunded_orders(invoice, smtp_server, how, django_capture_on_commit_callbacks):
    with freeze_time(DUE - timedelta(days=1), ignore=REAL_TIME), django_capture_on_commit_callbacks(execute=True):
        if how == "cancelled":
            sample.cancel(invoice.order_id)  # a credit note cancels the invoice
        elif how == "cancelled_unnoticed":
            sample.cancel(invoice.order_id, notify=False)
        else:
            sample.update(invoice.order_id, notify=False, total_refunded=invoice.total)
    for days in (1, 7, 14):
        assert run_at(DUE + timedelta(days=days)) == 0
    assert reminders(smtp_server) == []
    assert not Reminder.objects.exists()


def test_a_deferred_reminder_is_sent_on_a_later_run(invoice, smtp_server):
    smtp_server.set_rule("jane@example.com", DEFER)
    assert run_at(DUE + timedelta(days=1)) == 0
    reminder = Reminder.objects.get(document=invoice)
    assert reminder.sent_at is None and reminder.attempt.status == AttemptStatus.DEFERRED
    smtp_server.accept_all()
    assert run_at(DUE + timedelta(days=1, minutes=30)) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.attempt.status == AttemptStatus.SENT
    assert len(reminders(smtp_server)) == 1


def test_management_command_and_beat_entry(invoice, smtp_server, capsys):
    with freeze_time(DUE + timedelta(days=1), ignore=REAL_TIME):
        call_command("saypro_invoicing_send_reminders")
    assert "Reminders sent: 1" in capsys.readouterr().out
    assert len(reminders(smtp_server)) == 1
    entry = BEAT_SCHEDULE["saypro-invoicing-send-due-reminders"]
    assert entry["task"] == "saypro_invoicing.send_due_reminders" and entry["options"]["queue"] == "saypro_invoicing"
    from celery import current_app

    assert "saypro_invoicing.send_due_reminders" in current_app.tasks
    assert "saypro_invoicing.retry_due_deliveries" in current_app.tasks
