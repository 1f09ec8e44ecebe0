"""Every mutation for every kind of caller: allowed ones act, the rest get PERMISSION_DENIED and nothing changes."""

from __future__ import annotations

import pytest

from saypro_invoicing import corrections
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.hosts.sandbox.models import SandboxApp
from saypro_invoicing.models import AuditEntry, BillingDocument, CorrectionRequest, DeliveryAttempt
from saypro_invoicing.models.corrections import CorrectionStatus
from saypro_invoicing.models.delivery import AttemptPurpose, AttemptStatus
from saypro_invoicing.models.documents import DocumentStatus, PaymentStatus
from tests.graphql_support import CORRECTION_INPUT, MANAGERS, REQUEST, RESOLVE, ROLES

pytestmark = pytest.mark.django_db

RESEND = """
mutation($id: ID!, $email: String) {
  billingDocumentResend(id: $id, email: $email) { document { number } errors { field message code } }
}"""
ISSUE = """
mutation($orderId: ID!, $type: BillingDocumentTypeEnum!) {
  billingDocumentIssue(orderId: $orderId, type: $type) {
    document { id number type status paymentStatus dueAt }
    errors { field message code }
  }
}"""
VOID = """
mutation($id: ID!, $reason: String!) {
  billingDocumentVoid(id: $id, reason: $reason) {
    document { status voidReason correctedBy { type total { amount currency } } }
    creditNote { number type }
    errors { field message code }
  }
}"""


def gid(document) -> str:
    return global_id("BillingDocument", document.id)


def payload(result: dict, name: str) -> dict:
    assert "errors" not in result, result
    return result["data"][name]


def codes(data: dict) -> list[str]:
    return [e["code"] for e in data["errors"]]


@pytest.fixture
def mailing_shop(shop, smtp_server):
    sample.ensure_channel(**smtp_server.channel_config())
    return shop


RESEND_TO = {"customer_a": "alice@example.com", "staff": "accounting@example.com", "app": None}


@pytest.mark.parametrize("role", ROLES)
def test_resend(mailing_shop, smtp_server, role, django_capture_on_commit_callbacks):
    shop, document = mailing_shop, mailing_shop.docs["a_invoice"]
    email = RESEND_TO.get(role, "alice@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        data = payload(shop.caller(role).gql(RESEND, {"id": gid(document), "email": email}),
                       "billingDocumentResend")
    attempts = DeliveryAttempt.objects.filter(document=document, purpose=AttemptPurpose.RESEND)
    if role in RESEND_TO:
        assert data["errors"] == [] and data["document"]["number"] == document.number
        recipient = email or "alice@example.com"
        assert [(a.recipient, a.status) for a in attempts] == [(recipient, AttemptStatus.SENT)]
        [mail] = smtp_server.to(recipient)
        assert document.number in mail.pdf_text()
    else:
        assert data["document"] is None and codes(data) == ["PERMISSION_DENIED"]
        assert not attempts.exists() and smtp_server.messages == []


def test_customer_resends_only_to_own_addresses(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data = payload(shop.caller("customer_a").gql(
            RESEND, {"id": gid(shop.docs["a_invoice"]), "email": "mallory@evil.example"}), "billingDocumentResend")
    assert data["errors"] == [{"field": "email", "code": "PERMISSION_DENIED",
                               "message": "You can send documents only to your own email address."}]
    assert callbacks == [] and not AuditEntry.objects.filter(action="resend").exists()


@pytest.mark.parametrize("email, code", [("not-an-email", "INVALID"), ("a" * 250 + "@x.io", "TOO_LONG")])
def test_resend_rejects_bad_addresses(shop, email, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data = payload(shop.caller("staff").gql(RESEND, {"id": gid(shop.docs["a_invoice"]), "email": email}),
                       "billingDocumentResend")
    assert codes(data) == [code] and data["errors"][0]["field"] == "email"
    assert callbacks == []


def test_resend_of_held_document_is_refused(shop):
    data = payload(shop.caller("staff").gql(RESEND, {"id": gid(shop.docs["a_held"])}), "billingDocumentResend")
    assert codes(data) == ["NOT_ISSUED"]




@pytest.mark.parametrize("role", ROLES)
def test_request_correction(shop, role):
    document = shop.docs["a_invoice"]
    data = payload(shop.caller(role).gql(REQUEST, {"id": gid(document), "input": CORRECTION_INPUT}),
                   "billingDocumentRequestCorrection")
    if role in MANAGERS | {"customer_a"}:
        assert data["errors"] == []
        request = data["correctionRequest"]
        assert (request["status"], request["companyName"], request["vatId"]) == (
            "OPEN", "Alice Trading GmbH", "DE811111111")
        assert request["billingAddress"] == {"city": "Hamburg", "country": "DE"}
        stored = CorrectionRequest.objects.get()
        assert stored.document == document and stored.requested_at is not None
        expected_by = (f"app:{SandboxApp.objects.get(token='app-token-with').pk}" if role == "app"
                       else str(shop.users[role].pk))
        assert stored.requested_by == expected_by
    else:
        assert data["document"] is None and codes(data) == ["PERMISSION_DENIED"]
        assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_resolve_correction(shop, smtp_server, role, django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config())
    document = shop.docs["a_invoice"]
    request = corrections.request_correction(document, reason="Wrong VAT ID", vat_id="DE1",
                                             requested_by=str(shop.users["customer_a"].pk))
    variables = {"id": global_id("BillingDocumentCorrectionRequest", request.id), "approve": False,
                 "message": "The VAT ID on the invoice matches the one you entered at checkout."}
    with django_capture_on_commit_callbacks(execute=True):
        data = payload(shop.caller(role).gql(RESOLVE, variables), "billingDocumentCorrectionResolve")
    request.refresh_from_db()
    if role in MANAGERS:
        assert data["errors"] == []
        assert data["correctionRequest"]["status"] == "REJECTED" and data["correctionRequest"]["resolvedAt"]
        assert request.status == CorrectionStatus.REJECTED
        [mail] = smtp_server.to("alice@example.com")
        assert document.number in mail.subject
        assert "matches the one you entered at checkout" in mail.message.get_content()
    else:
        assert data["correctionRequest"] is None and codes(data) == ["PERMISSION_DENIED"]
        assert request.status == CorrectionStatus.OPEN and request.resolved_at is None
        assert smtp_server.messages == []


@pytest.mark.parametrize("role", ROLES)
def test_issue_invoice_now(shop, role):
    order = sample.create_order(email="carol@example.com", number="C-400")
    sample.confirm(str(order.id))
    assert not BillingDocument.objects.filter(order_id=str(order.id)).exists()
    variables = {"orderId": str(order.id), "type": "INVOICE"}
    data = payload(shop.caller(role).gql(ISSUE, variables), "billingDocumentIssue")
    invoices = BillingDocument.objects.filter(order_id=str(order.id), type="invoice")
    if role in MANAGERS:
        assert data["errors"] == []
        [invoice] = invoices
        assert invoice.trigger_key.startswith(f"{order.id}:invoice:manual:")
        assert data["document"]["number"] == invoice.number and invoice.payment_status == PaymentStatus.UNPAID
        assert data["document"]["dueAt"] is not None
        # A second request never makes a second active invoice: it names the existing one.
        again = payload(shop.caller(role).gql(ISSUE, variables), "billingDocumentIssue")
        assert codes(again) == ["ALREADY_ISSUED"] and again["document"]["number"] == invoice.number
        assert invoices.count() == 1
    else:
        assert data["document"] is None and codes(data) == ["PERMISSION_DENIED"]
        assert not invoices.exists()


def test_issue_receipt_and_refusals(shop):
    staff = shop.caller("staff")
    order = sample.create_order(email="dan@example.com", number="D-500")
    data = payload(staff.gql(ISSUE, {"orderId": str(order.id), "type": "RECEIPT"}), "billingDocumentIssue")
    assert codes(data) == ["INVALID"]  # unconfirmed and unpaid: nothing to issue
    paid = shop.orders["a"]
    data = payload(staff.gql(ISSUE, {"orderId": paid, "type": "RECEIPT"}), "billingDocumentIssue")
    assert codes(data) == ["ALREADY_ISSUED"] and data["document"]["number"] == shop.docs["a_receipt"].number
    data = payload(staff.gql(ISSUE, {"orderId": paid, "type": "CREDIT_NOTE"}), "billingDocumentIssue")
    assert codes(data) == ["INVALID"] and data["errors"][0]["field"] == "type"
    for bad in ("00000000-0000-0000-0000-000000000000", "not-an-order", global_id("Order", "nope"), "x" * 65):
        data = payload(staff.gql(ISSUE, {"orderId": bad, "type": "INVOICE"}), "billingDocumentIssue")
        assert codes(data)[0] in ("NOT_FOUND", "INVALID") and data["errors"][0]["field"] == "orderId"
    saleor_style = payload(staff.gql(ISSUE, {"orderId": global_id("Order", paid), "type": "INVOICE"}),
                           "billingDocumentIssue")
    assert codes(saleor_style) == ["ALREADY_ISSUED"]


@pytest.mark.parametrize("role", ROLES)
def test_void(shop, role):
    document = shop.docs["a_invoice"]
    data = payload(shop.caller(role).gql(VOID, {"id": gid(document), "reason": "Issued by mistake"}),
                   "billingDocumentVoid")
    document.refresh_from_db()
    if role in MANAGERS:
        assert data["errors"] == []
        assert data["document"]["status"] == "VOID" and data["document"]["voidReason"] == "Issued by mistake"
        assert data["creditNote"]["type"] == "CREDIT_NOTE"
        assert data["document"]["correctedBy"] == [
            {"type": "CREDIT_NOTE", "total": {"amount": float(document.total), "currency": "EUR"}}]
        again = payload(shop.caller(role).gql(VOID, {"id": gid(document), "reason": "again"}), "billingDocumentVoid")
        assert codes(again) == ["ALREADY_VOID"]
    else:
        assert data["document"] is None and codes(data) == ["PERMISSION_DENIED"]
        assert document.status == DocumentStatus.ISSUED
        assert not BillingDocument.objects.filter(corrects=document).exists()


def test_void_needs_a_bounded_reason(shop):
    document = shop.docs["a_invoice"]
    for reason, code in (("   ", "REQUIRED"), ("x" * 2001, "TOO_LONG")):
        data = payload(shop.caller("staff").gql(VOID, {"id": gid(document), "reason": reason}), "billingDocumentVoid")
        assert codes(data) == [code] and data["errors"][0]["field"] == "reason"
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED


def test_resend_to_a_suppressed_address_is_refused_and_recorded(shop, django_capture_on_commit_callbacks):
    from saypro_invoicing.delivery.suppression import suppress

    document = shop.docs["a_invoice"]
    suppress("alice@example.com", "hard_bounce", detail="550 user unknown")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data = payload(shop.caller("customer_a").gql(RESEND, {"id": gid(document)}), "billingDocumentResend")
    assert codes(data) == ["SUPPRESSED"] and data["errors"][0]["field"] == "email"
    assert data["document"]["number"] == document.number
    [attempt] = DeliveryAttempt.objects.filter(document=document, purpose=AttemptPurpose.RESEND)
    assert attempt.status == AttemptStatus.SUPPRESSED
    assert callbacks == []
