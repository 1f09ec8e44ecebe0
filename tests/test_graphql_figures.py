"""GraphQL reads the document model's figures; staff release held documents through billingDocumentRelease."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from graphql_relay import to_global_id

from saypro_invoicing.document.calculate import model_of
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus

FIGURES = """
query($id: ID!) { billingDocument(id: $id) {
  number
  figures {
    lines { position name quantity netPrice { amount } netAmount { amount } grossAmount { amount } vatCategory vatRate }
    charges { reason amount { amount } grossAmount { amount } vatRate }
    vatBreakdown { category rate taxableAmount { amount } taxAmount { amount } }
    netTotal { amount currency } vatTotal { amount } grossTotal { amount } prepaid { amount } amountDue { amount }
    dateOfSupply reverseCharge
  }
} }"""
RELEASE = """
mutation($id: ID!) { billingDocumentRelease(id: $id) {
  document { number status reviewReasons { code field expected actual } }
  errors { field code message }
} }"""


def test_figures_are_the_models(shop):
    invoice = shop.docs["a_invoice"]
    model = model_of(invoice.document_content)
    data = shop.caller("customer_a").gql(FIGURES, {"id": to_global_id("BillingDocument", str(invoice.id))})
    figures = data["data"]["billingDocument"]["figures"]
    assert Decimal(str(figures["grossTotal"]["amount"])) == model.totals.gross_total == invoice.total
    assert Decimal(str(figures["netTotal"]["amount"])) == model.totals.net_total
    assert Decimal(str(figures["vatTotal"]["amount"])) == model.totals.vat_total
    assert [(row["category"], Decimal(str(row["taxAmount"]["amount"]))) for row in figures["vatBreakdown"]] == [
        (row.category.value, row.tax_amount) for row in model.vat_breakdown]
    assert [line["name"] for line in figures["lines"]] == [line.name for line in model.lines]
    assert figures["charges"][0]["reason"].startswith("Shipping")
    assert figures["dateOfSupply"] == model.delivery_date.isoformat() and figures["reverseCharge"] is False


def test_customers_cannot_read_others_figures(shop):
    invoice = shop.docs["a_invoice"]
    data = shop.caller("customer_b").gql(FIGURES, {"id": to_global_id("BillingDocument", str(invoice.id))})
    assert data["data"]["billingDocument"] is None


def test_staff_release_a_held_document_after_the_fix(shop):
    snapshot = sample.build_snapshot(email="held@example.com")
    order = sample.create_order(dataclasses.replace(snapshot, total_gross=snapshot.total_gross + 1))
    sample.pay(str(order.id))
    held = BillingDocument.objects.get(order_id=order.id, type="invoice")
    assert held.status == DocumentStatus.NEEDS_REVIEW
    gid = to_global_id("BillingDocument", str(held.id))
    assert shop.caller("customer_a").gql(RELEASE, {"id": gid})["data"]["billingDocumentRelease"]["errors"][0][
        "code"] == "PERMISSION_DENIED"

    # Still wrong: the new reasons come back with both figures, and the document stays held.
    result = shop.caller("staff").gql(RELEASE, {"id": gid})["data"]["billingDocumentRelease"]
    assert result["errors"] and result["errors"][0]["code"] == "TOTAL_MISMATCH" and "expected" in \
        result["errors"][0]["message"]
    assert result["document"]["status"] == "NEEDS_REVIEW" and result["document"]["number"] is None

    # Fixed at the source: released and numbered, once.
    sample.update(str(order.id), notify=False, total_gross=snapshot.total_gross)
    result = shop.caller("staff").gql(RELEASE, {"id": gid})["data"]["billingDocumentRelease"]
    assert result["errors"] == [] and result["document"]["status"] == "ISSUED" and result["document"]["number"]
    assert BillingDocument.objects.get(pk=held.pk).status == DocumentStatus.ISSUED
    again = shop.caller("staff").gql(RELEASE, {"id": gid})["data"]["billingDocumentRelease"]
    assert again["errors"][0]["code"] == "ALREADY_ISSUED"


def test_release_of_a_document_whose_order_is_gone_is_a_coded_error(shop):
    held = shop.docs["a_held"]  # its order id is not one the sandbox knows
    result = shop.caller("staff").gql(RELEASE, {"id": to_global_id("BillingDocument", str(held.id))})
    assert result["data"]["billingDocumentRelease"]["errors"][0]["code"] == "NOT_FOUND"
