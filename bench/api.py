"""API: billingDocuments over 100,000 documents in PostgreSQL, through the standalone GraphQL view.

Documents are bulk-inserted with the content JSON of one really issued document (numbers, orders,
customers, channels, types and dates varied), then each query runs through Django's test Client
(middleware, session, authentication, the view, graphene, SQL). Timings and query counts are taken
in separate requests: capturing queries slows the database layer down.
"""

from __future__ import annotations

import gc
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from .stats import latency_summary

CHANNELS = ("default-channel", "channel-us", "channel-pl")
# invoice 60 %, receipt 30 %, credit note 10 %: a shop that issues receipts and sees some refunds.
TYPES = ("invoice",) * 6 + ("receipt",) * 3 + ("credit_note",)
PREFIX = {"invoice": "INV", "receipt": "RCT", "credit_note": "CN"}
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_DAYS = 700
BATCH = 5000
P95_TARGET_MS = 25

FIELDS = """
  edges { cursor node {
    id number type status channel issuedAt dueAt currency total { amount currency }
    paymentStatus paidAt orderNumber customerName customerEmail deliveryStatus
  } }
  pageInfo { hasNextPage endCursor }
"""
STAFF_LIST = "query($first: Int) { billingDocuments(first: $first) {" + FIELDS + "} }"
STAFF_FILTERED = ("query($first: Int, $gte: DateTime, $lte: DateTime) { billingDocuments(first: $first, "
                  "filter: {type: [INVOICE], issuedAt: {gte: $gte, lte: $lte}}) {" + FIELDS + "} }")
STAFF_SEARCH = "query($first: Int, $q: String) { billingDocuments(first: $first, search: $q) {" + FIELDS + "} }"
STAFF_ORDER_FILTER = ("query($first: Int, $n: String) { billingDocuments(first: $first, filter: {orderNumber: $n}) {"
                      + FIELDS + "} }")
CUSTOMER_LIST = "query($first: Int) { me { billingDocuments(first: $first) {" + FIELDS + "} } }"


def template_content() -> dict[str, Any]:
    """The content JSON of one document issued the real way (sample order, payment, issuing)."""
    from saypro_invoicing.events import order_changed
    from saypro_invoicing.hosts.sandbox import sample
    from saypro_invoicing.models import BillingDocument

    from . import documents
    from .env import reset_tables

    sample.ensure_channel()
    order = sample.create_order(lines=documents.lines(5), number="900001", notify=False)
    sample.pay(str(order.id), notify=False)
    order_changed(str(order.id), send=False)
    document = BillingDocument.objects.filter(order_id=str(order.id), type="invoice").get()
    content = document.content
    # TRUNCATE, not delete(): issued documents are protected from deletion during their retention period.
    reset_tables()
    return content


def insert_documents(count: int, customer_ids: list[str], content: dict[str, Any]) -> float:
    from saypro_invoicing.models import BillingDocument

    rng = random.Random(6)
    sequences: dict[tuple[str, str, int], int] = {}
    started = time.perf_counter()
    batch: list[BillingDocument] = []
    for i in range(count):
        doc_type = TYPES[i % len(TYPES)]
        channel = CHANNELS[rng.randrange(len(CHANNELS))]
        issued = START + timedelta(days=SPAN_DAYS * i / count, seconds=rng.randrange(3600))
        key = (channel, doc_type, issued.year)
        sequences[key] = sequence = sequences.get(key, 0) + 1
        order_number = str(200000 + i * 10 // 16)  # about 1.6 documents per order
        customer = customer_ids[rng.randrange(len(customer_ids))]
        total = Decimal(rng.randrange(500, 50000)) / 100
        batch.append(BillingDocument(
            id=uuid.UUID(int=rng.getrandbits(128), version=4), type=doc_type, status="issued", channel=channel,
            order_id=str(uuid.UUID(int=int(order_number), version=4)), order_number=order_number,
            trigger_key=f"bench:{i}", number=f"{PREFIX[doc_type]}-{issued.year}-{sequence:06d}",
            fiscal_year=issued.year, sequence=sequence, currency="EUR", total=total,
            total_net=(total / Decimal("1.19")).quantize(Decimal("0.01")),
            tax_total=total - (total / Decimal("1.19")).quantize(Decimal("0.01")), content=content,
            customer_email=f"customer{customer}@example.com", customer_user_id=customer,
            customer_name=f"Customer {customer}", locale="en", event_at=issued, issued_at=issued,
            rendered_at=issued, first_sent_at=issued, accepted_at=issued,
            delivery_status="delivered" if i % 50 else "sent",
            payment_status={"invoice": "paid", "receipt": "paid", "credit_note": "credited"}[doc_type],
            paid_at=issued if doc_type != "credit_note" else None,
        ))
        if len(batch) == BATCH:
            BillingDocument.objects.bulk_create(batch)
            batch = []
    if batch:
        BillingDocument.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def users(customer_count: int) -> tuple[Any, Any, list[str]]:
    from django.contrib.auth.models import Permission, User

    staff = User.objects.create_user("staff", "staff@shop.example", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="manage_orders",
                                                      content_type__app_label="saypro_sandbox"))
    customer = User.objects.create_user("customer", "customer@example.com")
    # Customer ids as the host stores them (str of the user pk); the signed-in customer is one of them.
    ids = [str(customer.pk)] + [str(10_000 + n) for n in range(customer_count - 1)]
    return staff, customer, ids


class Api:
    def __init__(self, user: Any):
        from django.test import Client

        self.client = Client()
        self.client.force_login(user)

    def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/graphql/", json.dumps({"query": query, "variables": variables}),
                                    content_type="application/json")
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL failed ({response.status_code}): {str(body)[:500]}")
        return body

    def count_queries(self, query: str, variables: dict[str, Any]) -> tuple[int, list[str]]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.post(query, variables)
        return len(captured), [q["sql"] for q in captured.captured_queries]


def edges(body: dict[str, Any]) -> list[Any]:
    data = body["data"]
    connection = data["me"]["billingDocuments"] if "me" in data else data["billingDocuments"]
    return connection["edges"]


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def slowest_query(api: Api, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The case's slowest SQL statement with its plan: where a missing index would show."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        api.post(query, variables)
    worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
    return {"sql": worst["sql"][:2000], "ms": round(float(worst["time"]) * 1000, 2), "plan": explain(worst["sql"])}


def prepare(count: int) -> tuple[Any, Any, float]:
    """Empty tables, then ``count`` documents, a staff user and a signed-in customer among the customers."""
    from .env import reset_tables

    reset_tables()
    content = template_content()
    staff, customer, customer_ids = users(max(50, count // 20))
    return staff, customer, insert_documents(count, customer_ids, content)


def measure(staff: Any, customer: Any, count: int, repeats: int) -> dict[str, Any]:
    staff_api, customer_api = Api(staff), Api(customer)
    # A month in the middle of the data, and an order number that exists.
    gte, lte = START + timedelta(days=SPAN_DAYS // 2), START + timedelta(days=SPAN_DAYS // 2 + 30)
    order_number = str(200000 + (count // 2) * 10 // 16)
    cases = {
        "unfiltered": (staff_api, STAFF_LIST, {}),
        "type_and_date_range": (staff_api, STAFF_FILTERED, {"gte": gte.isoformat(), "lte": lte.isoformat()}),
        "search_order_number": (staff_api, STAFF_SEARCH, {"q": order_number}),
        "filter_order_number": (staff_api, STAFF_ORDER_FILTER, {"n": order_number}),
        "customer_me": (customer_api, CUSTOMER_LIST, {}),
    }
    results: dict[str, Any] = {}
    for api, query, variables in cases.values():  # warm-up: schema build, plans, caches
        for _ in range(3):
            api.post(query, {**variables, "first": 50})
    # As Saleor's ASGI application starts (saleor/asgi/__init__.py, preload_app): collect, then freeze
    # what start-up left, so that a full collection does not rescan the whole loaded application. Without
    # it one request in ~20 carries a ~90 ms full collection, which is the process, not the query.
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {name: [] for name in cases}
    # This process's CPU per request too: wall time also waits for PostgreSQL, and for the CPU whenever
    # the machine is busy with other work (the load average is recorded per stage).
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, (api, query, variables) in cases.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            api.post(query, {**variables, "first": 50})
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    for name, (api, query, variables) in cases.items():
        rows = len(edges(api.post(query, {**variables, "first": 50})))
        queries_50, _ = api.count_queries(query, {**variables, "first": 50})
        queries_10, _ = api.count_queries(query, {**variables, "first": 10})
        queries_100, _ = api.count_queries(query, {**variables, "first": 100})
        row = results[name] = {
            "rows": rows,
            "ms": latency_summary(times[name], scale=1000),
            "cpu_ms": latency_summary(cpu[name], scale=1000),
            "queries_first_50": queries_50,
            "queries_first_10": queries_10,
            "queries_first_100": queries_100,
            "query_count_independent_of_page_size": queries_10 == queries_100,
        }
        if row["ms"]["p95"] > P95_TARGET_MS:
            row["slowest_sql"] = slowest_query(api, query, {**variables, "first": 50})
        print(f"  api {name:20s} p50 {row['ms']['p50']:6.1f} ms  p95 {row['ms']['p95']:6.1f} ms  "
              f"(CPU p50 {row['cpu_ms']['p50']:5.1f} ms)  rows {rows:3d}  "
              f"SQL queries {queries_50} (first 10: {queries_10}, first 100: {queries_100})", flush=True)
    return results


def run(quick: bool) -> dict[str, Any]:
    count = 10_000 if quick else 100_000
    staff, customer, insert_seconds = prepare(count)
    print(f"  api: inserted {count} documents in {insert_seconds:.1f} s", flush=True)
    cases = measure(staff, customer, count, repeats=20 if quick else 100)
    worst = max(row["ms"]["p95"] for row in cases.values())
    return {
        "documents": count,
        "insert_seconds": round(insert_seconds, 1),
        "cases": cases,
        "targets": {
            "api_p95_at_most_25_ms": {"value": worst, "limit": P95_TARGET_MS, "met": worst <= P95_TARGET_MS},
            "query_count_independent_of_page_size": {
                "met": all(row["query_count_independent_of_page_size"] for row in cases.values())},
        },
    }
