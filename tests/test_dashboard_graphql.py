"""The GraphQL the dashboard pages use: list with payment status and order paths, document detail with
timeline and audit trail, an order's documents, the SLA series and CSV; same permission rules as the rest."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from saypro_invoicing.models import AuditEntry, BillingDocument, DeliveryAttempt, DeliveryEvent
from saypro_invoicing.models.documents import PaymentStatus
from tests.graphql_support import error_codes

LIST = """query($paymentStatus: [BillingDocumentPaymentStatusEnum!], $filter: BillingDocumentFilterInput) {
  billingDocumentChannels
  billingDocumentDashboardList(first: 50, paymentStatus: $paymentStatus, filter: $filter) {
    totalCount edges { node { orderId orderPath document { id number type paymentStatus } } } } }"""
DETAIL = """query($id: ID!) { billingDocumentDashboard(id: $id) {
  orderId orderPath inlinePdfUrl
  timeline { kind channel recipient status attemptNumber detail at }
  auditTrail { action actor message at } document { number status } } }"""
OF_ORDER = """query($orderId: ID!) { billingDocumentsOfOrder(orderId: $orderId) { document { type number } } }"""
SERIES = """query($period: String!, $weeks: Int) { billingDocumentSlaSeries(period: $period, weeks: $weeks) {
  deliveryTimeBins { label upperSeconds count } p50Seconds p95Seconds maxSeconds
  weeks { weekStart invoicesDue invoicesWithin24h invoicesPercent receiptsDue } } }"""
CSV = """query($period: String!) { billingDocumentSlaReportCsv(period: $period) }"""


def _gid(document: BillingDocument) -> str:
    return to_global_id("BillingDocument", str(document.id))


def test_list_filters_by_payment_status_and_links_rows_to_orders(shop):
    staff = shop.caller("staff")
    BillingDocument.objects.filter(pk=shop.docs["b_invoice"].pk).update(payment_status=PaymentStatus.REFUNDED)
    result = staff.gql(LIST, {"paymentStatus": ["REFUNDED"]})
    rows = result["data"]["billingDocumentDashboardList"]["edges"]
    assert [r["node"]["document"]["number"] for r in rows] == [shop.docs["b_invoice"].number]
    node = rows[0]["node"]
    assert node["orderId"] == to_global_id("Order", shop.orders["b"])
    assert node["orderPath"] == f"/orders/{node['orderId']}"
    assert result["data"]["billingDocumentChannels"] == ["default-channel"]
    everything = staff.gql(LIST, {})["data"]["billingDocumentDashboardList"]
    assert everything["totalCount"] == BillingDocument.objects.count()
    invalid = staff.gql(LIST, {"paymentStatus": ["NOPE"]})
    assert invalid.get("errors")


def test_customers_and_apps_without_manage_orders_get_nothing(shop):
    invoice = shop.docs["a_invoice"]
    for role in ("anonymous", "customer_a", "staff_without", "app_without"):
        caller = shop.caller(role)
        for query, variables in ((LIST, {}), (DETAIL, {"id": _gid(invoice)}),
                                 (OF_ORDER, {"orderId": shop.orders["a"]}), (SERIES, {"period": "last-7-days"}),
                                 (CSV, {"period": "last-7-days"})):
            result = caller.gql(query, variables)
            assert "PERMISSION_DENIED" in str(result.get("errors")), (role, query[:40], result)


def test_detail_has_timeline_audit_trail_and_formats(shop):
    invoice = shop.docs["a_invoice"]
    start = timezone.now()
    # On-commit delivery does not run inside the test transaction: record two attempts as delivery would.
    attempts = [
        DeliveryAttempt.objects.create(document=invoice, recipient="alice@example.com", status="deferred",
                                       attempt_number=1, response="451 4.3.0 try again later", started_at=start,
                                       next_retry_at=start + timedelta(minutes=1)),
        DeliveryAttempt.objects.create(document=invoice, recipient="alice@example.com", status="sent",
                                       attempt_number=2, response="250 2.0.0 Ok: queued as ABC",
                                       started_at=start + timedelta(minutes=1)),
    ]
    DeliveryEvent.objects.create(document=invoice, attempt=attempts[0], event_type="bounced",
                                 recipient="alice@example.com", description="550 mailbox full",
                                 occurred_at=timezone.now() + timedelta(minutes=5))
    AuditEntry.objects.create(document=invoice, document_number=invoice.number, action="resend", actor="42",
                              details={"recipient": "x@example.com"})
    result = shop.caller("app").gql(DETAIL, {"id": _gid(invoice)})
    detail = result["data"]["billingDocumentDashboard"]
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("ATTEMPT") == len(attempts) and kinds[-1] == "PROVIDER_EVENT"
    assert detail["timeline"][-1]["detail"] == "550 mailbox full"
    assert [e["detail"] for e in detail["timeline"][:2]] == ["451 4.3.0 try again later", "250 2.0.0 Ok: queued as ABC"]
    assert [e["status"] for e in detail["timeline"]] == ["deferred", "sent", "bounced"]
    actions = [r["action"] for r in detail["auditTrail"]]
    assert {"created", "gate_passed", "issued", "resend"} <= set(actions)
    assert [r["at"] for r in detail["auditTrail"]] == sorted(r["at"] for r in detail["auditTrail"])
    assert "/dashboard/pdf/" in detail["inlinePdfUrl"]
    assert detail["orderPath"] == "/orders/" + to_global_id("Order", shop.orders["a"])
    held = shop.caller("staff").gql(DETAIL, {"id": _gid(shop.docs["a_held"])})["data"]["billingDocumentDashboard"]
    assert held["inlinePdfUrl"] is None and held["document"]["number"] is None
    assert "gate_failed" in [r["action"] for r in held["auditTrail"]]


def test_order_documents_by_saleor_global_id_or_host_id(shop):
    staff = shop.caller("staff")
    by_global = staff.gql(OF_ORDER, {"orderId": to_global_id("Order", shop.orders["a"])})
    by_host = staff.gql(OF_ORDER, {"orderId": shop.orders["a"]})
    types = sorted(r["document"]["type"] for r in by_global["data"]["billingDocumentsOfOrder"])
    assert types == ["INVOICE", "RECEIPT"]
    assert by_global["data"] == by_host["data"]
    assert error_codes(staff.gql(OF_ORDER, {"orderId": "x" * 300})) or staff.gql(OF_ORDER, {"orderId": "x" * 300})[
        "errors"]


def test_sla_series_bins_every_delivered_document_and_counts_weeks(shop):
    now = timezone.now()
    documents = list(BillingDocument.objects.filter(number__isnull=False, type__in=["invoice", "receipt"]))
    for index, document in enumerate(documents):
        # Deliveries from 30 s to hours after the event, one past 24 h.
        delay = [30, 200, 1000, 5000, 20000, 90000][index % 6]
        BillingDocument.objects.filter(pk=document.pk).update(
            event_at=now - timedelta(days=2), accepted_at=now - timedelta(days=2) + timedelta(seconds=delay),
            delivery_status="sent")
    data = shop.caller("staff").gql(SERIES, {"period": "last-7-days", "weeks": 3})["data"]["billingDocumentSlaSeries"]
    assert sum(b["count"] for b in data["deliveryTimeBins"]) == len(documents)
    assert data["deliveryTimeBins"][-1]["upperSeconds"] is None
    assert data["maxSeconds"] == max([30, 200, 1000, 5000, 20000, 90000][i % 6] for i in range(len(documents)))
    assert len(data["weeks"]) == 3
    last = data["weeks"][-1] if data["weeks"][-1]["invoicesDue"] else data["weeks"][-2]
    assert last["invoicesDue"] >= 1
    too_many = shop.caller("staff").gql(SERIES, {"period": "last-7-days", "weeks": 500})
    assert "OUT_OF_RANGE" in str(too_many["errors"])


def test_sla_csv_is_the_reports_csv(shop):
    csv_text = shop.caller("staff").gql(CSV, {"period": "last-7-days"})["data"]["billingDocumentSlaReportCsv"]
    lines = csv_text.splitlines()
    assert lines[0] == "section,metric,value"
    assert any(line.startswith("invoices,") for line in lines)
