"""Permanent failures: SMTP 5xx and ESP tracking webhooks -> BOUNCED, suppression, staff alert, fallback."""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.auth import get_user_model

from saypro_invoicing.delivery.resend import clear_suppression, resend
from saypro_invoicing.errors import ErrorCode
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt, DeliveryEvent, StaffAlert, Suppression
from saypro_invoicing.models.delivery import AttemptPurpose, AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.snapshot import DocumentType

ACCEPT = "accept"
REJECT = "reject"
pytestmark = pytest.mark.django_db
WEBHOOK = "/plugins/channel/default-channel/saypro.invoicing/tracking/{esp}/"
SECRET = "anymail:s3cret-hook"


@pytest.fixture
def shop(smtp_server):
    return sample.ensure_channel(**smtp_server.channel_config())


@pytest.fixture
def customer(db):
    return get_user_model().objects.create_user(username="jane", email="Jane.Account@example.com")


def pay_new_order(capture, **kwargs):
    order = sample.create_order(**kwargs)
    with capture(execute=True):
        sample.pay(str(order.id))
    return {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.id))}


def test_rejected_recipient_bounces_suppresses_alerts_and_falls_back(shop, smtp_server, customer,
                                                                      django_capture_on_commit_callbacks):
    smtp_server.set_rule("jane@example.com", REJECT)
    documents = pay_new_order(django_capture_on_commit_callbacks, user_id=str(customer.pk))
    # The receipt is issued and sent first: its 550 bounces and suppresses the address.
    receipt, invoice = documents[DocumentType.RECEIPT], documents[DocumentType.INVOICE]
    first, fallback = DeliveryAttempt.objects.filter(document=receipt).order_by("started_at", "id")
    assert (first.purpose, first.status, first.error_code) == (AttemptPurpose.DOCUMENT, AttemptStatus.BOUNCED,
                                                               "smtp_550")
    assert first.response.startswith("550 5.1.1")
    assert (fallback.purpose, fallback.status, fallback.recipient) == (AttemptPurpose.FALLBACK, AttemptStatus.SENT,
                                                                       "jane.account@example.com")
    receipt.refresh_from_db()
    # The fallback's acceptance is newer than the bounce: the customer has the document again.
    assert receipt.delivery_status == DeliveryStatus.SENT
    assert receipt.bounced_at is not None and receipt.accepted_at == fallback.finished_at
    assert Suppression.objects.get(address="jane@example.com", cleared_at__isnull=True).reason == "hard_bounce"
    # The invoice, a moment later, is not even tried on the suppressed address and goes to the account's.
    suppressed, invoice_fallback = DeliveryAttempt.objects.filter(document=invoice).order_by("started_at", "id")
    assert (suppressed.status, suppressed.error_code) == (AttemptStatus.SUPPRESSED, ErrorCode.SUPPRESSED)
    assert (invoice_fallback.status, invoice_fallback.recipient) == (AttemptStatus.SENT, "jane.account@example.com")
    assert [action for address, action in smtp_server.rcpt_log if address == "jane@example.com"] == [REJECT]
    fallback_mails = smtp_server.to("jane.account@example.com")
    assert len(fallback_mails) == 2
    assert sorted(m.pdf_text().count(invoice.number) > 0 for m in fallback_mails) == [False, True]
    # Staff are alerted by email, once per document.
    assert set(StaffAlert.objects.values_list("kind", "document")) == {
        (AlertKind.BOUNCED, receipt.pk), (AlertKind.DELIVERY_FAILED, invoice.pk)}
    staff = smtp_server.to("staff@shop.example")
    assert len(staff) == 2
    [receipt_alert] = [m for m in staff if receipt.number in m.subject]
    assert "Delivery bounced" in receipt_alert.subject and "550 5.1.1" in receipt_alert.part("text/plain")

    # Later orders to the suppressed address are not mailed there at all.
    smtp_server.set_rule("jane@example.com", ACCEPT)
    later = pay_new_order(django_capture_on_commit_callbacks, user_id=str(customer.pk))[DocumentType.INVOICE]
    assert DeliveryAttempt.objects.get(document=later, purpose=AttemptPurpose.DOCUMENT).status == (
        AttemptStatus.SUPPRESSED)
    assert len(smtp_server.to("jane@example.com")) == 0
    assert later.number in "".join(m.pdf_text() for m in smtp_server.to("jane.account@example.com"))


def test_resend_to_a_suppressed_address_is_recorded_until_staff_clear_it(shop, smtp_server,
                                                                          django_capture_on_commit_callbacks):
    smtp_server.set_rule("jane@example.com", REJECT)
    invoice = pay_new_order(django_capture_on_commit_callbacks)[DocumentType.INVOICE]
    smtp_server.set_rule("jane@example.com", ACCEPT)
    with django_capture_on_commit_callbacks(execute=True):
        result = resend(invoice, requested_by="staff:1")
    assert not result.queued and result.error_code == ErrorCode.SUPPRESSED
    assert result.attempt.status == AttemptStatus.SUPPRESSED and result.attempt.purpose == AttemptPurpose.RESEND
    assert smtp_server.to("jane@example.com") == []
    assert clear_suppression("JANE@example.com", by="staff:1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        result = resend(invoice, requested_by="staff:1")
    assert result.queued
    [mail] = smtp_server.to("jane@example.com")
    assert invoice.number in mail.pdf_text()
    assert Suppression.objects.get(address="jane@example.com").cleared_by == "staff:1"


def test_guest_without_another_address_stays_bounced(shop, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.reject_all()
    smtp_server.set_rule("staff@shop.example", ACCEPT)
    documents = pay_new_order(django_capture_on_commit_callbacks)
    receipt, invoice = documents[DocumentType.RECEIPT], documents[DocumentType.INVOICE]
    assert list(DeliveryAttempt.objects.filter(document=receipt).values_list("status", flat=True)) == [
        AttemptStatus.BOUNCED]
    assert list(DeliveryAttempt.objects.filter(document=invoice).values_list("status", flat=True)) == [
        AttemptStatus.SUPPRESSED]
    receipt.refresh_from_db()
    invoice.refresh_from_db()
    assert (receipt.delivery_status, invoice.delivery_status) == (DeliveryStatus.BOUNCED, DeliveryStatus.FAILED)
    assert smtp_server.messages and all(m.rcpt_tos == ["staff@shop.example"] for m in smtp_server.messages)


# --- ESP tracking webhooks (anymail, Postmark's payload format) ---------------------------------


def _auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def _post(client, esp: str, payload: dict, **headers):
    return client.post(WEBHOOK.format(esp=esp), data=json.dumps(payload), content_type="application/json",
                       **headers)


def postmark_bounce(message_id: str, email: str, *, metadata: dict | None = None) -> dict:
    # https://postmarkapp.com/developer/webhooks/bounce-webhook
    return {
        "RecordType": "Bounce", "MessageStream": "outbound", "ID": 4323372036854775807, "Type": "HardBounce",
        "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageID": message_id, "Metadata": metadata or {},
        "ServerID": 23, "Description": "The server was unable to deliver your message (ex: unknown user, "
                                       "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email, "From": "billing@shop.example", "BouncedAt": "2026-03-02T09:05:00Z", "DumpAvailable": True,
        "Inactive": True, "CanActivate": True, "Subject": "Your invoice",
    }


def postmark_delivery(message_id: str, email: str) -> dict:
    # https://postmarkapp.com/developer/webhooks/delivery-webhook
    return {"RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound", "MessageID": message_id,
            "Recipient": email, "Tag": "", "DeliveredAt": "2026-03-02T09:01:00Z",
            "Details": "Test delivery webhook details", "Metadata": {}}


def postmark_open(message_id: str, email: str) -> dict:
    return {"RecordType": "Open", "MessageStream": "outbound", "FirstOpen": True, "Client": {}, "OS": {},
            "Platform": "WebMail", "UserAgent": "Mozilla/5.0", "Geo": {}, "MessageID": message_id, "Metadata": {},
            "ReceivedAt": "2026-03-02T09:10:00Z", "Tag": "", "Recipient": email}


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def test_webhook_bounce_marks_bounced_suppresses_and_falls_back(shop, smtp_server, customer, client, webhook_secret,
                                                                django_capture_on_commit_callbacks):
    invoice = pay_new_order(django_capture_on_commit_callbacks, user_id=str(customer.pk))[DocumentType.INVOICE]
    sent = DeliveryAttempt.objects.get(document=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "postmark", postmark_bounce(sent.provider_message_id.strip("<>"),
                                                             "jane@example.com"), **_auth())
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == AttemptStatus.BOUNCED
    invoice.refresh_from_db()
    # Bounced, then the fallback to the account address was accepted: that newer acceptance is the status.
    assert invoice.bounced_at is not None
    assert invoice.delivery_status == DeliveryStatus.SENT
    fallback = DeliveryAttempt.objects.get(document=invoice, purpose=AttemptPurpose.FALLBACK)
    assert fallback.recipient == "jane.account@example.com" and invoice.accepted_at == fallback.finished_at
    event = DeliveryEvent.objects.get(document=invoice)
    assert (event.event_type, event.attempt_id, event.provider_event_id) == ("bounced", sent.pk, "4323372036854775807")
    assert "550 5.1.1" in event.description and event.payload["Type"] == "HardBounce"
    assert Suppression.objects.filter(address="jane@example.com", reason="bounced", cleared_at__isnull=True).exists()
    assert StaffAlert.objects.filter(document=invoice, kind=AlertKind.BOUNCED).exists()
    assert any(invoice.number in m.pdf_text() for m in smtp_server.to("jane.account@example.com"))
    # Postmark retries webhooks: the same event again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "postmark", postmark_bounce(sent.provider_message_id, "jane@example.com"), **_auth())
    assert DeliveryEvent.objects.filter(document=invoice).count() == 1
    assert len(smtp_server.to("jane.account@example.com")) == 1  # only the invoice bounced, and only once


def test_webhook_matches_by_metadata_and_delivered_is_never_downgraded(shop, smtp_server, client, webhook_secret,
                                                                       django_capture_on_commit_callbacks):
    invoice = pay_new_order(django_capture_on_commit_callbacks)[DocumentType.INVOICE]
    sent = DeliveryAttempt.objects.get(document=invoice)
    esp_id = "883953f4-6105-42a2-a16a-77a8eac79483"
    delivered = postmark_delivery(esp_id, "jane@example.com") | {"Metadata": {"saypro_attempt": str(sent.pk)}}
    assert _post(client, "postmark", delivered, **_auth()).status_code == 200
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.DELIVERED
    assert invoice.delivered_at.isoformat() == "2026-03-02T09:01:00+00:00"
    # An out-of-order open and a late bounce arrive: recorded, the status stays DELIVERED, nobody is bothered.
    assert _post(client, "postmark", postmark_open(sent.provider_message_id, "jane@example.com"),
                 **_auth()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        late = postmark_bounce(esp_id, "jane@example.com", metadata={"saypro_attempt": str(sent.pk)})
        assert _post(client, "postmark", late, **_auth()).status_code == 200
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.DELIVERED
    assert sorted(DeliveryEvent.objects.filter(document=invoice).values_list("event_type", flat=True)) == [
        "bounced", "delivered", "opened"]
    assert not StaffAlert.objects.filter(document=invoice).exists()
    assert DeliveryAttempt.objects.filter(document=invoice).count() == 1


def test_webhook_requires_anymail_authentication(shop, client, settings, django_capture_on_commit_callbacks):
    invoice = pay_new_order(django_capture_on_commit_callbacks)[DocumentType.INVOICE]
    sent = DeliveryAttempt.objects.get(document=invoice)
    payload = postmark_bounce(sent.provider_message_id, "jane@example.com")
    settings.ANYMAIL = {}
    assert _post(client, "postmark", payload).status_code == 403
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert _post(client, "postmark", payload).status_code == 400
    assert _post(client, "postmark", payload, **_auth("anymail:wrong")).status_code == 400
    assert _post(client, "nosuchesp", payload, **_auth()).status_code == 404
    assert not DeliveryEvent.objects.exists() and not Suppression.objects.exists()
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.SENT


def test_webhook_for_another_channel_is_ignored(shop, client, webhook_secret, django_capture_on_commit_callbacks):
    invoice = pay_new_order(django_capture_on_commit_callbacks)[DocumentType.INVOICE]
    sent = DeliveryAttempt.objects.get(document=invoice)
    url = "/plugins/channel/other-channel/saypro.invoicing/tracking/postmark/"
    response = client.post(url, data=json.dumps(postmark_bounce(sent.provider_message_id, "jane@example.com")),
                           content_type="application/json", **_auth())
    assert response.status_code == 200
    assert not DeliveryEvent.objects.exists() and not Suppression.objects.exists()


def test_sendgrid_batch_dropped_event_is_a_bounce(shop, client, webhook_secret, django_capture_on_commit_callbacks):
    documents = pay_new_order(django_capture_on_commit_callbacks)
    invoice, receipt = documents[DocumentType.INVOICE], documents[DocumentType.RECEIPT]
    sent = DeliveryAttempt.objects.get(document=invoice)
    other = DeliveryAttempt.objects.get(document=receipt)
    # https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event: a batch, metadata merged in.
    batch = [
        {"email": "jane@example.com", "timestamp": 1772442300, "event": "delivered", "sg_event_id": "ev-1",
         "sg_message_id": "sg-1.filter", "smtp-id": other.provider_message_id, "response": "250 OK",
         "saypro_attempt": str(other.pk)},
        {"email": "jane@example.com", "timestamp": 1772442360, "event": "dropped", "sg_event_id": "ev-2",
         "sg_message_id": "sg-2.filter", "smtp-id": sent.provider_message_id, "reason": "Bounced Address",
         "status": "5.0.0", "saypro_attempt": str(sent.pk)},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WEBHOOK.format(esp="sendgrid"), data=json.dumps(batch),
                               content_type="application/json", **_auth())
    assert response.status_code == 200
    invoice.refresh_from_db()
    receipt.refresh_from_db()
    assert (invoice.delivery_status, receipt.delivery_status) == (DeliveryStatus.BOUNCED, DeliveryStatus.DELIVERED)
    assert DeliveryEvent.objects.get(attempt=sent).event_type == "rejected"
    assert Suppression.objects.filter(address="jane@example.com", reason="rejected").exists()


def test_bounce_of_a_resend_counts_although_the_first_send_was_accepted(shop, smtp_server, client, webhook_secret,
                                                                        django_capture_on_commit_callbacks):
    """The same address accepted the first send; the resend's hard bounce shows the address is dead."""
    invoice = pay_new_order(django_capture_on_commit_callbacks)[DocumentType.INVOICE]
    with django_capture_on_commit_callbacks(execute=True):
        assert resend(invoice, requested_by="staff:1").queued
    resent = DeliveryAttempt.objects.get(document=invoice, purpose=AttemptPurpose.RESEND)
    assert resent.status == AttemptStatus.SENT and resent.recipient == "jane@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "postmark", postmark_bounce(resent.provider_message_id.strip("<>"),
                                                             "jane@example.com"), **_auth())
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.bounced_at is not None
    assert invoice.delivery_status == DeliveryStatus.BOUNCED  # a guest: no other address to fall back to
    assert StaffAlert.objects.filter(document=invoice, kind=AlertKind.BOUNCED).exists()
