"""Saleor's own invoice flows: "Generate invoice", "Send invoice", request delete; the download path."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

import graphene
import pytest
from django.test import Client
from pypdf import PdfReader
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content

from saypro_invoicing import links
from saypro_invoicing.models import BillingDocument, DeliveryAttempt
from saypro_invoicing.models.delivery import AttemptPurpose
from saypro_invoicing.models.documents import DocumentStatus

pytestmark = [pytest.mark.saleor]

INVOICE_REQUEST = """
mutation ($orderId: ID!) { invoiceRequest(orderId: $orderId) {
  invoice { id number url status }
  errors { field code message }
} }
"""
INVOICE_SEND = """
mutation ($id: ID!) { invoiceSendNotification(id: $id) { errors { field code message } } }
"""
INVOICE_REQUEST_DELETE = """
mutation ($id: ID!) { invoiceRequestDelete(id: $id) { errors { field code message } } }
"""
ORDER_INVOICES = """
query ($id: ID!) { order(id: $id) { invoices { number url status } } }
"""


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def _download(url: str):
    return Client().get(urlsplit(url).path)


def _request_invoice(client, order) -> dict:
    response = client.post_graphql(INVOICE_REQUEST, {"orderId": graphene.Node.to_global_id("Order", order.pk)})
    data = get_graphql_content(response)["data"]["invoiceRequest"]
    assert data["errors"] == []
    return data["invoice"]


def test_invoice_request_fills_saleors_invoice_with_our_number_and_pdf(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines  # confirmed, unpaid: "Generate invoice" issues it now
    saleor_invoice = _request_invoice(orders_staff_api_client, order)

    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert document.status == DocumentStatus.ISSUED and document.payment_status == "unpaid"
    assert document.due_at is not None
    assert saleor_invoice["number"] == document.number
    assert saleor_invoice["status"] == "SUCCESS"
    assert saleor_invoice["url"].startswith(f"http://testserver/plugins/channel/{order.channel.slug}/saypro.invoicing/download/")
    assert document.pdf and document.pdf_sha256  # rendered synchronously for the dashboard
    invoice_pk = graphene.Node.from_global_id(saleor_invoice["id"])[1]
    assert document.host_invoice_id == invoice_pk

    response = _download(saleor_invoice["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{document.number}.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(b"".join(response.streaming_content))
    assert document.number in text and str(order.number) in text

    # Storefronts read order.invoices: one row, ours. Asking again reuses the active invoice.
    again = _request_invoice(orders_staff_api_client, order)
    assert again["number"] == document.number
    assert BillingDocument.objects.filter(order_id=str(order.pk), type="invoice").count() == 1
    order_id = graphene.Node.to_global_id("Order", order.pk)
    response = orders_staff_api_client.post_graphql(ORDER_INVOICES, {"id": order_id})
    invoices = get_graphql_content(response)["data"]["order"]["invoices"]
    assert {i["number"] for i in invoices} == {document.number} and {i["status"] for i in invoices} == {"SUCCESS"}


def test_send_invoice_reaches_the_customer_with_the_pdf(
    order_with_lines, saypro_channel, orders_staff_api_client, smtp_server,
):
    order = order_with_lines
    saleor_invoice = _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    first_delivery = len(smtp_server.to(order.user_email))

    response = orders_staff_api_client.post_graphql(INVOICE_SEND, {"id": saleor_invoice["id"]})
    assert get_graphql_content(response)["data"]["invoiceSendNotification"]["errors"] == []

    inbox = smtp_server.to(order.user_email)
    assert len(inbox) == first_delivery + 1
    resent = inbox[-1]
    assert document.number in resent.pdf_text()
    assert resent.attachments()[0][0] == f"invoice-{document.number}.pdf"
    assert "invoice" in resent.subject.lower() and f"#{order.number}" in resent.subject
    attempt = DeliveryAttempt.objects.get(document=document, purpose=AttemptPurpose.RESEND)
    assert attempt.status == "sent" and attempt.recipient == order.user_email


def test_invoice_request_delete_voids_with_a_credit_note_and_keeps_the_document(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    saleor_invoice = _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")

    response = orders_staff_api_client.post_graphql(INVOICE_REQUEST_DELETE, {"id": saleor_invoice["id"]})
    assert get_graphql_content(response)["data"]["invoiceRequestDelete"]["errors"] == []

    document.refresh_from_db()
    assert document.status == DocumentStatus.VOID and document.pdf  # never deleted
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.corrects_id == document.pk and credit_note.total == document.total
    assert credit_note.status == DocumentStatus.ISSUED
    assert not order.invoices.exists()  # the row Saleor asked us to delete


def test_download_path_refuses_forged_tokens_and_inactive_channels(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    url = _request_invoice(orders_staff_api_client, order)["url"]
    path = urlsplit(url).path
    token = path.rstrip("/").rsplit("/", 1)[1]

    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert Client().get(path.replace(token, forged)).status_code == 403
    other = links.make_token("00000000-0000-0000-0000-000000000000", guest=True)
    assert Client().get(path.replace(token, other)).status_code == 404

    # Per-channel plugin: Saleor answers 404 on the global path and for channels where it is off.
    assert Client().get(path.replace(f"/channel/{order.channel.slug}", "/global")).status_code == 404
    from saleor.plugins.models import PluginConfiguration

    PluginConfiguration.objects.filter(channel=order.channel).update(active=False)
    assert Client().get(path).status_code == 404


def test_invoice_row_failed_when_the_gate_holds_the_invoice(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    order.total_gross_amount += 1  # the stored total no longer matches lines + shipping
    order.save(update_fields=["total_gross_amount"])

    saleor_invoice = _request_invoice(orders_staff_api_client, order)

    assert saleor_invoice["status"] == "FAILED" and saleor_invoice["number"] is None
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert document.status == DocumentStatus.NEEDS_REVIEW and not document.number
    assert order.invoices.get().status == JobStatus.FAILED


def test_nothing_happens_in_channels_where_the_plugin_is_off(
    order_with_lines, activate_plugin, channel_PLN, orders_staff_api_client, staff_user,
    django_capture_on_commit_callbacks,
):
    from saleor.order.actions import mark_order_as_paid_with_transaction
    from saleor.plugins.manager import get_plugins_manager

    activate_plugin(channel_PLN)  # on elsewhere, off (the default) in the order's channel
    order = order_with_lines
    response = orders_staff_api_client.post_graphql(INVOICE_REQUEST, {
        "orderId": graphene.Node.to_global_id("Order", order.pk)})
    errors = get_graphql_content(response)["data"]["invoiceRequest"]["errors"]
    assert [e["code"] for e in errors] == ["NO_INVOICE_PLUGIN"]

    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))
    assert not BillingDocument.objects.filter(order_id=str(order.pk)).exists()


def test_esp_bounce_webhook_through_saleors_plugin_path(
    order_with_lines, saypro_channel, orders_staff_api_client, smtp_server, settings,
):
    """An ESP's tracking webhook (Postmark's bounce format) at /plugins/channel/<slug>/saypro.invoicing/."""
    import base64
    import json

    from saypro_invoicing.models import Suppression
    from saypro_invoicing.models.delivery import AttemptStatus
    from saypro_invoicing.models.documents import DeliveryStatus

    settings.ANYMAIL = {"WEBHOOK_SECRET": "anymail:s3cret-hook"}
    order = order_with_lines
    _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    orders_staff_api_client.post_graphql(INVOICE_SEND, {"id": graphene.Node.to_global_id(
        "Invoice", order.invoices.get().pk)})
    # The first send and the dashboard's resend were both accepted; then the ESP reports a hard bounce.
    attempts = DeliveryAttempt.objects.filter(document=document, status=AttemptStatus.SENT).order_by("started_at")
    assert [a.recipient for a in attempts] == [order.user_email] * 2
    attempt = attempts.last()
    bounce = {
        "RecordType": "Bounce", "MessageStream": "outbound", "ID": 4323372036854775807, "Type": "HardBounce",
        "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageID": attempt.provider_message_id.strip("<>"),
        "Metadata": {}, "ServerID": 23, "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": attempt.recipient, "From": "billing@shop.example", "BouncedAt": "2026-03-02T09:05:00Z",
        "DumpAvailable": True, "Inactive": True, "CanActivate": True, "Subject": "Your invoice",
    }
    path = f"/plugins/channel/{order.channel.slug}/saypro.invoicing/tracking/postmark/"
    unauthenticated = Client().post(path, data=json.dumps(bounce), content_type="application/json")
    assert unauthenticated.status_code == 400  # anymail: basic auth missing, validation failed
    auth = "Basic " + base64.b64encode(b"anymail:s3cret-hook").decode()
    response = Client().post(path, data=json.dumps(bounce), content_type="application/json",
                             HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    attempt.refresh_from_db()
    document.refresh_from_db()
    assert attempt.status == AttemptStatus.BOUNCED
    assert document.bounced_at is not None and document.delivery_status in (DeliveryStatus.BOUNCED,
                                                                            DeliveryStatus.FAILED)
    assert Suppression.objects.filter(address=attempt.recipient, cleared_at__isnull=True).exists()
