"""Saleor's invoice buttons against committed transactions: request delete, delete, a second request, holds.

The deletions run with ``transaction=True``: inside a TestCase transaction Saleor's hook is deferred to
a commit that never happens, and a row deleted under Saleor's own event insert would only fail at a
real commit (the IntegrityError this suite guards against).
"""

from __future__ import annotations

import graphene
import pytest
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content
from saleor.invoice import InvoiceEvents
from saleor.invoice.models import Invoice, InvoiceEvent
from saleor.order.actions import mark_order_as_paid_with_transaction
from saleor.plugins.manager import get_plugins_manager

from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus

pytestmark = [pytest.mark.saleor]

INVOICE_REQUEST = """
mutation ($orderId: ID!) { invoiceRequest(orderId: $orderId) {
  invoice { id number url status message }
  errors { field code message }
} }
"""
INVOICE_REQUEST_DELETE = """
mutation ($id: ID!) { invoiceRequestDelete(id: $id) { errors { field code message } } }
"""
INVOICE_DELETE = """
mutation ($id: ID!) { invoiceDelete(id: $id) { errors { field code message } } }
"""
ORDER_INVOICES = """
query ($id: ID!) { order(id: $id) { invoices { id number url status message } } }
"""


def _request_invoice(client, order) -> dict:
    response = client.post_graphql(INVOICE_REQUEST, {"orderId": graphene.Node.to_global_id("Order", order.pk)})
    data = get_graphql_content(response)["data"]["invoiceRequest"]
    assert data["errors"] == []
    return data["invoice"]


def _saleor_invoices(client, order) -> list[dict]:
    response = client.post_graphql(ORDER_INVOICES, {"id": graphene.Node.to_global_id("Order", order.pk)})
    return get_graphql_content(response)["data"]["order"]["invoices"]


def _pk(global_id: str) -> int:
    return int(graphene.Node.from_global_id(global_id)[1])


def _assert_voided_by_credit_note(order, document):
    document.refresh_from_db()
    assert document.status == DocumentStatus.VOID and document.number and document.pdf  # kept, never deleted
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.status == DocumentStatus.ISSUED and credit_note.number.startswith("CN-")
    assert credit_note.corrects_id == document.pk and credit_note.total == document.total
    return credit_note


@pytest.mark.django_db(transaction=True)
def test_invoice_request_delete_commits_voids_and_leaves_saleor_consistent(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    saleor_invoice = _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")

    response = orders_staff_api_client.post_graphql(INVOICE_REQUEST_DELETE, {"id": saleor_invoice["id"]})
    content = get_graphql_content(response)  # no IntegrityError at commit: a 200 with data
    assert content["data"]["invoiceRequestDelete"]["errors"] == []

    _assert_voided_by_credit_note(order, document)
    # Saleor's row is gone; its own record of the request survives with the link cleared (SET_NULL).
    assert not Invoice.objects.filter(pk=_pk(saleor_invoice["id"])).exists()
    event = InvoiceEvent.objects.get(type=InvoiceEvents.REQUESTED_DELETION, order=order)
    assert event.invoice_id is None
    assert _saleor_invoices(orders_staff_api_client, order) == []

    # Asking again issues a new invoice with a new number: the void one is never shown again.
    again = _request_invoice(orders_staff_api_client, order)
    assert again["status"] == "SUCCESS" and again["number"] not in (None, document.number)


@pytest.mark.django_db(transaction=True)
def test_invoice_delete_voids_our_invoice_with_a_credit_note(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    saleor_invoice = _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")

    response = orders_staff_api_client.post_graphql(INVOICE_DELETE, {"id": saleor_invoice["id"]})
    assert get_graphql_content(response)["data"]["invoiceDelete"]["errors"] == []

    credit_note = _assert_voided_by_credit_note(order, document)
    assert "invoiceDelete" in document.void_reason
    assert credit_note.document_content.corrects_number == document.number
    assert not Invoice.objects.filter(order=order).exists()
    assert InvoiceEvent.objects.filter(type=InvoiceEvents.DELETED).exists()  # Saleor's own record


def test_invoice_delete_rolled_back_voids_nothing(order_with_lines, saypro_channel, orders_staff_api_client,
                                                  django_capture_on_commit_callbacks):
    from django.db import transaction

    order = order_with_lines
    saleor_invoice = _request_invoice(orders_staff_api_client, order)
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")

    class Rollback(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            Invoice.objects.get(pk=_pk(saleor_invoice["id"])).delete()
            raise Rollback
    assert callbacks == []  # the void waited for a commit that never came
    assert Invoice.objects.filter(pk=_pk(saleor_invoice["id"])).exists()

    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert not BillingDocument.objects.filter(order_id=str(order.pk), type="credit_note").exists()


def test_a_second_invoice_request_shows_each_number_in_one_row(
    order_with_lines, saypro_channel, orders_staff_api_client,
):
    order = order_with_lines
    first = _request_invoice(orders_staff_api_client, order)
    second = _request_invoice(orders_staff_api_client, order)

    assert second["number"] == first["number"]  # the active invoice, not a second one
    assert BillingDocument.objects.filter(order_id=str(order.pk), type="invoice").count() == 1
    rows = _saleor_invoices(orders_staff_api_client, order)
    assert [(r["id"], r["number"], r["status"]) for r in rows] == [(second["id"], first["number"], "SUCCESS")]
    document = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert document.host_invoice_id == str(_pk(second["id"]))


def test_auto_issued_invoice_and_generate_invoice_share_one_row(
    order_with_lines, saypro_channel, orders_staff_api_client, staff_user, django_capture_on_commit_callbacks,
):
    order = order_with_lines
    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))
    invoice = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert [(r["number"], r["status"]) for r in _saleor_invoices(orders_staff_api_client, order)] == [
        (invoice.number, "SUCCESS")]

    requested = _request_invoice(orders_staff_api_client, order)
    assert requested["number"] == invoice.number
    numbers = [r["number"] for r in _saleor_invoices(orders_staff_api_client, order)]
    assert numbers == [invoice.number]


def test_a_held_invoice_shows_failed_with_its_reasons(
    order_with_lines, saypro_channel, orders_staff_api_client, staff_user, django_capture_on_commit_callbacks,
):
    order = order_with_lines
    order.total_gross_amount += 1  # Saleor's stored total no longer matches its lines + shipping
    order.save(update_fields=["total_gross_amount"])
    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))

    invoice = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert invoice.status == DocumentStatus.NEEDS_REVIEW and not invoice.number
    [row] = _saleor_invoices(orders_staff_api_client, order)
    assert row["status"] == "FAILED" and row["number"] is None and row["url"] is None
    assert row["message"].startswith("Held for review: ")
    assert all(r["message"][:40] in row["message"] for r in invoice.review_reasons[:1])
    assert Invoice.objects.get(order=order).status == JobStatus.FAILED

    # "Generate invoice" on the held order shows the same held document in one row.
    requested = _request_invoice(orders_staff_api_client, order)
    assert requested["status"] == "FAILED"
    assert [r["id"] for r in _saleor_invoices(orders_staff_api_client, order)] == [requested["id"]]


def test_released_invoice_turns_its_row_success(
    order_with_lines, saypro_channel, orders_staff_api_client, staff_user, django_capture_on_commit_callbacks,
):
    from saypro_invoicing.hosts import get_host
    from saypro_invoicing.release import release

    order = order_with_lines
    order.total_gross_amount += 1
    order.save(update_fields=["total_gross_amount"])
    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))
    invoice = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    [held_row] = _saleor_invoices(orders_staff_api_client, order)
    assert held_row["status"] == "FAILED"

    order.total_gross_amount -= 1  # staff fixed the order
    order.save(update_fields=["total_gross_amount"])
    with django_capture_on_commit_callbacks(execute=True):
        released = release(invoice, get_host().channel_config(order.channel.slug)).document

    assert released.status == DocumentStatus.ISSUED and released.number.startswith("INV-")
    [row] = _saleor_invoices(orders_staff_api_client, order)
    assert row["id"] == held_row["id"]  # the same row, now showing the number
    assert row["status"] == "SUCCESS" and row["number"] == released.number and not row["message"]
    assert row["url"].startswith("http://testserver/plugins/channel/")
