"""Who sees what, for every kind of caller, on every query and the document's links."""

from __future__ import annotations

import pytest

from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.graphql.queries import resolve_order_billing_documents
from tests.graphql_support import MANAGERS, ROLES, error_codes, visible_keys

pytestmark = pytest.mark.django_db

LIST = """
query($first: Int) {
  billingDocuments(first: $first) {
    totalCount
    edges { node { id number type status downloadUrl } }
  }
}
"""
ONE = "query($id: ID!) { billingDocument(id: $id) { id number downloadUrl orderNumber } }"
ME = "{ me { id billingDocuments(first: 10) { totalCount edges { node { number } } } } }"


def gid(document) -> str:
    return global_id("BillingDocument", document.id)


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_callers_documents(shop, role):
    result = shop.caller(role).gql(LIST, {"first": 100})
    assert "errors" not in result, result
    nodes = [edge["node"] for edge in result["data"]["billingDocuments"]["edges"]]
    expected = {shop.docs[key] for key in visible_keys(role)}
    assert {n["id"] for n in nodes} == {gid(d) for d in expected}
    assert result["data"]["billingDocuments"]["totalCount"] == len(expected)
    # Held documents never reach customers; staff see them, without a number or a link.
    for node in nodes:
        if node["status"] == "NEEDS_REVIEW":
            assert role in MANAGERS and node["number"] is None and node["downloadUrl"] is None
        else:
            assert node["downloadUrl"].startswith(
                "http://testserver/plugins/channel/default-channel/saypro.invoicing/download/")


@pytest.mark.parametrize("role", ROLES)
def test_single_document_of_customer_a(shop, role):
    document = shop.docs["a_invoice"]
    result = shop.caller(role).gql(ONE, {"id": gid(document)})
    if role in MANAGERS | {"customer_a"}:
        assert "errors" not in result
        assert result["data"]["billingDocument"]["number"] == document.number
        assert result["data"]["billingDocument"]["orderNumber"] == "A-100"
    else:
        assert result["data"]["billingDocument"] is None
        assert error_codes(result) == ["PERMISSION_DENIED"]


@pytest.mark.parametrize("role", ROLES)
def test_held_document_only_for_managers(shop, role):
    result = shop.caller(role).gql(ONE, {"id": gid(shop.docs["a_held"])})
    if role in MANAGERS:
        assert result["data"]["billingDocument"]["number"] is None
        assert result["data"]["billingDocument"]["downloadUrl"] is None
    else:
        assert result["data"]["billingDocument"] is None
        assert error_codes(result) == ["PERMISSION_DENIED"]


@pytest.mark.parametrize("role", ROLES)
def test_me_billing_documents(shop, role):
    result = shop.caller(role).gql(ME)
    assert "errors" not in result, result
    me = result["data"]["me"]
    if role in ("anonymous", "app", "app_without"):
        assert me is None
        return
    numbers = {edge["node"]["number"] for edge in me["billingDocuments"]["edges"]}
    own = {"customer_a": {"a_invoice", "a_receipt"}, "customer_b": {"b_invoice", "b_receipt"}}.get(role, set())
    assert numbers == {shop.docs[key].number for key in own}


@pytest.mark.parametrize("role", [role for role in ROLES if "a_invoice" in visible_keys(role)])
def test_correction_requests_field_is_staff_only(shop, role):
    result = shop.caller(role).gql(
        "query($id: ID!) { billingDocument(id: $id) { number correctionRequests { reason } } }",
        {"id": gid(shop.docs["a_invoice"])})
    document = result["data"]["billingDocument"]
    if role in MANAGERS:
        assert "errors" not in result and document["correctionRequests"] == []
    else:
        assert document["number"] == shop.docs["a_invoice"].number
        assert document["correctionRequests"] is None
        assert error_codes(result) == ["PERMISSION_DENIED"]


def test_customer_cannot_filter_by_customer_email(shop):
    query = 'query { billingDocuments(first: 5, filter: {customerEmail: "bob@example.com"}) { totalCount } }'
    result = shop.caller("customer_a").gql(query)
    assert result["data"]["billingDocuments"] is None
    assert error_codes(result) == ["PERMISSION_DENIED"]
    assert result["errors"][0]["extensions"]["field"] == "customerEmail"
    staff = shop.caller("staff").gql(query)
    assert staff["data"]["billingDocuments"]["totalCount"] == 2


def test_customer_search_never_reaches_other_peoples_documents(shop):
    for text in ("B-200", shop.docs["b_invoice"].number, "bob"):
        result = shop.caller("customer_a").gql(
            "query($s: String) { billingDocuments(first: 10, search: $s) { totalCount } }", {"s": text})
        assert result["data"]["billingDocuments"]["totalCount"] == 0


def test_ids_are_global_uuid_ids_not_sequences(shop):
    from graphql_relay import from_global_id

    result = shop.caller("staff").gql(LIST, {"first": 100})
    for edge in result["data"]["billingDocuments"]["edges"]:
        type_name, raw = from_global_id(edge["node"]["id"])
        assert type_name == "BillingDocument" and len(raw) == 36 and raw.count("-") == 4


@pytest.mark.parametrize("role", ROLES)
def test_order_billing_documents_resolver_for_hosts(shop, role, rf):
    """What the Saleor host hangs on Order.billingDocuments: the order's documents the caller may see."""
    caller = shop.caller(role)
    request = rf.get("/", **caller.headers())
    from django.contrib.auth.models import AnonymousUser

    request.user = caller.user or AnonymousUser()
    info = type("Info", (), {"context": request})()
    documents = resolve_order_billing_documents(shop.orders["a"], info)
    expected = {shop.docs[k] for k in ("a_invoice", "a_receipt")} if role in MANAGERS | {"customer_a"} else set()
    assert set(documents) == expected
    if expected:
        # Oldest first: the sandbox's payment event issues the receipt, then the invoice.
        assert [d.type for d in documents] == ["receipt", "invoice"]


@pytest.mark.parametrize("role", ["customer_a", "staff", "app"])
def test_delivery_attempts_and_their_errors(shop, role):
    from django.utils import timezone

    from saypro_invoicing.models import DeliveryAttempt

    document = shop.docs["a_invoice"]
    DeliveryAttempt.objects.create(document=document, recipient="alice@example.com", status="bounced",
                                   response="550 5.1.1 mx7.internal.example: user unknown", error_code="smtp_550",
                                   started_at=timezone.now(), finished_at=timezone.now())
    result = shop.caller(role).gql(
        "query($id: ID!) { billingDocument(id: $id) { deliveries { channel recipient status error errorCode "
        "startedAt finishedAt } } }", {"id": gid(document)})
    [attempt] = result["data"]["billingDocument"]["deliveries"]
    assert (attempt["channel"], attempt["recipient"], attempt["status"], attempt["errorCode"]) == (
        "EMAIL", "alice@example.com", "BOUNCED", "smtp_550")
    assert attempt["startedAt"] and attempt["finishedAt"]
    expected = "550 5.1.1 mx7.internal.example: user unknown" if role in MANAGERS else "smtp_550"
    assert attempt["error"] == expected
