"""Issue 11 outside GraphQL: ESP webhooks, host data, the sweeper with a broken channel, customers' resend limits."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from saypro_invoicing import events
from saypro_invoicing.delivery.resend import RateLimited, resend
from saypro_invoicing.errors import ErrorCode, ValidationError
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import (
    AuditEntry,
    BillingDocument,
    DeliveryAttempt,
    DeliveryEvent,
    StaffAlert,
    Suppression,
)
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.sanitize import clean_snapshot
from saypro_invoicing.sla.sweeper import sweep
from saypro_invoicing.snapshot import Address, DocumentType

pytestmark = pytest.mark.django_db
WEBHOOK = "/plugins/channel/default-channel/saypro.invoicing/tracking/{esp}/"
SECRET = "anymail:s3cret-hook"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


@pytest.fixture
def sent(channel):
    """An issued invoice with one SENT attempt to jane@example.com, as the SMTP backend records it."""
    order = sample.create_order(email="jane@example.com")
    sample.pay(str(order.id))
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    attempt = DeliveryAttempt.objects.create(document=invoice, recipient="jane@example.com", status=AttemptStatus.SENT,
                                             provider_message_id="<inv-1@shop.example>", started_at=timezone.now())
    return attempt


def postmark_bounce(message_id: str, email: str, **extra) -> dict:
    return {"RecordType": "Bounce", "Type": "HardBounce", "ID": 7, "MessageID": message_id, "Email": email,
            "BouncedAt": "2026-03-02T09:05:00Z", "Details": "smtp;550 5.1.1", "Metadata": {}, **extra}


# --- webhooks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ["postmark", "sendgrid", "brevo", "mailjet", "sparkpost", "mailtrap"])
@pytest.mark.parametrize("body", [b"", b"{", b"null", b'"text"', b"[1, 2]", b"\xff\xfe"])
def test_malformed_bodies_get_400(client, settings, esp, body):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILTRAP_WEBHOOK_SECRET": "k"}
    response = client.post(WEBHOOK.format(esp=esp), data=body, content_type="application/json", **AUTH)
    # (Mailtrap checks its signature first: an unsigned body is refused as such, with 400 too.)
    assert response.status_code == 400


@pytest.mark.parametrize("anymail, esp", [({}, "postmark"), ({"WEBHOOK_SECRET": SECRET}, "mandrill"),
                                          ({"WEBHOOK_SECRET": SECRET}, "mailgun"),
                                          ({"WEBHOOK_SECRET": SECRET}, "postal")])
def test_missing_secret_or_signing_key_is_403_with_a_configuration_warning(client, settings, caplog, anymail, esp):
    settings.ANYMAIL = anymail
    with caplog.at_level(logging.WARNING, logger="saypro_invoicing"):
        response = client.post(WEBHOOK.format(esp=esp), data=b"{}", content_type="application/json", **AUTH)
    assert response.status_code == 403
    assert any("configuration" in r.getMessage() and esp in r.getMessage() for r in caplog.records)


def test_event_for_an_unknown_message_is_ignored_with_200(client, settings, sent):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post(WEBHOOK.format(esp="postmark"), content_type="application/json", **AUTH,
                           data=json.dumps(postmark_bounce("<nobody@else>", "jane@example.com")))
    assert response.status_code == 200
    assert not DeliveryEvent.objects.exists() and not Suppression.objects.exists()


def test_a_bounce_naming_another_address_changes_nothing(client, settings, sent):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post(WEBHOOK.format(esp="postmark"), content_type="application/json", **AUTH,
                           data=json.dumps(postmark_bounce(sent.provider_message_id, "victim@example.org")))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == AttemptStatus.SENT
    assert not Suppression.objects.exists()  # neither the named address nor the attempt's own
    assert DeliveryEvent.objects.get().recipient == "victim@example.org"  # recorded for staff to see
    assert sent.document.delivery_status != DeliveryStatus.BOUNCED


def test_a_bounce_of_the_attempts_own_recipient_suppresses_only_that_address(client, settings, sent):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post(WEBHOOK.format(esp="postmark"), content_type="application/json", **AUTH,
                           data=json.dumps(postmark_bounce(sent.provider_message_id, "JANE@example.com")))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == AttemptStatus.BOUNCED
    assert list(Suppression.objects.values_list("address", flat=True)) == ["jane@example.com"]


def test_nul_bytes_and_odd_types_in_an_event_are_stored_cleaned(client, settings, sent):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    body = postmark_bounce(sent.provider_message_id, "jane@example.com", Details="smtp;550\u0000 no",
                           Description=["a", "list"], Metadata={"saypro_attempt": "9" * 40, "k\u0000": "v\u0000"})
    response = client.post(WEBHOOK.format(esp="postmark"), content_type="application/json", **AUTH,
                           data=json.dumps(body))
    assert response.status_code == 200
    event = DeliveryEvent.objects.get()
    assert "\x00" not in event.description and "\x00" not in json.dumps(event.payload)


# --- host data ---------------------------------------------------------------------------------------------------


def test_clean_snapshot_walks_every_text_field():
    snapshot = sample.build_snapshot(email="ja\x00ne@example.com", number="A\x00-1",
                                     billing_address=Address(first_name="Jo\x1bhn", city="Ber\ud800lin"))
    snapshot = dataclasses.replace(snapshot, order_id="o-1", customer_note="x" * 10_000,
                                   lines=(dataclasses.replace(snapshot.lines[0], product_name="Shirt\x00\x07"),
                                          snapshot.lines[1]),
                                   created_at=datetime(2026, 11, 1, 12, 0))  # naive
    cleaned = clean_snapshot(snapshot)
    assert cleaned.customer_email == "jane@example.com" and cleaned.order_number == "A-1"
    assert cleaned.billing_address.first_name == "John" and cleaned.billing_address.city == "Ber\ufffdlin"
    assert cleaned.lines[0].product_name == "Shirt" and len(cleaned.customer_note) == 4000
    assert cleaned.created_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert cleaned.lines[1] is snapshot.lines[1]  # untouched parts are the same objects
    assert clean_snapshot(cleaned) is cleaned


def test_values_longer_than_their_column_are_emptied_or_cut():
    snapshot = dataclasses.replace(sample.build_snapshot(email="x" * 300 + "@example.com", user_id="u" * 80),
                                   order_id="o-2", order_number="N" * 80, currency="EURO")
    cleaned = clean_snapshot(snapshot)
    assert (cleaned.customer_email, cleaned.customer_user_id, cleaned.currency) == ("", "", "")
    assert cleaned.order_number == "N" * 64


def test_long_references_keep_trigger_keys_short_and_distinct():
    snapshot = dataclasses.replace(sample.build_snapshot(), order_id="o" * 64)
    at = timezone.now()
    from saypro_invoicing.snapshot import Payment

    long_a, long_b = "r" * 300 + "a", "r" * 300 + "b"
    snapshot = dataclasses.replace(snapshot, payments=(Payment(reference=long_a, amount=1, captured_at=at),
                                                       Payment(reference=long_b, amount=1, captured_at=at)))
    first, second = (p.reference for p in clean_snapshot(snapshot).payments)
    assert len(first) == 128 and first != second
    assert first == next(p.reference for p in clean_snapshot(snapshot).payments)  # stable across calls
    assert len(f"{snapshot.order_id}:credit_note:refund:{first}") <= 255


@pytest.mark.parametrize("field, value", [("order_id", "o\x00"), ("order_id", "o" * 65), ("channel", "c" * 129),
                                          ("order_id", "  ")])
def test_unusable_identity_is_refused_with_a_code(field, value):
    snapshot = dataclasses.replace(sample.build_snapshot(), **{"order_id": "o-3", field: value})
    with pytest.raises(ValidationError) as caught:
        clean_snapshot(snapshot)
    assert caught.value.code == ErrorCode.INVALID and caught.value.field == field


def test_hostile_host_data_is_issued_cleaned_or_held_never_a_database_error(channel):
    at = timezone.now() - timedelta(minutes=5)
    base = sample.build_snapshot(email="ja\x00ne@example.com", number="H-\x00-1",
                                 billing_address=Address(first_name="\x00" * 5000, last_name="Doe", country="DE"))
    from saypro_invoicing.snapshot import Payment

    paid = dataclasses.replace(base, order_id=str(uuid.uuid4()), status="unfulfilled", charge_status="full",
                               total_charged=base.total_gross, paid_at=at, confirmed_at=at,
                               payments=(Payment(reference="t1", amount=base.total_gross, captured_at=at),))
    results = events.snapshot_changed(paid, send=False)
    assert results and all(r.created for r in results)
    for result in results:
        document = BillingDocument.objects.get(pk=result.document.pk)
        assert document.customer_email == "jane@example.com" and document.order_number == "H--1"
    held = events.snapshot_changed(dataclasses.replace(paid, order_id=str(uuid.uuid4()), currency="EURO"), send=False)
    assert held and all(r.document.status == "needs_review" for r in held)


# --- sweeper -----------------------------------------------------------------------------------------------------


def test_a_channel_with_broken_configuration_is_reported_once_and_skipped(channel, django_capture_on_commit_callbacks):
    sample.ensure_channel("broken-channel", invoice_trigger="whenever", payment_terms_days="many")
    old = timezone.now() - timedelta(hours=2)
    order = sample.create_order(created_at=old, notify=False)  # a missed hook in the healthy channel
    sample.pay(str(order.id), at=old, notify=False)
    from saypro_invoicing.hosts.sandbox.models import SandboxOrder

    SandboxOrder.objects.filter(pk=order.id).update(updated_at=old)
    first = sweep()
    assert first.documents_issued >= 1  # the healthy channel was swept
    alerts = StaffAlert.objects.filter(kind=AlertKind.HOOK_FAILED, channel="broken-channel")
    assert alerts.count() == 1 and "configuration" in alerts.get().message
    sweep()
    assert alerts.count() == 1  # reported once, not every five minutes


# --- customers' resends ------------------------------------------------------------------------------------------

RESEND = "mutation($id: ID!) { billingDocumentResend(id: $id) { errors { field code } } }"


def test_customer_resends_are_limited_per_document_staff_are_not(shop, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "RESEND_LIMIT_PER_DOCUMENT": 2,
                                 "RESEND_LIMIT_PER_CUSTOMER": 10}
    document_id = global_id("BillingDocument", shop.docs["a_invoice"].id)
    customer, staff = shop.caller("customer_a"), shop.caller("staff")
    answers = [customer.gql(RESEND, {"id": document_id})["data"]["billingDocumentResend"]["errors"]
               for _ in range(3)]
    assert answers[:2] == [[], []]
    assert answers[2] == [{"field": "id", "code": "RATE_LIMITED"}]
    for _ in range(4):
        assert staff.gql(RESEND, {"id": document_id})["data"]["billingDocumentResend"]["errors"] == []
    assert AuditEntry.objects.filter(action="resend", details__customer=True).count() == 2


def test_customer_resends_are_limited_per_customer_over_documents(shop, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "RESEND_LIMIT_PER_DOCUMENT": 5,
                                 "RESEND_LIMIT_PER_CUSTOMER": 3}
    customer = shop.caller("customer_a")
    ids = [global_id("BillingDocument", shop.docs[k].id) for k in ("a_invoice", "a_receipt")]
    answers = [customer.gql(RESEND, {"id": ids[i % 2]})["data"]["billingDocumentResend"]["errors"] for i in range(4)]
    assert answers == [[], [], [], [{"field": "id", "code": "RATE_LIMITED"}]]


def test_the_window_ends_and_zero_turns_a_limit_off(shop, settings):
    document = shop.docs["a_invoice"]
    user = str(shop.users["customer_a"].pk)
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "RESEND_LIMIT_PER_DOCUMENT": 1,
                                 "RESEND_LIMIT_PER_CUSTOMER": 0, "RESEND_LIMIT_WINDOW_SECONDS": 60}
    resend(document, requested_by=user, customer=True)
    with pytest.raises(RateLimited):
        resend(document, requested_by=user, customer=True)
    AuditEntry.objects.filter(action="resend").update(created_at=timezone.now() - timedelta(minutes=2))
    assert resend(document, requested_by=user, customer=True).queued
