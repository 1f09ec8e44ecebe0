"""Our fields on Saleor's /graphql/, with Saleor's JWTs and app tokens: who sees what."""

from __future__ import annotations

from decimal import Decimal

import graphene
import pytest
from saleor.account.models import Group
from saleor.graphql.tests.fixtures import ApiClient
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.actions import mark_order_as_paid_with_transaction
from saleor.plugins.manager import get_plugins_manager

from saypro_invoicing.models import BillingDocument

pytestmark = [pytest.mark.saleor]

LIST = """
query { billingDocuments(first: 20, sortBy: {field: NUMBER, direction: ASC}) {
  totalCount
  edges { node { id number type status total { amount currency } orderNumber order { number } downloadUrl } }
} }
"""
ME = """
query { me { email billingDocuments(first: 20) { totalCount edges { node { number type } } } } }
"""
ORDER = """
query ($id: ID!) { order(id: $id) { number billingDocuments { number type } } }
"""
RESEND = """
mutation ($id: ID!, $email: String) { billingDocumentResend(id: $id, email: $email) {
  document { number } errors { field code message }
} }
"""
VOID = """
mutation ($id: ID!) { billingDocumentVoid(id: $id, reason: "Wrong customer") {
  document { number status } errors { field code message }
} }
"""
SLA = """
query ($channel: String) { billingDocumentSlaReport(channel: $channel, period: "last-7-days") {
  invoices { documents issued } receipts { documents }
} }
"""


@pytest.fixture
def paid_order(order_with_lines, saypro_channel, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager = get_plugins_manager(allow_replica=False)
        mark_order_as_paid_with_transaction(order_with_lines, staff_user, None, manager)
    assert BillingDocument.objects.filter(order_id=str(order_with_lines.pk)).count() == 2
    return order_with_lines


def _list(client) -> dict:
    return get_graphql_content(client.post_graphql(LIST))["data"]["billingDocuments"]


def test_staff_with_manage_orders_lists_every_document_with_saleors_order(paid_order, orders_staff_api_client):
    data = _list(orders_staff_api_client)
    assert data["totalCount"] == 2
    nodes = [edge["node"] for edge in data["edges"]]
    assert sorted(n["type"] for n in nodes) == ["INVOICE", "RECEIPT"]
    assert {n["order"]["number"] for n in nodes} == {str(paid_order.number)}
    assert {n["orderNumber"] for n in nodes} == {str(paid_order.number)}
    assert all(n["total"] == {"amount": float(paid_order.total_gross_amount), "currency": "USD"} for n in nodes)
    assert all(n["downloadUrl"].startswith("http://testserver/plugins/channel/") for n in nodes)

    response = orders_staff_api_client.post_graphql(ORDER, {"id": graphene.Node.to_global_id("Order", paid_order.pk)})
    order = get_graphql_content(response)["data"]["order"]
    assert sorted(d["type"] for d in order["billingDocuments"]) == ["INVOICE", "RECEIPT"]


def test_customer_sees_only_their_own_documents(paid_order, user_api_client, user2_api_client, customer_user):
    own = get_graphql_content(user_api_client.post_graphql(ME))["data"]["me"]
    assert own["email"] == customer_user.email and paid_order.user_id == customer_user.pk
    assert own["billingDocuments"]["totalCount"] == 2
    assert _list(user_api_client)["totalCount"] == 2

    other = get_graphql_content(user2_api_client.post_graphql(ME))["data"]["me"]
    assert other["billingDocuments"]["totalCount"] == 0
    assert _list(user2_api_client)["totalCount"] == 0


def test_anonymous_and_staff_without_permission_see_nothing(paid_order, api_client, staff_api_client):
    for client in (api_client, staff_api_client):
        content = client.post_graphql(LIST).json()
        listed = (content.get("data") or {}).get("billingDocuments")
        assert listed is None or listed["totalCount"] == 0, content
    content = api_client.post_graphql(ME).json()
    assert content["data"]["me"] is None


def test_staff_restricted_to_other_channels_see_nothing(paid_order, staff_user, permission_manage_orders,
                                                        channel_PLN):
    group = Group.objects.create(name="PLN order managers", restricted_access_to_channels=True)
    group.permissions.add(permission_manage_orders)
    group.channels.add(channel_PLN)
    group.user_set.add(staff_user)
    assert _list(ApiClient(user=staff_user))["totalCount"] == 0

    group.channels.add(paid_order.channel)
    assert _list(ApiClient(user=staff_user))["totalCount"] == 2


def test_app_with_manage_orders_lists_documents(paid_order, app_api_client, permission_manage_orders):
    app_api_client.app.permissions.add(permission_manage_orders)
    assert _list(app_api_client)["totalCount"] == 2


def test_customer_may_resend_to_themself_but_not_touch_others(paid_order, user_api_client, user2_api_client,
                                                             smtp_server, customer_user):
    invoice = BillingDocument.objects.get(order_id=str(paid_order.pk), type="invoice")
    invoice_id = graphene.Node.to_global_id("BillingDocument", invoice.pk)
    before = len(smtp_server.to(customer_user.email))

    data = get_graphql_content(user_api_client.post_graphql(RESEND, {"id": invoice_id}))["data"]
    assert data["billingDocumentResend"]["errors"] == []
    assert len(smtp_server.to(customer_user.email)) == before + 1

    data = get_graphql_content(user2_api_client.post_graphql(RESEND, {"id": invoice_id}))["data"]
    assert [e["code"] for e in data["billingDocumentResend"]["errors"]] == ["PERMISSION_DENIED"]
    assert len(smtp_server.messages) == len(smtp_server.to(customer_user.email))  # nothing sent to anyone else


def test_staff_void_issues_a_credit_note(paid_order, orders_staff_api_client, user_api_client):
    invoice = BillingDocument.objects.get(order_id=str(paid_order.pk), type="invoice")
    invoice_id = graphene.Node.to_global_id("BillingDocument", invoice.pk)

    data = get_graphql_content(user_api_client.post_graphql(VOID, {"id": invoice_id}))["data"]["billingDocumentVoid"]
    assert [e["code"] for e in data["errors"]] == ["PERMISSION_DENIED"]

    data = get_graphql_content(orders_staff_api_client.post_graphql(VOID, {"id": invoice_id}))["data"]
    assert data["billingDocumentVoid"]["errors"] == []
    assert data["billingDocumentVoid"]["document"]["status"] == "VOID"
    credit_note = BillingDocument.objects.get(order_id=str(paid_order.pk), type="credit_note")
    assert credit_note.corrects_id == invoice.pk


def test_sla_report_for_staff_only(paid_order, orders_staff_api_client, user_api_client):
    report = get_graphql_content(orders_staff_api_client.post_graphql(SLA, {"channel": paid_order.channel.slug}))
    figures = report["data"]["billingDocumentSlaReport"]
    assert figures["invoices"] == {"documents": 1, "issued": 1} and figures["receipts"]["documents"] == 1

    denied = user_api_client.post_graphql(SLA, {"channel": paid_order.channel.slug}).json()
    assert denied["data"]["billingDocumentSlaReport"] is None
    assert denied["errors"][0]["extensions"]["code"].upper() == "PERMISSION_DENIED"


def test_introspection_shows_our_types_once(staff_api_client):
    query = '{ __type(name: "BillingDocument") { name interfaces { name } fields { name } } }'
    described = get_graphql_content(staff_api_client.post_graphql(query))["data"]["__type"]
    assert described["interfaces"] == [{"name": "Node"}]
    assert {"number", "downloadUrl", "order", "deliveries"} <= {f["name"] for f in described["fields"]}
    for type_name in ("Order", "User"):
        query = '{ __type(name: "TYPE") { fields { name } } }'.replace("TYPE", type_name)
        fields = get_graphql_content(staff_api_client.post_graphql(query))["data"]["__type"]["fields"]
        assert "billingDocuments" in {f["name"] for f in fields}


def test_a_page_costs_the_same_queries_for_one_order_or_three(paid_order, orders_staff_api_client, order_generator,
                                                              staff_user, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    orders_staff_api_client.post_graphql(LIST)  # warm Saleor's per-process caches
    with CaptureQueriesContext(connection) as one_order:
        assert _list(orders_staff_api_client)["totalCount"] == 2

    for _ in range(2):
        order = order_generator()
        order.total_gross_amount = order.total_net_amount = Decimal("10.00")
        order.save(update_fields=["total_gross_amount", "total_net_amount"])
        with django_capture_on_commit_callbacks(execute=True):
            mark_order_as_paid_with_transaction(order, staff_user, None, get_plugins_manager(allow_replica=False))
        # A receipt, and an invoice held for review (no lines): staff see both.
        assert BillingDocument.objects.filter(order_id=str(order.pk)).count() == 2
    with CaptureQueriesContext(connection) as three_orders:
        assert _list(orders_staff_api_client)["totalCount"] == 6
    assert len(three_orders) == len(one_order)
