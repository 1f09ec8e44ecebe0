"""One application layer: the same action writes the same records wherever it comes from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from saypro_invoicing import actions
from saypro_invoicing.errors import ConfigurationError
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditAction, AuditEntry, BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.release import StillHeld
from saypro_invoicing.snapshot import DocumentType

VOID = """mutation($id: ID!, $reason: String!) {
  billingDocumentVoid(id: $id, reason: $reason) { creditNote { number } errors { code } }
}"""


def records(document: BillingDocument) -> dict:
    """What voiding left behind, without the parts that differ by nature (numbers, ids, times, who)."""
    document.refresh_from_db()
    credit_notes = BillingDocument.objects.filter(corrects=document, type=DocumentType.CREDIT_NOTE)
    entries = AuditEntry.objects.filter(document=document).exclude(action=AuditAction.RESEND)
    return {
        "status": document.status,
        "void_reason": document.void_reason,
        "credit_notes": [(c.status, c.total, c.trigger_key.rsplit(":", 1)[0].split(":", 1)[1]) for c in credit_notes],
        "audit": sorted((e.action, e.details["reason"], bool(e.details["credit_note"])) for e in entries),
    }


def test_voiding_from_graphql_and_from_saleor_writes_the_same_records(shop):
    by_graphql, by_saleor = shop.docs["a_invoice"], shop.docs["b_invoice"]
    result = shop.caller("staff").gql(VOID, {"id": global_id("BillingDocument", by_graphql.id), "reason": "Wrong"})
    assert result["data"]["billingDocumentVoid"]["errors"] == []
    # The Saleor host's invoiceDelete / invoiceRequestDelete hooks call exactly this.
    credit_note = actions.void(by_saleor, reason="Wrong", actor="saleor:invoice_delete")
    assert credit_note is not None and credit_note.number
    assert records(by_graphql) == records(by_saleor) == {
        "status": DocumentStatus.VOID, "void_reason": "Wrong",
        "credit_notes": [(DocumentStatus.ISSUED, by_graphql.total, "credit_note:void")],
        "audit": [(AuditAction.VOIDED, "Wrong", True)],
    }
    actors = dict(AuditEntry.objects.filter(action=AuditAction.VOIDED).values_list("document_id", "actor"))
    assert actors[by_saleor.id] == "saleor:invoice_delete" and actors[by_graphql.id]


def test_release_records_who_released(channel):
    sample.ensure_channel(seller_legal_name="")
    order = sample.create_order()
    sample.pay(str(order.id))
    receipt = BillingDocument.objects.get(order_id=str(order.id), type=DocumentType.RECEIPT)
    assert receipt.status == DocumentStatus.NEEDS_REVIEW
    with pytest.raises(StillHeld):
        actions.release(receipt, actor="staff:1")
    assert not AuditEntry.objects.filter(document=receipt, action=AuditAction.RELEASED).exists()
    sample.ensure_channel(seller_legal_name="SayPro Demo GmbH")
    released = actions.release(receipt, actor="staff:1").document
    assert released.status == DocumentStatus.ISSUED and released.number
    assert list(AuditEntry.objects.filter(document=receipt).values_list("action", "actor")) == [
        (AuditAction.RELEASED, "staff:1")]


def test_an_inactive_channel_is_a_configuration_error(shop):
    document = shop.docs["a_invoice"]
    document.channel = "nowhere"
    with pytest.raises(ConfigurationError):
        actions.void(document, reason="x", actor="staff:1")
    assert BillingDocument.objects.get(pk=document.pk).status == DocumentStatus.ISSUED


def test_sweep_runs_one_pass(channel):
    sample.ensure_channel(sweeper_grace_minutes="0")
    paid_at = timezone.now() - timedelta(hours=1)
    order = sample.create_order(notify=False, created_at=paid_at)
    sample.pay(str(order.id), at=paid_at, notify=False)  # the hook never ran: the sweeper issues the documents
    result = actions.sweep(lookback_days=1)
    assert result.errors == ()
    assert BillingDocument.objects.filter(order_id=str(order.id)).exists()
