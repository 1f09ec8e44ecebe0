"""Issue 11 inside Saleor's /graphql/: hostile arguments are coded client errors, wrongly typed variables are
refused before execution, and Saleor's query-cost limit charges our fields."""

from __future__ import annotations

import base64
import json

import pytest
from saleor.graphql.query_cost_map import COST_MAP

pytestmark = [pytest.mark.saleor]

LIST = """query($first: Int, $after: String, $search: String, $filter: BillingDocumentFilterInput) {
  billingDocuments(first: $first, after: $after, search: $search, filter: $filter) { totalCount }
}"""
SLA = "query($period: String!) { billingDocumentSlaReport(period: $period) { channel } }"


def _post(client, query: str, variables: dict) -> tuple[int, dict]:
    response = client.post_graphql(query, variables)
    return response.status_code, json.loads(response.content.decode())


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


@pytest.mark.parametrize("variables, code", [
    ({"first": 5, "search": "INV\x00"}, "INVALID"),
    ({"first": 5, "filter": {"number": "\x00"}}, "INVALID"),
    ({"first": 5, "after": _cursor(2**63)}, "OUT_OF_RANGE"),
    ({"first": 5, "filter": {"issuedAt": {"gte": "9999-12-31T23:59:59+00:00"}}}, "OUT_OF_RANGE"),
])
def test_hostile_arguments_are_coded_errors(saypro_channel, orders_staff_api_client, variables, code):
    status, body = _post(orders_staff_api_client, LIST, variables)
    assert status == 200 and body["data"]["billingDocuments"] is None
    assert [e["extensions"]["code"].upper() for e in body["errors"]] == [code]
    assert "Internal Server Error" not in json.dumps(body)


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "9999-W52"])
def test_sla_periods_out_of_range(saypro_channel, orders_staff_api_client, period):
    status, body = _post(orders_staff_api_client, SLA, {"period": period})
    assert status == 200 and [e["extensions"]["code"].upper() for e in body["errors"]] == ["OUT_OF_RANGE"]


@pytest.mark.parametrize("first", [[5], {"a": 1}, 1e300, "abc", "1e300", 1.5, True])
def test_wrongly_typed_variables_are_client_errors(saypro_channel, orders_staff_api_client, first):
    status, body = _post(orders_staff_api_client, LIST, {"first": first})
    assert status == 400
    assert body["errors"][0]["extensions"]["exception"]["code"] == "GraphQLError"
    assert "Internal Server Error" not in json.dumps(body)


def test_saleors_cost_limit_charges_our_fields(saypro_channel, orders_staff_api_client, settings):
    settings.GRAPHQL_QUERY_MAX_COMPLEXITY = 250
    cheap = "{ billingDocuments(first: 100) { edges { node { id } } } }"
    status, body = _post(orders_staff_api_client, cheap, {})
    assert status == 200 and "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 100  # without our entries: 0
    assert COST_MAP["Query"]["billingDocuments"] == {"complexity": 1, "multipliers": ["first", "last"]}
    assert COST_MAP["User"]["billingDocuments"]["multipliers"] == ["first", "last"]
    assert "Me" not in COST_MAP  # a type Saleor's schema lacks would break Saleor's map validation
    costly = "{ billingDocuments(first: 100) { edges { node { id deliveries { recipient } correctedBy { id } } } } }"
    status, body = _post(orders_staff_api_client, costly, {})
    assert status == 400
    assert body["errors"][0]["extensions"]["cost"] == {"requestedQueryCost": 300, "maximumAvailable": 250}
