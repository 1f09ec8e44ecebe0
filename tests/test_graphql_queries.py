"""billingDocuments: filters, search, sorting, pagination, bad input, and a fixed query count per page."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saypro_invoicing import corrections, issuing
from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.graphql.permissions import visible_documents
from saypro_invoicing.hosts.protocol import Requestor
from saypro_invoicing.hosts.sandbox.sample import DEMO_CONFIGURATION, build_snapshot, ensure_channel
from saypro_invoicing.models import BillingDocument, DeliveryAttempt
from saypro_invoicing.models.documents import DeliveryStatus
from saypro_invoicing.snapshot import Address, DocumentType, Payment
from saypro_invoicing.triggers import Planned
from tests.graphql_support import error_codes

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
QUERY = """
query($first: Int, $last: Int, $after: String, $before: String, $filter: BillingDocumentFilterInput,
      $search: String, $sortBy: BillingDocumentSortingInput, $channel: String) {
  billingDocuments(first: $first, last: $last, after: $after, before: $before, filter: $filter, search: $search,
                   sortBy: $sortBy, channel: $channel) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number orderNumber type total { amount currency } } }
  }
}"""


def make_doc(kind: str, order_number: str, at: datetime, *, currency: str = "EUR", channel: str = "default-channel",
             email: str = "zoe@example.com", name: tuple[str, str] = ("Zoe", "Zimmer"), paid: bool = False,
             unit: str = "19.99") -> BillingDocument:
    # Its own number format, so that numbers are unique across the two channels' sequences.
    overrides = {"invoice_number_format": "US-{year}-{number:06d}"} if channel == "us-channel" else {}
    config = ChannelConfig.from_mapping({**DEMO_CONFIGURATION, **overrides}, channel=channel)
    address = Address(first_name=name[0], last_name=name[1], street_address_1="Main Street 5", city="Berlin",
                      postal_code="10115", country="DE")
    snapshot = build_snapshot(number=order_number, currency=currency, channel=channel, email=email,
                              billing_address=address, lines=[("Tea", "T-1", 1, unit, "0.07")], shipping=None,
                              created_at=at)
    snapshot = dataclasses.replace(snapshot, order_id=f"order-{order_number}", status="unfulfilled")
    if paid or kind == "receipt":
        payment = Payment(reference="p1", amount=snapshot.total_gross, captured_at=at, method="Card")
        snapshot = dataclasses.replace(snapshot, payments=(payment,), total_charged=snapshot.total_gross, paid_at=at)
        plan = (Planned(DocumentType.RECEIPT, f"{snapshot.order_id}:receipt:p1", at, payment=payment,
                        amount=snapshot.total_gross) if kind == "receipt" else None)
    if kind == "invoice":
        plan = Planned(DocumentType.INVOICE, f"{snapshot.order_id}:invoice:auto", at, amount=snapshot.total_gross)
    return issuing.issue(snapshot, config, plan, send=False, now=at).document


@pytest.fixture
def catalog(shop):
    ensure_channel("us-channel")
    docs = {
        "inv_jan": make_doc("invoice", "1001", T0 - timedelta(days=50)),
        "rct_feb": make_doc("receipt", "1002", T0 - timedelta(days=24), email="yann@example.com",
                            name=("Yann", "Young")),
        "inv_usd": make_doc("invoice", "1003", T0, currency="USD", paid=True, unit="99.00",
                            email="xena@example.com", name=("Xena", "Xu")),
        "inv_us": make_doc("invoice", "1004", T0 + timedelta(days=14), currency="JPY", channel="us-channel",
                           unit="1200", email="will@example.com", name=("Will", "Wu")),
        "inv_mar": make_doc("invoice", "1005", T0 + timedelta(days=20), unit="5.00"),
    }
    issuing.void(docs["inv_jan"], ChannelConfig.from_mapping(DEMO_CONFIGURATION, channel="default-channel"),
                 docs["inv_jan"].document_content.order, reason="test", now=T0 - timedelta(days=40), send=False)
    docs["cn_jan"] = BillingDocument.objects.get(corrects=docs["inv_jan"])
    BillingDocument.objects.filter(pk=docs["rct_feb"].pk).update(delivery_status=DeliveryStatus.DELIVERED)
    corrections.request_correction(docs["inv_mar"], reason="Company name", company_name="Zoe AG")
    for key in docs:
        docs[key].refresh_from_db()
    # Only this test's documents: the shop fixture's come from other orders.
    shop.catalog = docs
    return shop


def run(shop, role="staff", **variables):
    variables.setdefault("first", 100)
    return shop.caller(role).gql(QUERY, variables)


def numbers(result) -> list[str]:
    return [edge["node"]["number"] for edge in result["data"]["billingDocuments"]["edges"]]


def catalog_numbers(shop, *keys) -> set[str]:
    return {shop.catalog[k].number for k in keys}


def only_catalog(shop, result) -> set[str]:
    everything = {d.number for d in shop.catalog.values()}
    return set(numbers(result)) & everything


@pytest.mark.parametrize("filter_, keys", [
    ({"type": ["RECEIPT"]}, {"rct_feb"}),
    ({"type": ["CREDIT_NOTE"]}, {"cn_jan"}),
    ({"status": ["VOID"]}, {"inv_jan"}),
    ({"deliveryStatus": ["DELIVERED"]}, {"rct_feb"}),
    ({"orderNumber": "1003"}, {"inv_usd"}),
    ({"currency": "usd"}, {"inv_usd"}),
    ({"channel": "us-channel"}, {"inv_us"}),
    ({"customerEmail": "XENA@example.com"}, {"inv_usd"}),
    ({"issuedAt": {"gte": "2026-02-01T00:00:00+00:00", "lte": "2026-03-10T00:00:00+00:00"}}, {"rct_feb", "inv_usd"}),
    ({"dueAt": {"gte": "2026-03-25T00:00:00+00:00"}}, {"inv_us", "inv_mar"}),
    ({"unpaidOnly": True, "channel": "default-channel"}, {"inv_mar"}),
    ({"correctionStatus": ["OPEN"]}, {"inv_mar"}),
])
def test_filters(catalog, filter_, keys):
    result = run(catalog, filter=filter_)
    assert "errors" not in result, result
    assert only_catalog(catalog, result) == catalog_numbers(catalog, *keys)


def test_number_filter_and_channel_argument(catalog):
    number = catalog.catalog["inv_usd"].number
    assert numbers(run(catalog, filter={"number": number})) == [number]
    assert numbers(run(catalog, channel="us-channel")) == [catalog.catalog["inv_us"].number]


@pytest.mark.parametrize("text, keys", [
    ("1002", {"rct_feb"}), ("young", {"rct_feb"}), ("xena@", {"inv_usd"}), ("Wu", {"inv_us"}),
])
def test_search(catalog, text, keys):
    assert only_catalog(catalog, run(catalog, search=text)) == catalog_numbers(catalog, *keys)


def test_search_by_number_and_fragment(catalog):
    number = catalog.catalog["cn_jan"].number
    assert numbers(run(catalog, search=number)) == [number]
    assert numbers(run(catalog, search="cn-")) == [number]


def test_sorting(catalog):
    keys = ["inv_jan", "cn_jan", "rct_feb", "inv_usd", "inv_us", "inv_mar"]
    by_date = [catalog.catalog[k].number for k in keys]

    def sorted_numbers(field, direction):
        result = run(catalog, sortBy={"field": field, "direction": direction})
        return [n for n in numbers(result) if n in set(by_date)]

    assert sorted_numbers("ISSUED_AT", "ASC") == by_date
    assert sorted_numbers("ISSUED_AT", "DESC") == by_date[::-1]
    assert sorted_numbers("NUMBER", "ASC") == sorted(by_date)
    by_total = sorted(keys, key=lambda k: catalog.catalog[k].total)
    assert sorted_numbers("TOTAL", "ASC") == [catalog.catalog[k].number for k in by_total]
    assert sorted_numbers("TOTAL", "DESC")[0] == catalog.catalog["inv_us"].number  # 1200 JPY
    amounts = [e["node"]["total"]["amount"] for e in run(catalog, sortBy={"field": "TOTAL", "direction": "DESC"})[
        "data"]["billingDocuments"]["edges"]]
    assert amounts == sorted(amounts, reverse=True)


def test_default_order_is_newest_first(catalog):
    ours = [n for n in numbers(run(catalog)) if n in catalog_numbers(catalog, *catalog.catalog)]
    assert ours[0] == catalog.catalog["inv_mar"].number


def test_forward_and_backward_pagination(catalog):
    everything = numbers(run(catalog))
    total = len(everything)
    assert total > 6
    seen, after, pages = [], None, 0
    while True:
        result = run(catalog, first=3, after=after)
        connection_ = result["data"]["billingDocuments"]
        assert connection_["totalCount"] == total
        seen += numbers(result)
        pages += 1
        assert connection_["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not connection_["pageInfo"]["hasNextPage"]:
            break
        after = connection_["pageInfo"]["endCursor"]
    assert seen == everything and pages == -(-total // 3)
    last_two = run(catalog, first=None, last=2)
    assert numbers(last_two) == everything[-2:]
    info = last_two["data"]["billingDocuments"]["pageInfo"]
    assert info["hasPreviousPage"] and not info["hasNextPage"]
    before = run(catalog, first=None, last=2, before=info["startCursor"])
    assert numbers(before) == everything[-4:-2]
    empty = run(catalog, first=0)
    assert numbers(empty) == [] and empty["data"]["billingDocuments"]["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize("variables, code, field", [
    ({"first": 101}, "OUT_OF_RANGE", "first"),
    ({"first": -1}, "OUT_OF_RANGE", "first"),
    ({"first": None}, "REQUIRED", "first"),
    ({"first": 5, "last": 5}, "INVALID", "last"),
    ({"after": "bm90LWEtY3Vyc29y"}, "INVALID", "after"),
    ({"after": "%%%"}, "INVALID", "after"),
    ({"filter": {"issuedAt": {"gte": "2026-03-02T00:00:00+00:00", "lte": "2026-03-01T00:00:00+00:00"}}},
     "INVALID_DATE_RANGE", "issuedAt"),
    ({"filter": {"dueAt": {"gte": "2026-03-02T00:00:00+00:00", "lte": "2026-03-01T00:00:00+00:00"}}},
     "INVALID_DATE_RANGE", "dueAt"),
    ({"filter": {"currency": "XXQ"}}, "INVALID_CURRENCY", "currency"),
    ({"filter": {"orderNumber": "9" * 255}}, "TOO_LONG", "orderNumber"),
    ({"search": "s" * 257}, "TOO_LONG", "search"),
])
def test_bad_list_arguments_are_coded_errors(catalog, variables, code, field):
    result = run(catalog, **variables)
    assert result["data"]["billingDocuments"] is None
    assert error_codes(result) == [code]
    assert result["errors"][0]["extensions"] == {"code": code, "field": field, "exception": {"code": code}}


@pytest.mark.parametrize("filter_", [{"type": ["BOGUS"]}, {"status": ["issued"]}, {"deliveryStatus": ["LOST"]}])
def test_unknown_enum_values_are_validation_errors(catalog, filter_):
    response = catalog.caller("staff").post(QUERY, {"first": 5, "filter": filter_})
    assert response.status_code == 400
    body = response.json()
    assert body.get("data") is None and error_codes(body) == ["GraphQLError"]
    inline = catalog.caller("staff").post("{ billingDocuments(first: 5, sortBy: {field: DATE, direction: ASC}) "
                                          "{ totalCount } }")
    assert inline.status_code == 400


def test_bad_document_ids(catalog):
    staff, customer = catalog.caller("staff"), catalog.caller("customer_a")
    one = "query($id: ID!) { billingDocument(id: $id) { number } }"
    invalid = ["garbage", global_id("Order", catalog.catalog["inv_mar"].id), global_id("BillingDocument", "12")]
    for value in invalid:
        for caller in (staff, customer):
            result = caller.gql(one, {"id": value})
            assert result["data"]["billingDocument"] is None and error_codes(result) == ["INVALID"]
    unknown = global_id("BillingDocument", "9b2f3f4e-0000-4000-8000-000000000000")
    result = staff.gql(one, {"id": unknown})
    assert result == {"data": {"billingDocument": None}}
    result = customer.gql(one, {"id": unknown})
    assert error_codes(result) == ["PERMISSION_DENIED"]


def test_channel_restricted_staff_see_only_their_channels(catalog):
    limited = Requestor(user_id="1", can_manage_orders=True, channels=frozenset({"us-channel"}))
    assert list(visible_documents(limited).values_list("number", flat=True)) == [catalog.catalog["inv_us"].number]


def test_view_rejects_malformed_requests(shop):
    client = shop.caller("staff").client
    assert client.get("/graphql/").status_code == 405
    assert client.post("/graphql/", data="{not json", content_type="application/json").status_code == 400
    assert client.post("/graphql/", data='{"query": 1}', content_type="application/json").status_code == 400
    syntax = client.post("/graphql/", data='{"query": "{ billingDocuments("}', content_type="application/json")
    assert syntax.status_code == 400 and syntax.json()["errors"]


FULL = """
query($first: Int) {
  billingDocuments(first: $first, sortBy: {field: NUMBER, direction: ASC}) {
    totalCount
    edges { node {
      id number type status issuedAt dueAt currency total { amount currency } paymentStatus orderNumber order { id }
      customerName billingAddress { city } deliveryStatus downloadUrl reviewReasons { code }
      deliveries { channel recipient status error startedAt finishedAt }
      correctsDocument { number } correctedBy { number type }
      correctionRequests { status creditNote { number } correctedInvoice { number } document { number } }
    } }
  }
}"""


def test_query_count_does_not_grow_with_page_size(shop):
    config = ChannelConfig.from_mapping(DEMO_CONFIGURATION, channel="default-channel")
    for index in range(50):
        invoice = make_doc("invoice", f"N-{index:03d}", T0 + timedelta(minutes=index), unit="10.00")
        issuing.void(invoice, config, invoice.document_content.order, reason="n+1", send=False)
        corrections_target = make_doc("invoice", f"M-{index:03d}", T0 + timedelta(minutes=index), unit="12.00")
        corrections.request_correction(corrections_target, reason="Typo")
    for document in BillingDocument.objects.all():
        for attempt_number in (1, 2):
            DeliveryAttempt.objects.create(document=document, recipient=document.customer_email or "x@example.com",
                                           status="sent", attempt_number=attempt_number, started_at=T0)
    assert BillingDocument.objects.count() >= 150
    staff = shop.caller("staff")

    def count(first: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = staff.gql(FULL, {"first": first})
        assert "errors" not in result, result
        edges = result["data"]["billingDocuments"]["edges"]
        assert len(edges) == first
        assert any(e["node"]["deliveries"] for e in edges)
        return len(queries.captured_queries)

    one, hundred = count(1), count(100)
    assert one == hundred, (one, hundred)
    assert hundred <= 15
    page = staff.gql(FULL, {"first": 100})["data"]["billingDocuments"]["edges"]
    assert any(e["node"]["correctedBy"] for e in page) and any(e["node"]["correctsDocument"] for e in page)
    assert any(e["node"]["correctionRequests"] for e in page)


def test_money_and_amounts(catalog):
    result = run(catalog, filter={"orderNumber": "1004"})
    [edge] = result["data"]["billingDocuments"]["edges"]
    assert edge["node"]["total"] == {"amount": 1200.0, "currency": "JPY"}
    assert catalog.catalog["inv_us"].total == Decimal("1200")
