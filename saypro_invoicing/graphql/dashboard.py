"""Queries for the dashboard pages (saypro_invoicing/dashboard): what the pages need beyond billingDocuments.

- billingDocumentDashboardList: billingDocuments plus a payment-status filter, each row with the
  host order's dashboard path (Saleor: /orders/<global id>) for the row link;
- billingDocumentDashboard(id): one document with its delivery timeline (every attempt and every
  provider event), its audit trail and a link that shows its PDF inline;
- billingDocumentsOfOrder(orderId): the order widget's documents, for Saleor's global or the host's id.
Same permission rules as every other field: staff with MANAGE_ORDERS, in the channels they may access.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import graphene
from graphene import relay
from graphql_relay import to_global_id

from .. import links
from ..models import AuditEntry, DeliveryEvent, GateCheck, StaffAlert
from ..models import BillingDocument as BillingDocumentModel
from ..models.documents import DocumentStatus
from . import enums
from .errors import coded
from .filters import BillingDocumentFilterInput, BillingDocumentSortingInput, apply_filter, apply_search, apply_sort
from .ids import decode_id
from .pagination import paginate, to_connection
from .permissions import requestor, require_staff, visible_documents
from .queries import resolve_order_billing_documents, with_related
from .types import BillingDocument
from .validation import choices, host_id

ATTEMPT, PROVIDER_EVENT = "ATTEMPT", "PROVIDER_EVENT"


def order_global_id(order_id: str) -> str:
    return to_global_id("Order", order_id)


class BillingDocumentDashboardRow(graphene.ObjectType):
    """A row of the documents page: the document and where its order lives in the dashboard."""

    document = graphene.Field(BillingDocument, required=True)
    order_id = graphene.ID(required=True, description="The order's global ID (Saleor's Order ID).")
    order_path = graphene.String(required=True, description="Path of the order in Saleor's dashboard.")

    @staticmethod
    def resolve_document(root: BillingDocumentModel, _info: Any) -> BillingDocumentModel:
        return root

    @staticmethod
    def resolve_order_id(root: BillingDocumentModel, _info: Any) -> str:
        return order_global_id(root.order_id)

    @staticmethod
    def resolve_order_path(root: BillingDocumentModel, _info: Any) -> str:
        return f"/orders/{order_global_id(root.order_id)}"


class BillingDocumentDashboardRowConnection(relay.Connection):
    total_count = graphene.Int(description="A total count of items in the collection.")

    class Meta:
        node = BillingDocumentDashboardRow

    @staticmethod
    def resolve_total_count(root: Any, _info: Any) -> int:
        return root.page.total_count()


class BillingDocumentTimelineEntry(graphene.ObjectType):
    """One step of a document's delivery: an attempt we made, or an event the provider reported."""

    kind = graphene.String(required=True, description="ATTEMPT or PROVIDER_EVENT.")
    channel = graphene.String(required=True, description="email or sms.")
    purpose = graphene.String(description="document, resend, fallback, reminder (attempts).")
    recipient = graphene.String(required=True)
    status = graphene.String(required=True, description="Attempt status, or the provider's event type.")
    attempt_number = graphene.Int()
    detail = graphene.String(required=True, description="SMTP reply, exception or provider description.")
    provider_message_id = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    next_retry_at = graphene.DateTime()


class BillingDocumentAuditRecord(graphene.ObjectType):
    """What happened to the document and who did it (audit entries, gate checks, staff alerts)."""

    action = graphene.String(required=True)
    actor = graphene.String(required=True)
    message = graphene.String(required=True)
    details = graphene.JSONString()
    at = graphene.DateTime(required=True)


class BillingDocumentDashboard(graphene.ObjectType):
    document = graphene.Field(BillingDocument, required=True)
    order_id = graphene.ID(required=True, description="The order's global ID.")
    order_path = graphene.String(required=True)
    timeline = graphene.List(graphene.NonNull(BillingDocumentTimelineEntry), required=True)
    audit_trail = graphene.List(graphene.NonNull(BillingDocumentAuditRecord), required=True)
    inline_pdf_url = graphene.String(description="Signed, expiring link that shows the PDF in the browser; "
                                                 "null while the document has no number.")

    resolve_document = BillingDocumentDashboardRow.resolve_document
    resolve_order_id = BillingDocumentDashboardRow.resolve_order_id
    resolve_order_path = BillingDocumentDashboardRow.resolve_order_path

    @staticmethod
    def resolve_timeline(root: BillingDocumentModel, _info: Any) -> list[dict[str, Any]]:
        return timeline(root)

    @staticmethod
    def resolve_audit_trail(root: BillingDocumentModel, _info: Any) -> list[dict[str, Any]]:
        return audit_trail(root)

    @staticmethod
    def resolve_inline_pdf_url(root: BillingDocumentModel, _info: Any) -> str | None:
        # The other formats (and PDF downloads) are the document's own `formats` field.
        if not root.number or root.status == DocumentStatus.NEEDS_REVIEW:
            return None
        return links.plugin_url(root.channel, f"dashboard/pdf/{links.make_token(root.id)}/")


def timeline(document: BillingDocumentModel) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {"kind": ATTEMPT, "channel": a.channel, "purpose": a.purpose, "recipient": a.recipient, "status": a.status,
         "attempt_number": a.attempt_number, "detail": a.response or a.error_code,
         "provider_message_id": a.provider_message_id, "at": a.started_at, "finished_at": a.finished_at,
         "next_retry_at": a.next_retry_at}
        for a in document.deliveries.all()
    ]
    for event in DeliveryEvent.objects.filter(document=document).select_related("attempt").order_by("occurred_at"):
        entries.append({"kind": PROVIDER_EVENT, "channel": event.attempt.channel if event.attempt else "email",
                        "purpose": event.attempt.purpose if event.attempt else None, "recipient": event.recipient,
                        "status": event.event_type, "attempt_number": None, "detail": event.description,
                        "provider_message_id": event.provider_message_id, "at": event.occurred_at,
                        "finished_at": None, "next_retry_at": None})
    return sorted(entries, key=lambda e: (e["at"], e["kind"]))


def audit_trail(document: BillingDocumentModel) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [{"action": "created", "actor": "", "message": "", "details": None,
                                      "at": document.created_at}]
    for check in GateCheck.objects.filter(document=document).order_by("checked_at", "id"):
        messages = "; ".join(r.get("message", "") for r in check.reasons or [])
        records.append({"action": "gate_passed" if check.passed else "gate_failed", "actor": "",
                        "message": messages, "details": check.reasons or None, "at": check.checked_at})
    if document.issued_at:
        records.append({"action": "issued", "actor": "", "message": document.number or "", "details": None,
                        "at": document.issued_at})
    for entry in AuditEntry.objects.filter(document=document).order_by("created_at", "id"):
        records.append({"action": entry.action, "actor": entry.actor, "message": "",
                        "details": entry.details or None, "at": entry.created_at})
    for alert in StaffAlert.objects.filter(document=document).order_by("created_at", "id"):
        records.append({"action": f"alert_{alert.kind}", "actor": "", "message": alert.message, "details": None,
                        "at": alert.created_at})
    if document.voided_at:
        records.append({"action": "void", "actor": "", "message": document.void_reason, "details": None,
                        "at": document.voided_at})
    return sorted(records, key=lambda r: r["at"] or datetime.min)


class DashboardQueries(graphene.ObjectType):
    billing_document_dashboard_list = relay.ConnectionField(
        BillingDocumentDashboardRowConnection,
        filter=graphene.Argument(BillingDocumentFilterInput, description="Filtering options for documents."),
        payment_status=graphene.List(graphene.NonNull(enums.BillingDocumentPaymentStatusEnum),
                                     description="Only documents whose order is in one of these payment states."),
        search=graphene.String(description="Number, order number, customer name or email."),
        sort_by=graphene.Argument(BillingDocumentSortingInput, description="Sort documents."),
        channel=graphene.String(description="Slug of a channel to list documents of."),
        description="The dashboard's documents page. Requires MANAGE_ORDERS.",
    )
    billing_document_dashboard = graphene.Field(
        BillingDocumentDashboard, id=graphene.Argument(graphene.ID, required=True),
        description="A document with its delivery timeline, audit trail and formats. Requires MANAGE_ORDERS.",
    )
    billing_document_channels = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="Slugs of the channels that have documents the caller may see. Requires MANAGE_ORDERS.",
    )
    billing_documents_of_order = graphene.List(
        graphene.NonNull(BillingDocumentDashboardRow), required=True,
        order_id=graphene.Argument(graphene.ID, required=True, description="Saleor's Order ID or the host's id."),
        description="An order's documents for the order widget, oldest first. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    @coded
    def resolve_billing_document_dashboard_list(
            _root: Any, info: Any, *, filter: dict | None = None, payment_status: list[str] | None = None,  # noqa: A002
            search: str | None = None, sort_by: dict | None = None, channel: str | None = None,
            first: int | None = None, after: str | None = None, last: int | None = None,
            before: str | None = None, **_ignored: Any) -> relay.Connection:
        who = requestor(info)
        require_staff(who)
        documents = apply_filter(visible_documents(who), filter, who)
        if channel is not None:
            documents = apply_filter(documents, {"channel": channel}, who)
        if payment_status:
            allowed = enums.BillingDocumentPaymentStatusEnum._meta.enum
            documents = documents.filter(payment_status__in=choices(payment_status, allowed, "paymentStatus"))
        documents = apply_sort(apply_search(documents, search, who), sort_by)
        page = paginate(with_related(documents, who), first=first, after=after, last=last, before=before)
        return to_connection(page, BillingDocumentDashboardRowConnection)

    @staticmethod
    @coded
    def resolve_billing_document_dashboard(_root: Any, info: Any, id: str) -> BillingDocumentModel | None:  # noqa: A002
        who = requestor(info)
        require_staff(who)
        pk = decode_id(id, "BillingDocument")
        return with_related(visible_documents(who).filter(pk=pk), who).first()

    @staticmethod
    @coded
    def resolve_billing_document_channels(_root: Any, info: Any) -> list[str]:
        who = requestor(info)
        require_staff(who)
        return list(visible_documents(who).order_by("channel").values_list("channel", flat=True).distinct())

    @staticmethod
    @coded
    def resolve_billing_documents_of_order(_root: Any, info: Any, order_id: str) -> list[BillingDocumentModel]:
        require_staff(requestor(info))
        return resolve_order_billing_documents(host_id(order_id, "Order", field="orderId"), info)
