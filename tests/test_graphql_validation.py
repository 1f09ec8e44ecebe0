"""Every argument is validated: the inputs that ended as "Internal Server Error" in issue 11 get coded client errors."""

from __future__ import annotations

import base64
import json

import pytest
from graphql import parse

from saypro_invoicing.graphql import limits
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.graphql.schema import get_schema
from tests.graphql_support import CORRECTION_INPUT, REQUEST, error_codes

pytestmark = pytest.mark.django_db

LIST = """query($first: Int, $after: String, $before: String, $last: Int, $search: String,
               $filter: BillingDocumentFilterInput) {
  billingDocuments(first: $first, after: $after, before: $before, last: $last, search: $search, filter: $filter) {
    totalCount edges { node { id number } }
  }
}"""
SLA = ("query($period: String!, $channel: String) "
       "{ billingDocumentSlaReport(period: $period, channel: $channel) { channel } }")


def cursor(offset) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def codes(result) -> list[str]:
    return [e.get("extensions", {}).get("code") or e["extensions"]["exception"]["code"] for e in result["errors"]]


def no_server_error(response) -> dict:
    assert response.status_code in (200, 400), response.content
    body = response.json()
    assert "Internal Server Error" not in response.content.decode()
    return body


@pytest.mark.parametrize("variables, code, field", [
    ({"first": 5, "search": "INV\x00"}, "INVALID", "search"),
    ({"first": 5, "search": "a\x1bb"}, "INVALID", "search"),
    ({"first": 5, "search": "\ud800"}, "INVALID", "search"),
    ({"first": 5, "search": "x" * 257}, "TOO_LONG", "search"),
    ({"first": 5, "filter": {"number": "INV\x00"}}, "INVALID", "number"),
    ({"first": 5, "filter": {"orderNumber": "\x00"}}, "INVALID", "orderNumber"),
    ({"first": 5, "filter": {"channel": "default\x00"}}, "INVALID", "channel"),
    ({"first": 5, "filter": {"currency": "E\x00R"}}, "INVALID", "currency"),
    ({"first": 5, "filter": {"currency": "XXXX"}}, "TOO_LONG", "currency"),
    ({"first": 5, "after": cursor(2**63)}, "OUT_OF_RANGE", "after"),
    ({"first": 5, "after": cursor(2**64 + 7)}, "OUT_OF_RANGE", "after"),
    ({"first": 5, "after": cursor("9" * 5000)}, "TOO_LONG", "after"),
    ({"first": 5, "after": cursor("9" * 40)}, "OUT_OF_RANGE", "after"),
    ({"last": 5, "before": cursor(2**63)}, "OUT_OF_RANGE", "before"),
    ({"first": 5, "after": cursor(-1)}, "INVALID", "after"),
    ({"first": 5, "after": "b2Zmc2V0OjE\x00"}, "INVALID", "after"),
    ({"first": 101}, "OUT_OF_RANGE", "first"),
    ({"first": 5, "filter": {"issuedAt": {"gte": "9999-12-31T23:59:59"}}}, "OUT_OF_RANGE", "issuedAt.gte"),
    ({"first": 5, "filter": {"issuedAt": {"lte": "9999-12-31T23:59:59-05:00"}}}, "OUT_OF_RANGE", "issuedAt.lte"),
    ({"first": 5, "filter": {"dueAt": {"gte": "0001-01-01T00:00:00+05:00"}}}, "OUT_OF_RANGE", "dueAt.gte"),
    ({"first": 5, "filter": {"issuedAt": {"gte": "2026-12-01T00:00:00Z", "lte": "2026-01-01T00:00:00Z"}}},
     "INVALID_DATE_RANGE", "issuedAt"),
])
def test_bad_list_arguments_get_coded_errors(shop, variables, code, field):
    result = no_server_error(shop.caller("staff").post(LIST, variables))
    assert result["data"]["billingDocuments"] is None
    assert codes(result) == [code]
    assert result["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("first", ["5", [5], 1e300, "1e300", {"a": 1}, True, 2**31, 1.5, "abc"])
def test_wrongly_typed_variables_are_client_errors(shop, first):
    response = shop.caller("customer_a").post(LIST, {"first": first})
    result = no_server_error(response)
    assert response.status_code == 400
    # 2^31 is refused by the cost limit before the scalar sees it; either way a client error.
    assert codes(result) == (["QueryCostError"] if first == 2**31 else ["GraphQLError"])


def test_non_finite_and_structural_mismatches_of_every_scalar(shop):
    query = ("query($id: ID!, $flag: Boolean!) "
             "{ billingDocumentCorrectionResolve(id: $id, approve: $flag) { errors { code } } }")
    for variables in ({"id": [1], "flag": True}, {"id": {"x": 1}, "flag": True}, {"id": "x", "flag": "yes"},
                      {"id": "x", "flag": 1}):
        response = shop.caller("staff").post(query, variables)
        assert response.status_code == 400 and codes(no_server_error(response)) == ["GraphQLError"]
    body = json.dumps({"query": "query($f: Int) { billingDocuments(first: $f) { totalCount } }"})
    for raw in ("Infinity", "NaN", "1e400"):  # what Python's json module reads into floats
        response = shop.caller("staff").client.post("/graphql/", data=body[:-1] + f', "variables": {{"f": {raw}}}}}',
                                                    content_type="application/json")
        assert response.status_code == 400 and codes(no_server_error(response)) == ["GraphQLError"]


@pytest.mark.parametrize("period, code", [
    ("9999-12", "OUT_OF_RANGE"), ("0000-01", "OUT_OF_RANGE"), ("9999-W52", "OUT_OF_RANGE"),
    ("9999-12-31..9999-12-31", "OUT_OF_RANGE"), ("2026-13", "INVALID_DATE_RANGE"),
    ("2026-11-30..2026-11-01", "INVALID_DATE_RANGE"), ("2026-11\x00", "INVALID"), ("x" * 100, "TOO_LONG"),
    ("last-99999-days", "INVALID_DATE_RANGE"), ("", "REQUIRED"),
])
def test_sla_periods_out_of_range(shop, period, code):
    result = no_server_error(shop.caller("staff").post(SLA, {"period": period}))
    assert result["data"]["billingDocumentSlaReport"] is None
    assert codes(result) == [code]


def test_sla_channel_with_nul(shop):
    result = no_server_error(shop.caller("staff").post(SLA, {"period": "2026-11", "channel": "a\x00"}))
    assert codes(result) == ["INVALID"]


@pytest.mark.parametrize("change, field, code", [
    ({"reason": "Wrong\x00name"}, "reason", "INVALID"),
    ({"reason": "x" * 2001}, "reason", "TOO_LONG"),
    ({"reason": "   "}, "reason", "REQUIRED"),
    ({"companyName": "ACME\x00"}, "companyName", "INVALID"),
    ({"vatId": "DE\x07"}, "vatId", "INVALID"),
    ({"billingAddress": {"city": "Ham\x00burg"}}, "billingAddress.city", "INVALID"),
    ({"billingAddress": {"streetAddress1": "\ud800"}}, "billingAddress.streetAddress1", "INVALID"),
])
def test_correction_input_is_checked_before_anything_is_stored(shop, change, field, code):
    document = shop.docs["a_invoice"]
    result = no_server_error(shop.caller("customer_a").post(
        REQUEST, {"id": global_id("BillingDocument", document.id), "input": {**CORRECTION_INPUT, **change}}))
    payload = result["data"]["billingDocumentRequestCorrection"]
    assert payload["correctionRequest"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert not document.correction_requests.exists()


def test_a_multiline_reason_keeps_its_line_breaks(shop):
    document = shop.docs["a_invoice"]
    result = shop.caller("customer_a").gql(REQUEST, {"id": global_id("BillingDocument", document.id),
                                                     "input": {**CORRECTION_INPUT, "reason": "Line one\nLine two"}})
    assert result["data"]["billingDocumentRequestCorrection"]["errors"] == []
    assert document.correction_requests.get().reason == "Line one\nLine two"


@pytest.mark.parametrize("query, variables, field", [
    ('mutation($id: ID!, $r: String!) { billingDocumentVoid(id: $id, reason: $r) { errors { field code } } }',
     {"r": "x\x00"}, "reason"),
    ('mutation($id: ID!, $e: String) { billingDocumentResend(id: $id, email: $e) { errors { field code } } }',
     {"e": "a\x00@example.com"}, "email"),
    ('mutation($o: ID!) { billingDocumentIssue(orderId: $o, type: INVOICE) { errors { field code } } }',
     {"o": "order\x00"}, "orderId"),
    ('mutation($id: ID!) { billingDocumentResend(id: $id) { errors { field code } } }',
     {"id": base64.b64encode(b"BillingDocument:\x00").decode()}, "id"),
])
def test_mutation_strings_with_nul(shop, query, variables, field):
    variables.setdefault("id", global_id("BillingDocument", shop.docs["a_invoice"].id))
    result = no_server_error(shop.caller("staff").post(query, variables))
    payload = next(iter(result["data"].values()))
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "INVALID")]


def test_ids_of_another_type_or_absurd_length(shop):
    query = "query($id: ID!) { billingDocument(id: $id) { id } }"
    for value in (global_id("Order", shop.docs["a_invoice"].id), "x" * 10_000, "\x00", str(2**70)):
        result = no_server_error(shop.caller("staff").post(query, {"id": value}))
        assert error_codes(result) in (["INVALID"], ["TOO_LONG"])


def test_our_fields_are_in_the_cost_map_and_the_view_enforces_it(shop):
    schema = get_schema()
    cost = limits.check(schema, parse("{ billingDocuments(first: 100) { edges { node { id deliveries { recipient } "
                                      "correctedBy { id } } } } }"), {})
    assert cost == 100 + 100 + 100
    assert limits.check(schema, parse("query($n: Int) { billingDocuments(first: $n) { totalCount } }"), {"n": 7}) == 7
    registered: dict = {}
    added = limits.register_costs(registered, schema)
    assert "Query.billingDocuments" in added and "Me.billingDocuments" in added
    assert "Order.billingDocuments" not in added  # the standalone schema has no Order.billingDocuments
    assert all(name in added for name in ("Query.billingDocumentSlaReport", "Mutation.billingDocumentVoid"))
    # Every root field of ours is charged, including those added after limits.COST_MAP was written.
    for root in (schema.get_query_type(), schema.get_mutation_type()):
        assert all(f"{root.name}.{name}" in added for name in root.fields if name.startswith("billingDocument"))
    assert registered["Query"]["billingDocuments"] == {"complexity": 1, "multipliers": ["first", "last"]}
