"""Generated GraphQL requests against every root field and mutation of ours, by every kind of caller.

Each case: a document built from the schema (tests/fuzz/documents.py) with hostile, ordinary and
wrongly typed arguments, sent over HTTP by one of the seven callers. Target: no server error, no
traceback, no database error, no leak (tests/fuzz/oracle.py). A few hand-made attacks on the limits
(depth, aliases, cost, fragment bombs, hostile bodies) run in every case too.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from saypro_invoicing.graphql import limits
from saypro_invoicing.graphql.schema import get_schema
from tests.fuzz import oracle
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.documents import cases, nested_bomb
from tests.graphql_support import ROLES

pytestmark = pytest.mark.django_db

EXAMPLES = 1300
AREA = "graphql"


def _send(shop, role: str, case) -> str:
    caller = shop.caller(role)
    try:
        response = caller.client.post("/graphql/", data=json.dumps({"query": case.document,
                                                                    "variables": case.variables}),
                                      content_type="application/json", **caller.headers())
    except Exception as exc:  # noqa: BLE001 - the view let an exception out: that is the finding
        oracle.classify_exception(AREA, exc)
        raise
    return oracle.graphql_outcome(AREA, role, case.field, response, shop.matrix)


def test_generated_graphql_requests(fuzz_shop):
    schema = get_schema()

    @fuzz_settings(EXAMPLES)
    @given(data=st.data())
    def run(data):
        role = data.draw(st.sampled_from(ROLES))
        case = data.draw(cases(schema, fuzz_shop.pools))
        oracle.record(AREA, _send(fuzz_shop, role, case))

    run()
    assert oracle.total(AREA) >= EXAMPLES * oracle.SCALE


HOSTILE_BODIES = [
    b"", b"{", b"[]", b"null", b'"query"', b'{"query": 5}', b'{"query": "{ me { id } }", "variables": []}',
    b'{"query": "{ me { id } }", "operationName": ["x"]}', b'{"query": "\\u0000"}', b'{"query": "{" }',
    b"\xff\xfe\x00", b'{"query": "' + b"{ me " * 3000 + b'"}', b'{"query": "query { __typename }"}',
]


def test_hostile_bodies_are_client_errors(db):
    client = Client()
    for body in HOSTILE_BODIES:
        response = client.post("/graphql/", data=body, content_type="application/json")
        assert response.status_code in (200, 400), (body[:50], response.content)
        oracle.check_traceback(AREA, response.content.decode("utf-8", "replace"))
        assert "Internal Server Error" not in response.content.decode("utf-8", "replace")


def test_limits_refuse_depth_aliases_cost_and_fragment_bombs(fuzz_shop):
    staff = fuzz_shop.caller("staff")
    deep = staff.post(nested_bomb(20))
    assert deep.status_code == 400 and "deeper" in deep.json()["errors"][0]["message"]
    assert staff.post(nested_bomb(5)).status_code == 200
    aliases = "query { " + " ".join(f"a{i}: me {{ id }}" for i in range(60)) + " }"
    response = staff.post(aliases)
    assert response.status_code == 400 and "aliases" in response.json()["errors"][0]["message"]
    # 100 documents x 100 nested lists of documents...: Saleor's way of charging first/last.
    node = ("id deliveries { recipient } downloadUrl correctionRequests { id } correctedBy { id deliveries "
            "{ recipient } downloadUrl correctedBy { id downloadUrl deliveries { recipient } } } correctsDocument "
            "{ id downloadUrl deliveries { recipient } }")
    costly = "query { " + " ".join(f"x{i}: billingDocuments(first: 100) {{ edges {{ node {{ {node} }} }} }}"
                                   for i in range(40)) + " }"
    with pytest.raises(limits.LimitExceeded):
        limits.check(get_schema(), parse(costly), {})
    response = staff.post(costly)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["exception"]["code"] == "QueryCostError"
    fragments = ["fragment F0 on BillingDocument { id }"] + [
        f"fragment F{i} on BillingDocument {{ ...F{i - 1} corrects{i}: correctsDocument {{ ...F{i - 1} }} }}"
        for i in range(1, 30)]
    bomb = "query { billingDocuments(first: 1) { edges { node { ...F29 } } } } " + " ".join(fragments)
    assert staff.post(bomb).status_code == 400
