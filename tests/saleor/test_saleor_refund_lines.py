"""Saleor's granted refunds name lines and shipping: the credit note credits exactly those, each at its rate.

The refund request event is written as ``transactionRequestRefundForGrantedRefund`` writes it once the
payment app answered with its PSP reference (that mutation needs a live payment app's webhook); the
success is then reported through Saleor's real ``transactionEventReport``, which links it to the grant.
"""

from __future__ import annotations

from decimal import Decimal

import graphene
import pytest
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import OrderGrantedRefund
from saleor.payment import TransactionEventType
from saleor.payment.models import TransactionEvent, TransactionItem

from saypro_invoicing.hosts.saleor.adapters import load_order, order_snapshot
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.snapshot import RefundLine

from .saleor_setup import assert_totals_add_up

pytestmark = [pytest.mark.saleor]

TRANSACTION_CREATE = """
mutation ($id: ID!, $transaction: TransactionCreateInput!) {
  transactionCreate(id: $id, transaction: $transaction) { transaction { id } errors { field code message } }
}
"""
GRANT_REFUND = """
mutation ($id: ID!, $input: OrderGrantRefundCreateInput!) {
  orderGrantRefundCreate(id: $id, input: $input) {
    grantedRefund { id amount { amount } shippingCostsIncluded }
    errors { field code message }
  }
}
"""
EVENT_REPORT = """
mutation ($id: ID!, $amount: PositiveDecimal!, $psp: String!) {
  transactionEventReport(id: $id, type: REFUND_SUCCESS, amount: $amount, pspReference: $psp) {
    errors { field code message }
  }
}
"""
CENT = Decimal("0.01")


def _second_line_at_reduced_rate(order) -> None:
    """Line 2 of Saleor's fixture order at 7 % (line 1 stays at 23 %); the order's totals follow."""
    lines = sorted(order.lines.all(), key=lambda line: (line.created_at, str(line.pk)))
    line = lines[1]
    gross = (line.unit_price_net_amount * Decimal("1.07")).quantize(CENT)
    line.tax_rate = Decimal("0.07")
    line.unit_price_gross_amount = line.undiscounted_unit_price_gross_amount = gross
    line.base_unit_price_amount = line.unit_price_net_amount
    line.total_price_gross_amount = line.undiscounted_total_price_gross_amount = gross * line.quantity
    line.save()
    net = sum((item.total_price_net_amount for item in order.lines.all()), Decimal(0))
    gross_total = sum((item.total_price_gross_amount for item in order.lines.all()), Decimal(0))
    order.subtotal_net_amount, order.subtotal_gross_amount = net, gross_total
    order.total_net_amount = order.undiscounted_total_net_amount = net + order.shipping_price_net_amount
    order.total_gross_amount = order.undiscounted_total_gross_amount = gross_total + order.shipping_price_gross_amount
    order.save()
    assert_totals_add_up(order)


def _paid(order, app_api_client, permission_manage_payments) -> str:
    response = app_api_client.post_graphql(TRANSACTION_CREATE, {
        "id": graphene.Node.to_global_id("Order", order.pk),
        "transaction": {"name": "Credit Card", "pspReference": "charge-1", "availableActions": ["REFUND"],
                        "amountCharged": {"amount": order.total_gross_amount, "currency": order.currency}},
    }, permissions=[permission_manage_payments], check_no_permissions=False)
    data = get_graphql_content(response)["data"]["transactionCreate"]
    assert data["errors"] == []
    invoice = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert invoice.status == DocumentStatus.ISSUED, invoice.review_reasons
    return data["transaction"]["id"]


def _grant_and_refund(client, app_api_client, order, transaction_id, *, lines=(), shipping=False, psp="refund-1"):
    response = client.post_graphql(GRANT_REFUND, {
        "id": graphene.Node.to_global_id("Order", order.pk),
        "input": {"lines": [{"id": graphene.Node.to_global_id("OrderLine", line.pk), "quantity": quantity}
                            for line, quantity in lines],
                  "grantRefundForShipping": shipping, "transactionId": transaction_id, "reason": "Returned"},
    })
    data = get_graphql_content(response)["data"]["orderGrantRefundCreate"]
    assert data["errors"] == []
    amount = Decimal(str(data["grantedRefund"]["amount"]["amount"]))
    granted = OrderGrantedRefund.objects.get(pk=graphene.Node.from_global_id(data["grantedRefund"]["id"])[1])
    item = TransactionItem.objects.get(token=graphene.Node.from_global_id(transaction_id)[1])
    TransactionEvent.objects.create(transaction=item, type=TransactionEventType.REFUND_REQUEST, amount_value=amount,
                                    currency=order.currency, psp_reference=psp, related_granted_refund=granted,
                                    include_in_calculations=True)
    response = app_api_client.post_graphql(EVENT_REPORT, {"id": transaction_id, "amount": amount, "psp": psp})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []
    return amount


def test_granted_refund_with_a_line_credits_that_line_at_its_own_rate(
    order_with_lines, saypro_channel, orders_staff_api_client, app_api_client, permission_manage_payments,
):
    order = order_with_lines
    _second_line_at_reduced_rate(order)
    transaction_id = _paid(order, app_api_client, permission_manage_payments)
    reduced = sorted(order.lines.all(), key=lambda line: (line.created_at, str(line.pk)))[1]

    amount = _grant_and_refund(orders_staff_api_client, app_api_client, order, transaction_id,
                               lines=[(reduced, 1)])

    assert amount == reduced.unit_price_gross_amount  # Saleor's own figure for one unit
    refund = order_snapshot(load_order(str(order.pk))).refunds[0]
    assert refund.lines == (RefundLine(str(reduced.pk), 1),) and refund.includes_shipping is False
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.status == DocumentStatus.ISSUED, credit_note.review_reasons
    assert credit_note.total == amount
    model = credit_note.document_content.model
    [line] = model["lines"]
    assert line["host_line_id"] == str(reduced.pk) and Decimal(line["quantity"]) == 1
    assert Decimal(line["vat_rate"]) == Decimal("0.07") and Decimal(line["net_amount"]) == reduced.unit_price_net_amount
    # Its VAT is 7 % of one unit, nothing spread over the order's 23 % line.
    assert [(Decimal(r["rate"]), Decimal(r["tax_amount"])) for r in model["vat_breakdown"]] == [
        (Decimal("0.07"), amount - reduced.unit_price_net_amount)]


def test_granted_shipping_refund_credits_shipping_at_its_rate(
    order_with_lines, saypro_channel, orders_staff_api_client, app_api_client, permission_manage_payments,
):
    order = order_with_lines
    transaction_id = _paid(order, app_api_client, permission_manage_payments)

    amount = _grant_and_refund(orders_staff_api_client, app_api_client, order, transaction_id, shipping=True)

    assert amount == order.shipping_price_gross_amount
    refund = order_snapshot(load_order(str(order.pk))).refunds[0]
    assert refund.lines == () and refund.includes_shipping is True
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.status == DocumentStatus.ISSUED, credit_note.review_reasons
    model = credit_note.document_content.model
    [line] = model["lines"]
    assert Decimal(line["gross_amount"]) == order.shipping_price_gross_amount
    assert Decimal(line["net_amount"]) == order.shipping_price_net_amount
    assert Decimal(line["vat_rate"]) == order.shipping_tax_rate.normalize()


def test_snapshot_reads_line_ids_buyer_metadata_company_and_tax_exemption(order_with_lines):
    order = order_with_lines
    order.metadata = {"invoicing.buyer_vat_id": "de 123.456.789", "invoicing.purchase_order_reference": "PO-77",
                      "invoicing.buyer_electronic_address": "0088:4035811991021"}
    order.tax_exemption = True
    order.save(update_fields=["metadata", "tax_exemption"])
    order.billing_address.company_name = "Buyer AG"
    order.billing_address.save(update_fields=["company_name"])

    snapshot = order_snapshot(load_order(str(order.pk)))

    assert {line.line_id for line in snapshot.lines} == {str(line.pk) for line in order.lines.all()}
    assert snapshot.buyer_vat_id == "DE123456789" and snapshot.buyer_order_reference == "PO-77"
    assert (snapshot.buyer_electronic_scheme, snapshot.buyer_electronic_address) == ("0088", "4035811991021")
    assert snapshot.billing_address.company_name == "Buyer AG"
    assert snapshot.tax_exempt is True


FULFILLMENT_REFUND = """
mutation ($order: ID!, $input: OrderRefundProductsInput!) {
  orderFulfillmentRefundProducts(order: $order, input: $input) {
    fulfillment { status lines { quantity orderLine { id } } }
    errors { field code message }
  }
}
"""


def test_legacy_refund_of_order_lines_and_shipping_credits_those_lines(
    order_with_lines, saypro_channel, orders_staff_api_client, payment_txn_captured, settings,
):
    """orderFulfillmentRefundProducts refunds a legacy payment (captured in full) through Saleor's dummy gateway."""
    from saypro_invoicing import events

    from .saleor_setup import PLUGIN_PATH

    settings.PLUGINS = [PLUGIN_PATH, "saleor.payment.gateways.dummy.plugin.DeprecatedDummyGatewayPlugin"]
    order = order_with_lines
    events.order_changed(str(order.pk))  # the capture: invoice and receipt
    invoice = BillingDocument.objects.get(order_id=str(order.pk), type="invoice")
    assert invoice.status == DocumentStatus.ISSUED, invoice.review_reasons
    line = sorted(order.lines.all(), key=lambda item: (item.created_at, str(item.pk)))[0]

    response = orders_staff_api_client.post_graphql(FULFILLMENT_REFUND, {
        "order": graphene.Node.to_global_id("Order", order.pk),
        "input": {"orderLines": [{"orderLineId": graphene.Node.to_global_id("OrderLine", line.pk), "quantity": 2}],
                  "includeShippingCosts": True}})
    data = get_graphql_content(response)["data"]["orderFulfillmentRefundProducts"]
    assert data["errors"] == [] and data["fulfillment"]["status"] == "REFUNDED"

    refund = order_snapshot(load_order(str(order.pk))).refunds[0]
    assert refund.lines == (RefundLine(str(line.pk), 2),) and refund.includes_shipping is True
    events.order_changed(str(order.pk))  # idempotent: whatever the hooks already issued stays one credit note
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.status == DocumentStatus.ISSUED, credit_note.review_reasons
    assert credit_note.total == line.unit_price_gross_amount * 2 + order.shipping_price_gross_amount
    model = credit_note.document_content.model
    assert [(item["host_line_id"], Decimal(item["quantity"])) for item in model["lines"]] == [(str(line.pk), 2)]
    assert [Decimal(charge["gross_amount"]) for charge in model["charges"]] == [order.shipping_price_gross_amount]
