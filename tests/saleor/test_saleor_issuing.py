"""Inside Saleor: payments, mark-as-paid and refunds issue our documents through Saleor's own hooks."""

from __future__ import annotations

from decimal import Decimal

import graphene
import pytest
from saleor.channel import MarkAsPaidStrategy
from saleor.core import JobStatus
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.actions import mark_order_as_paid_with_transaction
from saleor.plugins.manager import get_plugins_manager

from saypro_invoicing.models import BillingDocument, GateCheck, StaffAlert
from saypro_invoicing.models.documents import DocumentStatus

from .saleor_setup import assert_totals_add_up

pytestmark = [pytest.mark.saleor]

TRANSACTION_CREATE = """
mutation ($id: ID!, $transaction: TransactionCreateInput!) {
  transactionCreate(id: $id, transaction: $transaction) {
    transaction { id }
    errors { field code message }
  }
}
"""

EVENT_REPORT = """
mutation ($id: ID!, $type: TransactionEventTypeEnum!, $amount: PositiveDecimal!, $psp: String!) {
  transactionEventReport(id: $id, type: $type, amount: $amount, pspReference: $psp, availableActions: [REFUND]) {
    alreadyProcessed
    errors { field code message }
  }
}
"""

MARK_AS_PAID = """
mutation ($id: ID!) { orderMarkAsPaid(id: $id, transactionReference: "bank-transfer-42") {
  order { id chargeStatus }
  errors { field code message }
} }
"""


def _documents(order, doc_type=None):
    documents = BillingDocument.objects.filter(order_id=str(order.pk))
    return documents.filter(type=doc_type) if doc_type else documents


def _charge(app_api_client, permission_manage_payments, order, amount, *, psp="psp-1"):
    response = app_api_client.post_graphql(TRANSACTION_CREATE, {
        "id": graphene.Node.to_global_id("Order", order.pk),
        "transaction": {"name": "Credit Card", "pspReference": psp, "availableActions": ["REFUND"],
                        "amountCharged": {"amount": amount, "currency": order.currency}},
    }, permissions=[permission_manage_payments], check_no_permissions=False)
    data = get_graphql_content(response)["data"]["transactionCreate"]
    assert data["errors"] == []
    return data["transaction"]["id"]


def test_mark_as_paid_action_issues_invoice_and_receipt_and_mails_them(
    order_with_lines, saypro_channel, staff_user, smtp_server, django_capture_on_commit_callbacks,
):
    order = order_with_lines
    assert_totals_add_up(order)
    manager = get_plugins_manager(allow_replica=False)

    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, manager)

    invoice = _documents(order, "invoice").get()
    receipt = _documents(order, "receipt").get()
    assert invoice.status == receipt.status == DocumentStatus.ISSUED
    assert invoice.number.startswith("INV-") and invoice.number.endswith("-000001")
    assert receipt.number.startswith("RCT-")
    assert invoice.total == receipt.total == order.total_gross_amount
    assert invoice.channel == order.channel.slug and invoice.customer_email == order.user_email
    assert invoice.customer_user_id == str(order.user_id)
    # The invoice's frozen lines are Saleor's lines.
    lines = invoice.document_content.order.lines
    assert sorted(line.sku for line in lines) == sorted(line.product_sku for line in order.lines.all())
    assert GateCheck.objects.filter(document__in=[invoice, receipt], passed=True).count() == 2

    # Saleor's invoices card shows the auto-issued invoice.
    saleor_invoice = order.invoices.get()
    assert saleor_invoice.number == invoice.number and saleor_invoice.status == JobStatus.SUCCESS
    assert saleor_invoice.url.startswith(f"http://testserver/plugins/channel/{order.channel.slug}/saypro.invoicing/")
    assert BillingDocument.objects.get(pk=invoice.pk).host_invoice_id == str(saleor_invoice.pk)

    # Both reached the customer's inbox with their PDF.
    inbox = smtp_server.to(order.user_email)
    assert sorted(m.subject.split(" ")[1] for m in inbox) == ["invoice", "receipt"]
    assert any(invoice.number in m.pdf_text() for m in inbox)
    assert any(receipt.number in m.pdf_text() for m in inbox)


def test_replayed_hooks_issue_nothing_more(order_with_lines, saypro_channel, staff_user,
                                           django_capture_on_commit_callbacks):
    order = order_with_lines
    manager = get_plugins_manager(allow_replica=False)
    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, manager)
    before = sorted(_documents(order).values_list("number", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            manager.order_paid(order)
            manager.order_fully_paid(order)
            manager.order_updated(order)

    assert sorted(_documents(order).values_list("number", flat=True)) == before
    assert order.invoices.count() == 1


def test_app_charges_issue_a_receipt_each_and_the_invoice_when_fully_paid(
    order_with_lines, saypro_channel, app_api_client, permission_manage_payments,
):
    order = order_with_lines
    total = order.total_gross_amount
    first = Decimal("10.00")

    transaction_id = _charge(app_api_client, permission_manage_payments, order, first)
    assert list(_documents(order).values_list("type", "total")) == [("receipt", first)]

    response = app_api_client.post_graphql(EVENT_REPORT, {
        "id": transaction_id, "type": "CHARGE_SUCCESS", "amount": total - first, "psp": "psp-2"})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []

    receipts = _documents(order, "receipt").order_by("issued_at")
    assert [r.total for r in receipts] == [first, total - first]
    assert len({r.trigger_key for r in receipts}) == 2
    invoice = _documents(order, "invoice").get()
    assert invoice.total == total and invoice.payment_status == "paid"

    # The same report again is Saleor's "already processed": no third receipt.
    response = app_api_client.post_graphql(EVENT_REPORT, {
        "id": transaction_id, "type": "CHARGE_SUCCESS", "amount": total - first, "psp": "psp-2"})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["alreadyProcessed"] is True
    assert _documents(order, "receipt").count() == 2


@pytest.mark.parametrize("strategy", [MarkAsPaidStrategy.TRANSACTION_FLOW, MarkAsPaidStrategy.PAYMENT_FLOW])
def test_order_mark_as_paid_mutation_issues_invoice_and_receipt(
    strategy, order_with_lines, saypro_channel, orders_staff_api_client,
):
    # orderMarkAsPaid calls only order_fully_paid (and order_updated), never order_paid.
    order = order_with_lines
    saypro_channel.order_mark_as_paid_strategy = strategy
    saypro_channel.save(update_fields=["order_mark_as_paid_strategy"])

    response = orders_staff_api_client.post_graphql(MARK_AS_PAID, {"id": graphene.Node.to_global_id("Order", order.pk)})
    data = get_graphql_content(response)["data"]["orderMarkAsPaid"]
    assert data["errors"] == [] and data["order"]["chargeStatus"] == "FULL"

    invoice = _documents(order, "invoice").get()
    receipt = _documents(order, "receipt").get()
    assert invoice.total == receipt.total == order.total_gross_amount
    assert receipt.document_content.payment.amount == order.total_gross_amount
    if strategy == MarkAsPaidStrategy.PAYMENT_FLOW:
        assert receipt.trigger_key.startswith(f"{order.pk}:receipt:payment")  # a legacy Payment


def test_refund_issues_a_credit_note_for_the_invoice(
    order_with_lines, saypro_channel, app_api_client, permission_manage_payments,
):
    order = order_with_lines
    transaction_id = _charge(app_api_client, permission_manage_payments, order, order.total_gross_amount)
    invoice = _documents(order, "invoice").get()

    response = app_api_client.post_graphql(EVENT_REPORT, {
        "id": transaction_id, "type": "REFUND_SUCCESS", "amount": Decimal("12.30"), "psp": "refund-1"})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []

    credit_note = _documents(order, "credit_note").get()
    assert credit_note.status == DocumentStatus.ISSUED and credit_note.number.startswith("CN-")
    assert credit_note.total == Decimal("12.30") and credit_note.corrects_id == invoice.pk
    assert credit_note.document_content.corrects_number == invoice.number


def test_a_broken_configuration_never_breaks_saleor_and_the_sweeper_repairs(
    order_with_lines, activate_plugin, channel_USD, staff_user, django_capture_on_commit_callbacks,
):
    from saleor.plugins.models import PluginConfiguration

    from saypro_invoicing.sla.sweeper import sweep

    order = order_with_lines
    row = activate_plugin(channel_USD)
    # Written around pluginUpdate's validation (a bad migration, a manual edit): the hook must not raise.
    PluginConfiguration.objects.filter(pk=row.pk).update(configuration=[
        *row.configuration, {"name": "invoice_number_format", "value": "INV-{nope}"}])
    manager = get_plugins_manager(allow_replica=False)

    with django_capture_on_commit_callbacks(execute=True):
        mark_order_as_paid_with_transaction(order, staff_user, None, manager)

    order.refresh_from_db()
    assert order.charge_status == "full"  # Saleor's flow went through
    assert not _documents(order).exists()
    assert StaffAlert.objects.filter(channel=channel_USD.slug, message__contains="order_fully_paid").exists()

    activate_plugin(channel_USD)  # fixed
    result = sweep(lookback_days=1, channels=[channel_USD.slug], now=order.updated_at + _minutes(30))
    assert result.documents_issued == 2
    assert sorted(_documents(order).values_list("type", flat=True)) == ["invoice", "receipt"]


def _minutes(count):
    from datetime import timedelta

    return timedelta(minutes=count)


DISCOUNT_ADD = """
mutation ($orderId: ID!, $input: OrderDiscountCommonInput!) { orderDiscountAdd(orderId: $orderId, input: $input) {
  errors { field code message }
} }
"""
DRAFT_COMPLETE = """
mutation ($id: ID!) { draftOrderComplete(id: $id) { order { status } errors { field code message } } }
"""


@pytest.mark.parametrize("value_type", ["FIXED", "PERCENTAGE"])
def test_order_level_discount_is_spread_over_lines_and_passes_the_gate(
    value_type, draft_order, saypro_channel, orders_staff_api_client,
):
    # Saleor 3.20+ propagates order-level discounts into line totals and shipping: shown, never subtracted twice.
    order = draft_order
    order_id = graphene.Node.to_global_id("Order", order.pk)
    response = orders_staff_api_client.post_graphql(DISCOUNT_ADD, {
        "orderId": order_id, "input": {"valueType": value_type, "value": "7.5", "reason": "Loyal customer"}})
    assert get_graphql_content(response)["data"]["orderDiscountAdd"]["errors"] == []
    response = orders_staff_api_client.post_graphql(DRAFT_COMPLETE, {"id": order_id})
    assert get_graphql_content(response)["data"]["draftOrderComplete"]["errors"] == []
    response = orders_staff_api_client.post_graphql(MARK_AS_PAID, {"id": order_id})
    assert get_graphql_content(response)["data"]["orderMarkAsPaid"]["errors"] == []

    order.refresh_from_db()
    assert order.discounts.count() == 1 and order.discounts.get().amount_value > 0
    invoice = _documents(order, "invoice").get()
    assert invoice.status == DocumentStatus.ISSUED, invoice.review_reasons
    snapshot = invoice.document_content.order
    assert [d.included_in_lines for d in snapshot.discounts] == [True]
    assert snapshot.discounts[0].amount_gross == order.discounts.get().amount_value
    assert sum(line.total_gross for line in snapshot.lines) + snapshot.shipping_gross == snapshot.total_gross
    assert invoice.total == order.total_gross_amount


def test_snapshot_reads_a_fixed_number_of_queries(order_with_lines, saypro_channel, app_api_client,
                                                  permission_manage_payments):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saypro_invoicing.hosts.saleor.host import SaleorHost

    order = order_with_lines
    _charge(app_api_client, permission_manage_payments, order, Decimal("1.00"), psp="a")
    with CaptureQueriesContext(connection) as one:
        snapshot = SaleorHost().snapshot(str(order.pk))
    assert len(snapshot.payments) == 1
    for psp in ("b", "c", "d"):
        _charge(app_api_client, permission_manage_payments, order, Decimal("1.00"), psp=psp)
    with CaptureQueriesContext(connection) as four:
        snapshot = SaleorHost().snapshot(str(order.pk))
    assert len(snapshot.payments) == 4 and snapshot.total_charged == Decimal("4.00")
    assert len(four) == len(one)


ORDER_CANCEL = """
mutation ($id: ID!) { orderCancel(id: $id) { order { status } errors { field code message } } }
"""


def test_cancelling_an_invoiced_order_issues_one_credit_note_and_a_later_refund_no_second(
    order_with_lines, saypro_channel, orders_staff_api_client, app_api_client, permission_manage_payments,
):
    order = order_with_lines
    transaction_id = _charge(app_api_client, permission_manage_payments, order, order.total_gross_amount)
    invoice = _documents(order, "invoice").get()

    response = orders_staff_api_client.post_graphql(ORDER_CANCEL, {"id": graphene.Node.to_global_id("Order", order.pk)})
    data = get_graphql_content(response)["data"]["orderCancel"]
    assert data["errors"] == [] and data["order"]["status"] == "CANCELED"
    credit_note = _documents(order, "credit_note").get()
    assert credit_note.total == invoice.total and credit_note.trigger_key.endswith(":credit_note:cancel")

    # The money goes back afterwards: the invoice is already fully credited.
    response = app_api_client.post_graphql(EVENT_REPORT, {
        "id": transaction_id, "type": "REFUND_SUCCESS", "amount": order.total_gross_amount, "psp": "refund-all"})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []
    assert _documents(order, "credit_note").count() == 1
