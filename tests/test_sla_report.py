"""The SLA report against figures worked out by hand from a fixture of orders spread over time.

Every timestamp below is explicit; the expected numbers are derived in the comments from those
timestamps, not from the code under test.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import graphene
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from freezegun import freeze_time

from saypro_invoicing import events
from saypro_invoicing.graphql.sla import SlaQueries
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import (
    BillingDocument,
    CorrectionRequest,
    DeliveryAttempt,
    DeliveryEvent,
    Reminder,
)
from saypro_invoicing.models.delivery import AttemptPurpose, AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.sla.deadlines import check_deadlines
from saypro_invoicing.sla.periods import parse_period
from saypro_invoicing.sla.report import build_report
from saypro_invoicing.sla.tasks import send_sla_report

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
ORDER_TOTAL = Decimal("69.38")  # sample order: 2 x 19.99 + 24.50 + 4.90 shipping


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def paid(at: datetime, *, snapshot=None, hook: bool = True):
    """Create and pay an order at ``at``; with ``hook`` its documents are issued then (not sent)."""
    with freeze_time(at):
        order = sample.create_order(snapshot, notify=False, created_at=at) if snapshot is None else \
            sample.create_order(snapshot, notify=False)
        sample.pay(str(order.id), notify=False, at=at)
        if hook:
            events.order_changed(str(order.id), send=False)
    return {d.type: d for d in BillingDocument.objects.filter(order_id=order.id)}


def confirmed(at: datetime):
    with freeze_time(at):
        order = sample.create_order(notify=False, created_at=at)
        sample.confirm(str(order.id), at=at, notify=False)
        events.order_changed(str(order.id), send=False)
    return BillingDocument.objects.get(order_id=order.id, type="invoice")


def accepted(document: BillingDocument, after: timedelta, **extra) -> None:
    BillingDocument.objects.filter(pk=document.pk).update(
        delivery_status=extra.pop("status", DeliveryStatus.SENT), accepted_at=document.event_at + after, **extra)


def attempt(document: BillingDocument, status: str, started: datetime, **extra) -> DeliveryAttempt:
    return DeliveryAttempt.objects.create(document=document, recipient="jane@example.com", status=status,
                                          started_at=started, **extra)


@pytest.fixture
def fixture(db, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "SLA_LOOKBACK_DAYS": 60}
    sample.ensure_channel(email_backend="django", invoice_trigger="confirmed")
    a = paid(t(11, 2, 10))
    b = paid(t(11, 5, 8))
    c = paid(t(11, 10))
    d = paid(t(11, 29, 23))  # deadline 30 Nov 23:00, after NOW: pending
    e = paid(t(10, 31, 23))  # before the period
    f_docs = paid(t(11, 20, 10), hook=False)  # hook missed: at the trigger without invoice
    with freeze_time(t(11, 18)):
        g = sample.create_order(notify=False, created_at=t(11, 18))  # unconfirmed, never paid
    held = dataclasses.replace(sample.build_snapshot(created_at=t(11, 15, 12)), total_gross=Decimal("1.00"))
    with freeze_time(t(11, 15, 12)):
        # Invoiced (trigger "confirmed") while the order's total was wrong: held by the gate. The total is
        # fixed before the payment, so the receipt adds up and is issued.
        order = sample.create_order(held, notify=False)
        sample.confirm(str(order.id), at=t(11, 15, 12), notify=False)
        events.order_changed(str(order.id), send=False)
        sample.update(str(order.id), notify=False, total_gross=ORDER_TOTAL)
        sample.pay(str(order.id), notify=False, at=t(11, 15, 12))
        events.order_changed(str(order.id), send=False)
    h = {d.type: d for d in BillingDocument.objects.filter(order_id=order.id)}
    u1, u2, u3, u4 = confirmed(t(10, 1)), confirmed(t(10, 20)), confirmed(t(8, 1)), confirmed(t(11, 12))
    assert f_docs == {} and h["invoice"].number is None

    accepted(a["invoice"], timedelta(hours=1))  # 3600 s
    accepted(a["receipt"], timedelta(hours=2))  # 7200 s
    accepted(b["invoice"], timedelta(hours=30))  # 108000 s: late
    accepted(b["receipt"], timedelta(minutes=20))  # 1200 s
    BillingDocument.objects.filter(pk=c["invoice"].pk).update(delivery_status=DeliveryStatus.BOUNCED,
                                                             bounced_at=t(11, 10, 1))
    accepted(c["receipt"], timedelta(hours=2, minutes=59), status=DeliveryStatus.DELIVERED,
             delivered_at=t(11, 10, 3))  # 10740 s
    accepted(h["receipt"], timedelta(hours=4))  # 14400 s
    accepted(e["invoice"], timedelta(hours=1))

    attempt(a["invoice"], AttemptStatus.SENT, t(11, 2, 10, 59))
    attempt(a["receipt"], AttemptStatus.SENT, t(11, 2, 11, 59))
    attempt(b["invoice"], AttemptStatus.DEFERRED, t(11, 5, 8, 1), next_retry_at=t(11, 6, 14))
    attempt(b["invoice"], AttemptStatus.SENT, t(11, 6, 13, 59), attempt_number=2)
    resend = attempt(a["invoice"], AttemptStatus.SENT, t(11, 3), purpose=AttemptPurpose.RESEND)
    DeliveryEvent.objects.create(document=a["invoice"], attempt=resend, event_type="bounced", occurred_at=t(11, 3, 1))
    attempt(c["invoice"], AttemptStatus.BOUNCED, t(11, 10, 0, 59))
    attempt(c["receipt"], AttemptStatus.SENT, t(11, 10, 2, 58))
    attempt(h["receipt"], AttemptStatus.SENT, t(11, 15, 15, 59))
    attempt(e["invoice"], AttemptStatus.SENT, t(10, 31, 23, 59))  # outside the period
    attempt(u4, AttemptStatus.FAILED, t(11, 12, 0, 5), error_code="invalid_configuration")
    attempt(b["receipt"], AttemptStatus.SENT, t(11, 5, 8, 19))
    attempt(c["invoice"], AttemptStatus.SENT, t(11, 10, 1, 30), channel="sms", purpose=AttemptPurpose.FALLBACK)

    CorrectionRequest.objects.create(document=a["invoice"], reason="VAT id", requested_at=t(11, 3, 10),
                                     resolved_at=t(11, 4, 9), status="approved")  # 23 h
    CorrectionRequest.objects.create(document=b["invoice"], reason="Company", requested_at=t(11, 6),
                                     resolved_at=t(11, 9), status="approved")  # 72 h
    CorrectionRequest.objects.create(document=c["invoice"], reason="Address", requested_at=t(11, 20))  # open, overdue
    CorrectionRequest.objects.create(document=d["invoice"], reason="Name", requested_at=t(11, 29))  # open, 36 h old
    CorrectionRequest.objects.create(document=e["invoice"], reason="Old", requested_at=t(10, 30))  # outside

    Reminder.objects.create(document=u2, step=1, days_after_due=1, sent_at=t(11, 4))
    Reminder.objects.create(document=u2, step=2, days_after_due=7, sent_at=t(11, 10))
    Reminder.objects.create(document=u1, step=3, days_after_due=14, sent_at=t(10, 29))  # outside
    Reminder.objects.create(document=u1, step=4, days_after_due=30)  # not sent

    with freeze_time(NOW):
        check_deadlines()
    return {"a": a, "b": b, "c": c, "d": d, "h": h, "g": g, "u": (u1, u2, u3, u4)}


def test_report_matches_hand_computed_figures(fixture):
    report = build_report(sample.DEFAULT_CHANNEL, START, END, now=NOW)

    # Invoices with event_at in November: A, B, C, D, H (held), U4 = 6; numbered: all but H.
    # Within 24 h: A only. Due (deadline passed or delivered): A, B, C, H, U4 = 5. Pending: D.
    inv = report.invoices
    assert (inv.documents, inv.issued, inv.held_for_review) == (6, 5, 1)
    assert (inv.due, inv.delivered_within_24h, inv.missed, inv.pending) == (5, 1, 4, 1)
    assert inv.percent_within_24h == 20.0
    # Receipts A, B, C, D, H: all due ones within 24 h (C counts by its first moment, 2 h 59 min).
    rec = report.receipts
    assert (rec.documents, rec.issued, rec.due, rec.delivered_within_24h, rec.pending) == (5, 5, 4, 4, 1)
    assert rec.percent_within_24h == 100.0

    # accepted_at - event_at: 1200, 3600, 7200, 10740, 14400, 108000 s.
    times = report.delivery_time
    assert times.count == 6
    assert times.average_seconds == 24190.0  # 145140 / 6
    assert times.p50_seconds == 7200  # nearest rank ceil(0.5 * 6) = 3rd
    assert times.p95_seconds == 108000  # ceil(0.95 * 6) = 6th
    assert times.max_seconds == 108000

    # Email attempts in November: 10 (E's is October). Accepted and not bounced later: 6; bounced: the
    # synchronous 550 and the resend with a bounce event = 2; failed 1; deferred 1 -> 6 / 9 final outcomes.
    email = next(c for c in report.delivery_channels if c.channel == "email")
    assert (email.attempts, email.accepted, email.bounced, email.failed, email.deferred) == (10, 6, 2, 1, 1)
    assert (email.success_rate, email.bounce_rate) == (66.67, 22.22)
    sms = next(c for c in report.delivery_channels if c.channel == "sms")
    assert (sms.attempts, sms.accepted, sms.success_rate, sms.bounce_rate) == (1, 1, 100.0, 0.0)

    # Gate checks in November: 2 each for A, B, C, D, H and 1 for U4 = 11; H's invoice failed.
    acc = report.accuracy
    assert (acc.gate_checks, acc.passed, acc.held_for_review, acc.still_held) == (11, 10, 1, 1)
    assert acc.accuracy_rate == 90.91

    # Corrections requested in November: 4; resolved 2, one within 48 h; C's open one is overdue, D's is not.
    cor = report.corrections
    assert (cor.requested, cor.resolved, cor.resolved_within_48h, cor.open) == (4, 2, 1, 2)
    assert cor.percent_resolved_within_48h == 33.33

    assert report.reminders_sent == 2
    # Due dates (14 days' terms) against NOW: U4 26 Nov -> 4 days; U2 3 Nov -> 27; U1 15 Oct -> 46; U3 15 Aug -> 107.
    assert report.unpaid_as_of == NOW
    assert [(b.label, b.count) for b in report.unpaid_invoices] == [("0-7", 1), ("8-30", 1), ("31-60", 1), ("61+", 1)]
    assert all(b.amounts[0].amount == ORDER_TOTAL and b.amounts[0].currency == "EUR" for b in report.unpaid_invoices)

    # At the invoice trigger in November: the six invoiced orders plus F, whose hook never ran.
    assert (report.orders_at_trigger, report.orders_at_trigger_without_invoice) == (7, 1)

    causes = {b.document_number or "held": b.cause for b in report.breaches}
    assert sorted(causes.values()) == ["bounced", "delivered_late", "failed", "held_for_review"]
    assert causes[fixture["b"]["invoice"].number] == "delivered_late"
    assert causes[fixture["c"]["invoice"].number] == "bounced"
    assert causes[fixture["u"][3].number] == "failed"
    assert [(c.cause, c.count) for c in report.breach_causes] == [
        ("bounced", 1), ("delivered_late", 1), ("failed", 1), ("held_for_review", 1)]

    kinds = sorted((m.kind, m.difference) for m in report.mismatches)
    assert kinds == [("charged_without_receipt", ORDER_TOTAL), ("invoiced_unpaid_past_terms", ORDER_TOTAL),
                     ("payment_pending_too_long", ORDER_TOTAL)]
    assert "within 24 h" in report.definition.lower() or "24 h" in report.definition


def test_report_command_formats(fixture):
    with freeze_time(NOW):
        out = StringIO()
        call_command("saypro_invoicing_report", "--period", "2026-11", "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        assert data["invoices"]["percent_within_24h"] == 20.0
        assert data["delivery_time"]["p50_seconds"] == 7200
        assert len(data["mismatches"]) == 3

        out = StringIO()
        call_command("saypro_invoicing_report", "--period", "2026-11-01..2026-11-30", "--format", "csv",
                     "--channel", sample.DEFAULT_CHANNEL, stdout=out)
        rows = {(r[0], r[1]): r[2] for r in (line.split(",", 2) for line in out.getvalue().splitlines()[1:])}
        assert rows[("receipts", "percent within 24h")] == "100"
        assert rows[("orders", "at trigger without invoice")] == "1"

        out = StringIO()
        call_command("saypro_invoicing_report", "--period", "2026-W46", stdout=out)  # 9-15 Nov: C and H
        assert "Definition: Delivered within 24 h" in out.getvalue()

        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="invalid_date_range"):
            call_command("saypro_invoicing_report", "--period", "2026-13", stdout=StringIO())


def test_weekly_and_monthly_email_to_staff_once(fixture, django_capture_on_commit_callbacks):
    with freeze_time(t(12, 1, 6, 30)), django_capture_on_commit_callbacks(execute=True):
        mail.outbox.clear()
        assert send_sla_report(period="previous-month") == 1
        assert send_sla_report(period="previous-month") == 0  # already sent for this period
    [message] = mail.outbox
    assert message.to == ["staff@shop.example"]
    # On 1 December D's deadline has passed too: invoices 1 of 6, receipts 4 of 5 within 24 h.
    assert "2026-11-01 to 2026-12-01: invoices 16.67%, receipts 80% delivered within 24 h" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == ["sla-report-default-channel-20261101-20261201.csv",
                     "sla-report-default-channel-20261101-20261201.json"]
    assert json.loads(message.attachments[1][1])["receipts"]["percent_within_24h"] == 80.0
    from saypro_invoicing.sla.beat import BEAT_SCHEDULE

    tasks = {entry["task"]: entry for entry in BEAT_SCHEDULE.values()}
    assert {"saypro_invoicing.sweep", "saypro_invoicing.send_sla_report"} <= set(tasks)
    periods = sorted(e["kwargs"]["period"] for e in BEAT_SCHEDULE.values() if "kwargs" in e)
    assert periods == ["previous-month", "previous-week"]


QUERY = """query($period: String!, $channel: String) {
  billingDocumentSlaReport(period: $period, channel: $channel) {
    ordersAtTrigger
    invoices { documents deliveredWithin24h percentWithin24h pending }
    receipts { percentWithin24h }
    deliveryTime { p50Seconds p95Seconds maxSeconds averageSeconds }
    deliveryChannels { channel successRate bounceRate }
    unpaidInvoices { label count amounts { amount currency } }
    breachCauses { cause count }
    mismatches { kind orderNumber difference { amount currency } }
  }
}"""


def execute(user, period: str = "2026-11", channel: str | None = None):
    request = RequestFactory().post("/graphql/")
    request.user = user
    schema = graphene.Schema(query=SlaQueries)
    with freeze_time(NOW):
        return schema.execute(QUERY, variables={"period": period, "channel": channel}, context_value=request)


def test_graphql_report_is_staff_only_and_mirrors_the_report(fixture):
    from django.contrib.auth.models import AnonymousUser

    staff = get_user_model().objects.create_user("staff", "staff@shop.example", "x")
    staff.user_permissions.add(Permission.objects.get(codename="manage_orders"))
    staff = get_user_model().objects.get(pk=staff.pk)
    customer = get_user_model().objects.create_user("jane", "jane@example.com", "x")

    for user in (AnonymousUser(), customer):
        result = execute(user)
        assert result.data["billingDocumentSlaReport"] is None
        assert result.errors[0].extensions["code"] == "PERMISSION_DENIED"

    result = execute(staff, period="November")
    assert result.errors[0].extensions == {"code": "INVALID_DATE_RANGE", "field": "period"}

    result = execute(staff, channel=sample.DEFAULT_CHANNEL)
    assert result.errors is None, result.errors
    data = result.data["billingDocumentSlaReport"]
    assert data["ordersAtTrigger"] == 7
    assert data["invoices"] == {"documents": 6, "deliveredWithin24h": 1, "percentWithin24h": 20.0, "pending": 1}
    assert data["receipts"] == {"percentWithin24h": 100.0}
    assert data["deliveryTime"] == {"p50Seconds": 7200.0, "p95Seconds": 108000.0, "maxSeconds": 108000.0,
                                    "averageSeconds": 24190.0}
    assert {"channel": "email", "successRate": 66.67, "bounceRate": 22.22} in data["deliveryChannels"]
    assert data["unpaidInvoices"][0] == {"label": "0-7", "count": 1,
                                         "amounts": [{"amount": 69.38, "currency": "EUR"}]}
    assert len(data["breachCauses"]) == 4
    assert {m["kind"] for m in data["mismatches"]} == {"charged_without_receipt", "invoiced_unpaid_past_terms",
                                                       "payment_pending_too_long"}


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ("2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ("2026-W47", datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)),
    ("2026-11-01..2026-11-30", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ("last-7-days", NOW - timedelta(days=7), NOW),
    ("previous-week", datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),
    ("previous-month", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
])
def test_period_forms(text, start, end):
    assert parse_period(text, now=NOW) == (start, end)


@pytest.mark.parametrize("text", ["", "2026-13", "2026-W54", "2026-11-30..2026-11-01", "last-0-days", "soon"])
def test_bad_periods_have_a_code(text):
    from saypro_invoicing.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_period(text, now=NOW)
    assert caught.value.code == "invalid_date_range" and caught.value.field == "period"


def test_standalone_schema_serves_the_query_over_http(fixture, client):
    from saypro_invoicing.hosts.sandbox.models import SandboxApp

    SandboxApp.objects.create(name="dashboard", token="sla-token", manage_orders=True)
    SandboxApp.objects.create(name="storefront", token="shop-token", manage_orders=False)
    body = {"query": "{ billingDocumentSlaReport(period: \"2026-11\") { ordersAtTrigger invoices { documents } } }"}
    with freeze_time(NOW):
        denied = client.post("/graphql/", body, content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer shop-token").json()
        allowed = client.post("/graphql/", body, content_type="application/json",
                              HTTP_AUTHORIZATION="Bearer sla-token").json()
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PERMISSION_DENIED"
    assert denied["data"]["billingDocumentSlaReport"] is None
    assert "errors" not in allowed
    assert allowed["data"]["billingDocumentSlaReport"] == {"ordersAtTrigger": 7, "invoices": {"documents": 6}}
