"""Correction requests end to end: customer asks, staff approve (credit note + corrected invoice, both
delivered) or reject (customer told), times recorded; bad requests change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from saypro_invoicing import corrections
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditEntry, BillingDocument, CorrectionRequest, DeliveryAttempt, StaffAlert
from saypro_invoicing.models.corrections import CorrectionStatus
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.models.records import AlertKind
from saypro_invoicing.snapshot import DocumentType
from tests.graphql_support import CORRECTION_INPUT, REQUEST, RESOLVE

pytestmark = pytest.mark.django_db

REQUESTED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
OPEN_REQUESTS = """
query($status: [BillingDocumentCorrectionStatusEnum!]) {
  billingDocuments(first: 20, filter: {correctionStatus: $status}) {
    edges { node { number correctionRequests { id status reason requestedAt resolvedAt } } }
  }
}"""
LINKS = """
query($id: ID!) {
  billingDocument(id: $id) {
    number status correctedBy { number type total { amount } }
    correctsDocument { number }
  }
}"""


def gid(document) -> str:
    return global_id("BillingDocument", document.id)


def ask(shop, document, **changes):
    data = shop.caller("customer_a").gql(REQUEST, {"id": gid(document), "input": {**CORRECTION_INPUT, **changes}})
    return data["data"]["billingDocumentRequestCorrection"]


def resolve(shop, request_id: str, approve: bool, message: str = "", role: str = "staff"):
    data = shop.caller(role).gql(RESOLVE, {"id": request_id, "approve": approve, "message": message})
    return data["data"]["billingDocumentCorrectionResolve"]


@pytest.fixture
def mailing(shop, smtp_server):
    sample.ensure_channel(**smtp_server.channel_config())
    return shop


def test_approval_issues_credit_note_and_corrected_invoice(mailing, smtp_server,
                                                           django_capture_on_commit_callbacks):
    shop, original = mailing, mailing.docs["a_invoice"]
    with freeze_time(REQUESTED_AT):
        asked = ask(shop, original, billingAddress={"streetAddress1": "Hafenstraße 7", "city": "Hamburg",
                                                    "postalCode": "20095", "country": "de"})
    assert asked["errors"] == [] and asked["correctionRequest"]["status"] == "OPEN"
    assert StaffAlert.objects.filter(kind=AlertKind.CORRECTION_REQUESTED, document=original).exists()
    # One open request per document.
    again = ask(shop, original)
    assert [e["code"] for e in again["errors"]] == ["INVALID"] and CorrectionRequest.objects.count() == 1

    listed = shop.caller("staff").gql(OPEN_REQUESTS, {"status": ["OPEN"]})["data"]["billingDocuments"]["edges"]
    assert [edge["node"]["number"] for edge in listed] == [original.number]
    [listed_request] = listed[0]["node"]["correctionRequests"]
    assert listed_request["requestedAt"] == REQUESTED_AT.isoformat() and listed_request["resolvedAt"] is None

    resolved_at = REQUESTED_AT + timedelta(hours=5)
    with freeze_time(resolved_at), django_capture_on_commit_callbacks(execute=True):
        result = resolve(shop, listed_request["id"], approve=True, message="Corrected, sorry.")
    assert result["errors"] == [], result
    assert result["correctionRequest"]["status"] == "APPROVED"

    request = CorrectionRequest.objects.get()
    assert (request.status, request.requested_at, request.resolved_at) == (
        CorrectionStatus.APPROVED, REQUESTED_AT, resolved_at)
    assert request.resolved_by == str(shop.users["staff"].pk) and request.resolution_message == "Corrected, sorry."
    credit_note, corrected = request.credit_note, request.corrected_invoice
    order_id = original.order_id
    assert credit_note.trigger_key == f"{order_id}:credit_note:correction:{request.id}"
    assert corrected.trigger_key == f"{order_id}:invoice:correction:{request.id}"
    assert (credit_note.type, credit_note.status, credit_note.corrects_id) == (
        DocumentType.CREDIT_NOTE, DocumentStatus.ISSUED, original.id)
    assert credit_note.total == original.total
    assert (corrected.type, corrected.status, corrected.corrects_id) == (
        DocumentType.INVOICE, DocumentStatus.ISSUED, original.id)
    assert corrected.total == original.total and corrected.number != original.number
    original.refresh_from_db()
    assert original.status == DocumentStatus.VOID and original.voided_at == resolved_at

    # The corrected invoice is the original's frozen content with the requested details applied.
    before = original.document_content.order
    after = corrected.document_content.order
    address = after.billing_address
    assert (address.company_name, address.vat_id, address.street_address_1, address.city, address.postal_code,
            address.country) == ("Alice Trading GmbH", "DE811111111", "Hafenstraße 7", "Hamburg", "20095", "DE")
    assert address.first_name == before.billing_address.first_name
    assert after.lines == before.lines and after.total_gross == before.total_gross

    # Both were delivered to the customer, as PDFs that show the correction.
    for document in (credit_note, corrected):
        [attempt] = DeliveryAttempt.objects.filter(document=document)
        assert (attempt.recipient, attempt.status) == ("alice@example.com", AttemptStatus.SENT)
    mails = {m.subject: m for m in smtp_server.to("alice@example.com")}
    assert len(mails) == 2
    texts = [m.pdf_text() for m in mails.values()]
    corrected_text = next(t for t in texts if corrected.number in t)
    assert "Alice Trading GmbH" in corrected_text and "DE811111111" in corrected_text
    credit_text = next(t for t in texts if credit_note.number in t)
    assert original.number in credit_text

    # Linked both ways, for the customer too.
    links = shop.caller("customer_a").gql(LINKS, {"id": gid(original)})["data"]["billingDocument"]
    assert links["status"] == "VOID"
    assert {(d["number"], d["type"]) for d in links["correctedBy"]} == {
        (credit_note.number, "CREDIT_NOTE"), (corrected.number, "INVOICE")}
    back = shop.caller("customer_a").gql(LINKS, {"id": gid(corrected)})["data"]["billingDocument"]
    assert back["correctsDocument"] == {"number": original.number}

    # Resolved once only.
    twice = resolve(shop, listed_request["id"], approve=True)
    assert [e["code"] for e in twice["errors"]] == ["ALREADY_RESOLVED"]
    assert BillingDocument.objects.filter(corrects=original).count() == 2


def test_rejection_notifies_the_customer(mailing, smtp_server, django_capture_on_commit_callbacks):
    shop, original = mailing, mailing.docs["a_invoice"]
    with freeze_time(REQUESTED_AT):
        request_id = ask(shop, original)["correctionRequest"]["id"]
    with freeze_time(REQUESTED_AT + timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        result = resolve(shop, request_id, approve=False, message="Your VAT ID could not be validated.")
    assert result["errors"] == [] and result["correctionRequest"]["status"] == "REJECTED"
    request = CorrectionRequest.objects.get()
    assert request.resolved_at == REQUESTED_AT + timedelta(days=1)
    assert request.credit_note is None and request.corrected_invoice is None
    [mail] = smtp_server.to("alice@example.com")
    assert original.number in mail.subject
    assert "Your VAT ID could not be validated." in mail.message.get_content()
    assert mail.message["From"] == "SayPro Demo Shop <billing@shop.example>"
    assert AuditEntry.objects.filter(action="correction_rejection_sent", document=original).exists()
    original.refresh_from_db()
    assert original.status == DocumentStatus.ISSUED
    assert not BillingDocument.objects.filter(corrects=original).exists()


def test_rejection_notice_that_cannot_be_sent_is_not_lost(mailing, smtp_server,
                                                          django_capture_on_commit_callbacks):
    shop, original = mailing, mailing.docs["a_invoice"]
    request_id = ask(shop, original)["correctionRequest"]["id"]
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        result = resolve(shop, request_id, approve=False, message="No.")
    assert result["errors"] == []
    assert CorrectionRequest.objects.get().status == CorrectionStatus.REJECTED
    failed = AuditEntry.objects.get(action="correction_rejection_failed", document=original)
    assert failed.details["error"]
    alert = StaffAlert.objects.get(kind=AlertKind.DELIVERY_FAILED, document=original)
    assert "Tell the customer by hand" in alert.message


@pytest.mark.parametrize("changes, field, code", [
    ({"reason": "   "}, "reason", "REQUIRED"),
    ({"reason": "x" * 2001}, "reason", "TOO_LONG"),
    ({"companyName": "c" * 257}, "companyName", "TOO_LONG"),
    ({"vatId": "v" * 65}, "vatId", "TOO_LONG"),
    ({"billingAddress": {"country": "Germany"}}, "billingAddress.country", "INVALID"),
    ({"billingAddress": {"city": "c" * 257}}, "billingAddress.city", "TOO_LONG"),
])
def test_bad_requests_change_nothing(shop, changes, field, code):
    data = ask(shop, shop.docs["a_invoice"], **changes)
    assert [(e["field"], e["code"]) for e in data["errors"]] == [(field, code)]
    assert data["correctionRequest"] is None
    assert not CorrectionRequest.objects.exists() and not StaffAlert.objects.filter(
        kind=AlertKind.CORRECTION_REQUESTED).exists()


def test_only_issued_invoices_can_be_corrected(shop):
    assert [e["code"] for e in ask(shop, shop.docs["a_receipt"])["errors"]] == ["INVALID"]
    BillingDocument.objects.filter(pk=shop.docs["a_invoice"].pk).update(status=DocumentStatus.VOID)
    assert [e["code"] for e in ask(shop, shop.docs["a_invoice"])["errors"]] == ["ALREADY_VOID"]
    assert not CorrectionRequest.objects.exists()


def test_approval_of_a_partly_refunded_invoice_is_refused(shop):
    original = shop.docs["a_invoice"]
    request_id = ask(shop, original)["correctionRequest"]["id"]
    sample.refund(shop.orders["a"], "5.00")
    refunds = BillingDocument.objects.filter(corrects=original)
    assert refunds.count() == 1
    result = resolve(shop, request_id, approve=True)
    assert [e["code"] for e in result["errors"]] == ["INVALID"]
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN
    original.refresh_from_db()
    assert original.status == DocumentStatus.ISSUED and refunds.count() == 1


def test_approval_after_the_invoice_was_voided_is_refused(shop):
    original = shop.docs["a_invoice"]
    request = corrections.request_correction(original, reason="Wrong address")
    BillingDocument.objects.filter(pk=original.pk).update(status=DocumentStatus.VOID)
    result = resolve(shop, global_id("BillingDocumentCorrectionRequest", request.id), approve=True)
    assert [e["code"] for e in result["errors"]] == ["ALREADY_VOID"]
    request.refresh_from_db()
    assert request.status == CorrectionStatus.OPEN and request.resolved_at is None


def test_resolve_with_bad_ids(shop):
    for bad in ("nope", gid(shop.docs["a_invoice"]),
                global_id("BillingDocumentCorrectionRequest", "9b2f3f4e-0000-4000-8000-000000000000")):
        result = resolve(shop, bad, approve=True)
        assert [e["code"] for e in result["errors"]] in (["INVALID"], ["NOT_FOUND"])
    request = corrections.request_correction(shop.docs["a_invoice"], reason="Typo")
    long_message = resolve(shop, global_id("BillingDocumentCorrectionRequest", request.id), approve=False,
                           message="m" * 2001)
    assert [(e["field"], e["code"]) for e in long_message["errors"]] == [("message", "TOO_LONG")]
    request.refresh_from_db()
    assert request.status == CorrectionStatus.OPEN
