"""The 24-hour promise per document: one warning at the channel's warning time, a breach with its cause after 24 h."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from saypro_invoicing import events
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt, SlaBreach, StaffAlert
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus, DocumentStatus
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.sla.deadlines import check_deadlines

PAID = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def shop(db):
    return sample.ensure_channel(email_backend="django")


def paid_order(*, snapshot=None, email="jane@example.com") -> dict[str, BillingDocument]:
    """An order paid at PAID whose documents are issued but whose delivery never happens."""
    with freeze_time(PAID):
        order = sample.create_order(snapshot, notify=False, email=email) if snapshot is None else \
            sample.create_order(snapshot, notify=False)
        sample.pay(str(order.id), notify=False)
        events.order_changed(str(order.id), send=False)
    return {d.type: d for d in BillingDocument.objects.filter(order_id=order.id)}


def at(hours: float, minutes: int = 0):
    return freeze_time(PAID + timedelta(hours=hours, minutes=minutes))


def alerts(kind: str) -> list[StaffAlert]:
    return list(StaffAlert.objects.filter(kind=kind))


def test_warning_once_at_20_hours_then_breach_after_24_with_cause(shop):
    documents = paid_order()
    with at(19, 59):
        assert check_deadlines().warned == 0
    with at(20):
        result = check_deadlines()
    assert result.warned == 2 and result.breached == 0
    assert {a.document_id for a in alerts(AlertKind.SLA_WARNING)} == {d.id for d in documents.values()}
    for document in documents.values():
        document.refresh_from_db()
        assert document.sla_warned_at == PAID + timedelta(hours=20)
    with at(22):
        assert check_deadlines() == type(result)(warned=0, breached=0)
    with at(23, 59):
        assert check_deadlines().breached == 0
    assert not SlaBreach.objects.exists()
    with at(24, 1):
        assert check_deadlines().breached == 2
    breaches = {b.document.type: b for b in SlaBreach.objects.select_related("document")}
    assert {b.cause for b in breaches.values()} == {"never_attempted"}
    assert breaches["invoice"].deadline_at == PAID + timedelta(hours=24)
    assert len(alerts(AlertKind.SLA_BREACH)) == 2
    assert len(alerts(AlertKind.SLA_WARNING)) == 2
    with at(30):
        assert check_deadlines().breached == 0
    assert SlaBreach.objects.count() == 2


def test_warning_time_follows_the_channel_configuration(shop):
    sample.ensure_channel(sla_warning_hours="18")
    paid_order()
    with at(17, 59):
        assert check_deadlines().warned == 0
    with at(18):
        assert check_deadlines().warned == 2


def test_delivered_documents_raise_nothing(shop):
    documents = paid_order()
    BillingDocument.objects.filter(pk__in=[d.pk for d in documents.values()]).update(
        delivery_status=DeliveryStatus.SENT, accepted_at=PAID + timedelta(hours=1))
    with at(20):
        assert check_deadlines().warned == 0
    with at(25):
        assert check_deadlines().breached == 0
    assert not StaffAlert.objects.exists()


def test_breach_causes(shop):
    held_snapshot = dataclasses.replace(sample.build_snapshot(email="held@example.com"), total_gross=Decimal("1.00"))
    held = paid_order(snapshot=held_snapshot)
    assert held["invoice"].status == DocumentStatus.NEEDS_REVIEW
    deferred = paid_order(email="deferred@example.com")["invoice"]
    DeliveryAttempt.objects.create(document=deferred, recipient="deferred@example.com", status=AttemptStatus.DEFERRED,
                                   error_code="smtp_451", response="451 4.7.1 Try again later",
                                   started_at=PAID + timedelta(minutes=1), next_retry_at=PAID + timedelta(hours=30))
    bounced = paid_order(email="gone@example.com")["invoice"]
    DeliveryAttempt.objects.create(document=bounced, recipient="gone@example.com", status=AttemptStatus.BOUNCED,
                                   response="550 5.1.1 No such user", started_at=PAID + timedelta(minutes=1))
    BillingDocument.objects.filter(pk=bounced.pk).update(delivery_status=DeliveryStatus.BOUNCED,
                                                         bounced_at=PAID + timedelta(minutes=1))
    # Accepted by the server, then an asynchronous bounce: not delivered.
    accepted_then_bounced = paid_order(email="later@example.com")["invoice"]
    DeliveryAttempt.objects.create(document=accepted_then_bounced, recipient="later@example.com",
                                   status=AttemptStatus.SENT, started_at=PAID + timedelta(minutes=1))
    BillingDocument.objects.filter(pk=accepted_then_bounced.pk).update(
        delivery_status=DeliveryStatus.BOUNCED, accepted_at=PAID + timedelta(minutes=1),
        bounced_at=PAID + timedelta(hours=2))
    late = paid_order(email="late@example.com")["invoice"]
    BillingDocument.objects.filter(pk=late.pk).update(delivery_status=DeliveryStatus.SENT,
                                                      accepted_at=PAID + timedelta(hours=25))

    with at(26):
        check_deadlines()

    causes = dict(SlaBreach.objects.filter(document__type="invoice").values_list("document_id", "cause"))
    assert causes[held["invoice"].id] == "held_for_review"
    assert causes[deferred.id] == "smtp_deferred"
    assert causes[bounced.id] == "bounced"
    assert causes[accepted_then_bounced.id] == "bounced"
    assert causes[late.id] == "delivered_late"
    detail = SlaBreach.objects.get(document=deferred).detail
    assert "451 4.7.1" in detail
    assert "total_gross: total_mismatch" in SlaBreach.objects.get(document=held["invoice"]).detail
