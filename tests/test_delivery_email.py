"""Document emails against a real SMTP server on loopback: content, attachment, record, status."""

from __future__ import annotations

import pytest

from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt
from saypro_invoicing.models.delivery import AttemptPurpose, AttemptStatus
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.snapshot import DocumentType

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(smtp_server):
    return sample.ensure_channel(**smtp_server.channel_config())


def paid_order(capture, **kwargs):
    order = sample.create_order(**kwargs)
    with capture(execute=True):
        sample.pay(str(order.id))
    return order


def test_paid_order_mails_invoice_and_receipt(shop, smtp_server, django_capture_on_commit_callbacks):
    order = paid_order(django_capture_on_commit_callbacks, email="Jane@Example.com")
    documents = {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.id))}
    assert set(documents) == {DocumentType.INVOICE, DocumentType.RECEIPT}
    messages = smtp_server.messages
    assert len(messages) == 2
    by_subject = {m.subject: m for m in messages}
    invoice = documents[DocumentType.INVOICE]
    mail = by_subject[f"Your invoice from SayPro Demo Shop – Order #{order.number}"]
    assert mail.rcpt_tos == ["jane@example.com"]
    assert mail.message["From"] == "SayPro Demo Shop <billing@shop.example>"
    assert mail.message["Reply-To"] == "support@shop.example"
    assert mail.message["Message-ID"].endswith("@shop.example>")
    assert mail.message["Date"]
    assert mail.message.get_content_type() == "multipart/mixed"
    alternative = next(p for p in mail.message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert invoice.number in text and invoice.number in html
    assert "Organic Cotton T-Shirt" in text and "€" in text
    assert "support@shop.example" in text
    # A guest order: the signed download link, no tracking pixel.
    assert "http://testserver/plugins/channel/default-channel/saypro.invoicing/download/" in text
    assert "<img" not in html
    [(name, ctype, data)] = mail.attachments()
    assert (name, ctype) == (invoice.filename, "application/pdf") and data.startswith(b"%PDF")
    assert invoice.number in mail.pdf_text()
    receipt = documents[DocumentType.RECEIPT]
    receipt_mail = by_subject[f"Your receipt from SayPro Demo Shop – Order #{order.number}"]
    assert receipt.number in receipt_mail.pdf_text()

    attempt = DeliveryAttempt.objects.get(document=invoice)
    assert attempt.status == AttemptStatus.SENT and attempt.attempt_number == 1
    assert attempt.recipient == "jane@example.com"
    assert attempt.provider_message_id == mail.message["Message-ID"]
    assert attempt.response.startswith("250 2.0.0 Ok: queued as TEST")
    invoice.refresh_from_db()
    assert invoice.delivery_status == DeliveryStatus.SENT
    assert invoice.first_sent_at and invoice.accepted_at and invoice.first_sent_at <= invoice.accepted_at


def test_german_order_gets_german_mail(shop, smtp_server, django_capture_on_commit_callbacks):
    order = paid_order(django_capture_on_commit_callbacks, language_code="DE")
    subjects = sorted(m.subject for m in smtp_server.messages)
    assert subjects == [f"Ihre Quittung von SayPro Demo Shop – Bestellung #{order.number}",
                        f"Ihre Rechnung von SayPro Demo Shop – Bestellung #{order.number}"]
    text = smtp_server.messages[0].part("text/plain")
    assert "Fragen?" in text or "Vielen Dank" in text


def test_registered_customer_gets_account_link(shop, smtp_server, django_capture_on_commit_callbacks):
    order = paid_order(django_capture_on_commit_callbacks, user_id="42")
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    [mail] = [m for m in smtp_server.messages if "invoice" in m.subject]
    assert f"https://shop.example/account/documents/{invoice.id}" in mail.part("text/plain")
    assert "/download/" not in mail.part("text/plain")


def test_duplicate_task_never_sends_twice(shop, smtp_server, django_capture_on_commit_callbacks):
    from saypro_invoicing.delivery.tasks import deliver_document

    order = paid_order(django_capture_on_commit_callbacks)
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    assert len(smtp_server.messages) == 2
    # A broker redelivering the task, or a sweeper re-queuing it: nothing more goes out.
    assert deliver_document.apply(args=[str(invoice.id)]).get() == "skipped"
    assert deliver_document.apply(args=[str(invoice.id)], kwargs={"purpose": "document"}).get() == "skipped"
    assert len(smtp_server.messages) == 2
    assert DeliveryAttempt.objects.filter(document=invoice).count() == 1


def test_documents_held_for_review_are_never_sent(shop, smtp_server):
    from saypro_invoicing.delivery.service import deliver
    from saypro_invoicing.models.documents import DocumentStatus

    order = sample.create_order()
    sample.pay(str(order.id), notify=False)
    from saypro_invoicing.events import order_changed

    [document, *_] = [r.document for r in order_changed(str(order.id), send=False)]
    BillingDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.NEEDS_REVIEW)
    assert deliver(str(document.pk)).status == "skipped"
    assert smtp_server.messages == []
    assert not DeliveryAttempt.objects.exists()


def test_resend_goes_through_the_same_pipeline(shop, smtp_server, django_capture_on_commit_callbacks):
    from saypro_invoicing.delivery.resend import resend
    from saypro_invoicing.models import AuditEntry

    order = paid_order(django_capture_on_commit_callbacks)
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    with django_capture_on_commit_callbacks(execute=True):
        result = resend(invoice, "accounting@example.org", requested_by="staff:7")
    assert result.queued and result.recipient == "accounting@example.org"
    [mail] = smtp_server.to("accounting@example.org")
    assert invoice.number in mail.pdf_text()
    attempts = DeliveryAttempt.objects.filter(document=invoice).order_by("started_at", "id")
    assert [(a.purpose, a.status, a.recipient) for a in attempts] == [
        (AttemptPurpose.DOCUMENT, AttemptStatus.SENT, "jane@example.com"),
        (AttemptPurpose.RESEND, AttemptStatus.SENT, "accounting@example.org"),
    ]
    assert AuditEntry.objects.filter(document=invoice, action="resend", actor="staff:7").exists()
    # A second request is a second send (to the order's address by default).
    with django_capture_on_commit_callbacks(execute=True):
        resend(invoice)
    assert len(smtp_server.to("jane@example.com")) == 3


def test_resend_refuses_bad_input(shop, smtp_server, django_capture_on_commit_callbacks):
    from saypro_invoicing.delivery.resend import resend
    from saypro_invoicing.errors import ErrorCode, SayproInvoicingError

    order = paid_order(django_capture_on_commit_callbacks)
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    with pytest.raises(SayproInvoicingError) as bad:
        resend(invoice, "not-an-address")
    assert bad.value.code == ErrorCode.INVALID and bad.value.field == "email"


def test_delivered_confirmation_is_off_by_default_and_sent_once_when_on(smtp_server,
                                                                        django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config())
    paid_order(django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 2
    sample.ensure_channel(send_delivered_confirmation=True)
    order = paid_order(django_capture_on_commit_callbacks)
    confirmations = [m for m in smtp_server.messages if "Your documents for order" in m.subject]
    assert len(confirmations) == 1
    text = confirmations[0].part("text/plain")
    for document in BillingDocument.objects.filter(order_id=str(order.id)):
        assert document.number in text
    assert confirmations[0].attachments() == []
    assert DeliveryAttempt.objects.filter(purpose=AttemptPurpose.CONFIRMATION).count() == 1


def test_django_email_backend_is_used_when_configured(smtp_server, django_capture_on_commit_callbacks, settings):
    from django.core import mail

    sample.ensure_channel(email_backend="django", smtp_host="")
    order = paid_order(django_capture_on_commit_callbacks)
    assert smtp_server.messages == []
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [f"Your invoice from SayPro Demo Shop – Order #{order.number}",
                        f"Your receipt from SayPro Demo Shop – Order #{order.number}"]
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    attempt = DeliveryAttempt.objects.filter(document__order_id=str(order.id)).first()
    assert attempt.status == AttemptStatus.SENT and attempt.provider_message_id.startswith("<")


def test_credit_note_mail_references_the_invoice(shop, smtp_server, django_capture_on_commit_callbacks):
    order = paid_order(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sample.refund(str(order.id), "10.00")
    note = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.CREDIT_NOTE)
    invoice = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.INVOICE)
    [mail] = [m for m in smtp_server.messages if m.subject.startswith("Your credit note from")]
    assert invoice.number in mail.part("text/plain") and note.number in mail.pdf_text()


def test_one_smtp_connection_is_reused_and_reopened_when_dropped(shop, smtp_server,
                                                                 django_capture_on_commit_callbacks):
    paid_order(django_capture_on_commit_callbacks)
    paid_order(django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 4 and smtp_server.connections == 1
    # The server restarts (dropping our idle connection): the next message goes out on a new one, no retry needed.
    smtp_server.stop()
    smtp_server.start()
    order = paid_order(django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 6 and smtp_server.connections == 2
    statuses = DeliveryAttempt.objects.filter(document__order_id=str(order.id)).values_list("status", flat=True)
    assert list(statuses) == [AttemptStatus.SENT, AttemptStatus.SENT]


def test_a_new_connection_per_message_when_reuse_is_off(shop, smtp_server, settings,
                                                        django_capture_on_commit_callbacks):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "EMAIL_CONNECTION_REUSE": False}
    paid_order(django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 2 and smtp_server.connections == 2
