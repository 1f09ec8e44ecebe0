"""Queries: billingDocuments, billingDocument, and the resolvers hosts hang on their Order and User types."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene import relay

from ..errors import PermissionDenied
from ..hosts.protocol import Requestor
from ..models import BillingDocument as BillingDocumentModel
from ..models import CorrectionRequest
from .errors import coded
from .filters import BillingDocumentFilterInput, BillingDocumentSortingInput, apply_filter, apply_search, apply_sort
from .ids import decode_id
from .pagination import paginate, to_connection
from .permissions import is_staff, requestor, require_signed_in, visible_documents
from .selection import CONTENT_FIELDS, node_fields
from .types import BillingDocument, BillingDocumentCountableConnection


def billing_documents_field(description: str = "List of billing documents.") -> relay.ConnectionField:
    """The connection field with its arguments; hosts reuse it for User.billingDocuments."""
    return relay.ConnectionField(
        BillingDocumentCountableConnection,
        filter=graphene.Argument(BillingDocumentFilterInput, description="Filtering options for documents."),
        search=graphene.String(description="Number, order number; customer name or email for staff."),
        sort_by=graphene.Argument(BillingDocumentSortingInput, description="Sort documents."),
        channel=graphene.String(description="Slug of a channel to list documents of."),
        description=description,
    )


def with_related(queryset: QuerySet[BillingDocumentModel], who: Requestor,
                 fields: frozenset[str] | None = None) -> QuerySet[BillingDocumentModel]:
    """What the BillingDocument type reads for the selected ``fields`` (everything when None), fetched in a
    fixed number of queries for any page size. The frozen content JSON is left out unless a selected
    field reads it: a list page of numbers and totals does not decode it for every row."""
    def wants(name: str) -> bool:
        return fields is None or name in fields

    if fields is not None and not fields & CONTENT_FIELDS:
        queryset = queryset.defer("content")
    if wants("correctsDocument"):
        queryset = queryset.select_related("corrects")
    queryset = queryset.prefetch_related(*(relation for relation, field in (
        ("deliveries", "deliveries"), ("corrected_by", "correctedBy")) if wants(field)))
    if fields is not None and "formats" in fields:
        queryset = queryset.prefetch_related("files")
    if is_staff(who) and wants("correctionRequests"):
        requests = CorrectionRequest.objects.select_related("document", "credit_note", "corrected_invoice")
        queryset = queryset.prefetch_related(Prefetch("correction_requests", queryset=requests))
    return queryset


def resolve_document_list(info: Any, documents: QuerySet[BillingDocumentModel], *, filter: dict | None = None,  # noqa: A002
                          search: str | None = None, sort_by: dict | None = None, channel: str | None = None,
                          first: int | None = None, after: str | None = None, last: int | None = None,
                          before: str | None = None, **_ignored: Any) -> relay.Connection:
    who = requestor(info)
    documents = apply_filter(documents, filter, who)
    if channel is not None:
        documents = apply_filter(documents, {"channel": channel}, who)
    documents = apply_sort(apply_search(documents, search, who), sort_by)
    fields = node_fields(info, connection=True)
    page = paginate(with_related(documents, who, fields), first=first, after=after, last=last, before=before)
    return to_connection(page, BillingDocumentCountableConnection)


@coded
def resolve_user_billing_documents(user_id: Any, info: Any, **arguments: Any) -> relay.Connection:
    """User.billingDocuments: the user themself, or staff with MANAGE_ORDERS."""
    who = requestor(info)
    if str(user_id) != who.user_id and not is_staff(who):
        raise PermissionDenied("You can only see your own billing documents.")
    documents = visible_documents(who).filter(customer_user_id=str(user_id))
    return resolve_document_list(info, documents, **arguments)


@coded
def resolve_order_billing_documents(order_id: Any, info: Any, *, filter: dict | None = None,  # noqa: A002
                                    sort_by: dict | None = None, **_ignored: Any) -> list[BillingDocumentModel]:
    """Order.billingDocuments: the order's documents the caller may see, oldest first by default."""
    who = requestor(info)
    documents = apply_filter(visible_documents(who).filter(order_id=str(order_id)), filter, who)
    documents = apply_sort(documents, sort_by or {"field": "issued_at", "direction": ""})
    return list(with_related(documents, who, node_fields(info, connection=False)))


class BillingDocumentQueries(graphene.ObjectType):
    billing_documents = billing_documents_field()
    billing_document = graphene.Field(
        BillingDocument, id=graphene.Argument(graphene.ID, required=True, description="ID of the document."),
        description="Look up a billing document by ID.",
    )

    @staticmethod
    @coded
    def resolve_billing_documents(_root: Any, info: Any, **arguments: Any) -> relay.Connection:
        return resolve_document_list(info, visible_documents(requestor(info)), **arguments)

    @staticmethod
    @coded
    def resolve_billing_document(_root: Any, info: Any, id: str) -> BillingDocumentModel | None:  # noqa: A002
        who = requestor(info)
        pk = decode_id(id, "BillingDocument")
        require_signed_in(who)
        document = with_related(visible_documents(who).filter(pk=pk), who, node_fields(info, connection=False)).first()
        if document is None and not is_staff(who):
            # Missing and foreign look the same to non-staff: nothing about other people's documents leaks.
            raise PermissionDenied("You do not have access to this billing document.")
        return document
