"""Filter, search and sort inputs of billingDocuments, and what they do to the queryset.

Every bad value is a ValidationError naming the GraphQL field and a code; nothing is ignored.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from ..errors import ErrorCode, PermissionDenied, ValidationError
from ..hosts.protocol import Requestor
from ..models import BillingDocument, CorrectionRequest
from ..models.corrections import CorrectionStatus
from ..models.documents import DeliveryStatus, DocumentStatus, PaymentStatus
from ..money import validate_currency
from ..snapshot import DocumentType
from . import enums, validation
from .permissions import is_staff
from .shared import host_type

MAX_SEARCH_LENGTH = 256
MAX_TEXT_FILTER_LENGTH = 254


class BillingDocumentFilterInput(graphene.InputObjectType):
    type = graphene.List(graphene.NonNull(enums.BillingDocumentTypeEnum))
    status = graphene.List(graphene.NonNull(enums.BillingDocumentStatusEnum))
    delivery_status = graphene.List(graphene.NonNull(enums.BillingDocumentDeliveryStatusEnum))
    number = graphene.String(description="Exact document number.")
    order_number = graphene.String(description="Exact order number.")
    issued_at = graphene.InputField(lambda: host_type("DateTimeRangeInput"))
    due_at = graphene.InputField(lambda: host_type("DateTimeRangeInput"))
    currency = graphene.String(description="ISO 4217 currency code.")
    channel = graphene.String(description="Channel slug.")
    customer_email = graphene.String(description="Exact customer email. Requires MANAGE_ORDERS.")
    unpaid_only = graphene.Boolean(description="Only issued invoices not fully paid.")
    correction_status = graphene.List(graphene.NonNull(enums.BillingDocumentCorrectionStatusEnum),
                                      description="Documents with a correction request in one of these states.")


class BillingDocumentSortingInput(graphene.InputObjectType):
    direction = graphene.InputField(lambda: host_type("OrderDirection"), required=True,
                                    description="Specifies the direction in which to sort documents.")
    field = graphene.InputField(enums.BillingDocumentSortField, required=True,
                                description="Sort documents by the selected field.")


def _text(value: Any, field: str, limit: int = MAX_TEXT_FILTER_LENGTH) -> str:
    return validation.text(value, field, limit=limit)


def _date_range(queryset: QuerySet, column: str, value: dict[str, Any] | None, field: str) -> QuerySet:
    gte, lte = validation.date_range(value, field)
    if gte is not None:
        queryset = queryset.filter(**{f"{column}__gte": gte})
    if lte is not None:
        queryset = queryset.filter(**{f"{column}__lte": lte})
    return queryset


_CHOICES = (("type", "type", "type", DocumentType), ("status", "status", "status", DocumentStatus),
            ("delivery_status", "delivery_status", "deliveryStatus", DeliveryStatus))


def _currency(value: Any) -> str:
    return validate_currency(_text(value, "currency", 3))


def apply_filter(queryset: QuerySet[BillingDocument], data: dict[str, Any] | None,
                 who: Requestor) -> QuerySet[BillingDocument]:
    if not data:
        return queryset
    if data.get("customer_email") is not None and not is_staff(who):
        raise PermissionDenied("Filtering by customer email requires the MANAGE_ORDERS permission.",
                               field="customerEmail")
    for key, column, field, allowed in _CHOICES:
        if data.get(key):
            queryset = queryset.filter(**{f"{column}__in": validation.choices(data[key], allowed, field)})
    for key, column, field in (("number", "number", "number"), ("order_number", "order_number", "orderNumber"),
                               ("channel", "channel", "channel")):
        if data.get(key) is not None:
            queryset = queryset.filter(**{column: _text(data[key], field)})
    if data.get("customer_email") is not None:
        queryset = queryset.filter(customer_email__iexact=_text(data["customer_email"], "customerEmail"))
    if data.get("currency") is not None:
        queryset = queryset.filter(currency=_currency(data["currency"]))
    queryset = _date_range(queryset, "issued_at", data.get("issued_at"), "issuedAt")
    queryset = _date_range(queryset, "due_at", data.get("due_at"), "dueAt")
    if data.get("unpaid_only") is not None and validation.boolean(data["unpaid_only"], "unpaidOnly"):
        queryset = queryset.filter(type=DocumentType.INVOICE, status=DocumentStatus.ISSUED,
                                   payment_status__in=[PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID])
    if data.get("correction_status"):
        requests = CorrectionRequest.objects.filter(document=OuterRef("pk"),
                                                    status__in=validation.choices(data["correction_status"],
                                                                                  CorrectionStatus,
                                                                                  "correctionStatus"))
        queryset = queryset.filter(Exists(requests))
    return queryset


def apply_search(queryset: QuerySet[BillingDocument], search: str | None, who: Requestor) -> QuerySet[BillingDocument]:
    text = _text(search, "search", MAX_SEARCH_LENGTH)
    if not text:
        return queryset
    condition = Q(number__icontains=text) | Q(order_number__icontains=text)
    if is_staff(who):
        condition |= Q(customer_name__icontains=text) | Q(customer_email__icontains=text)
    return queryset.filter(condition)


_SORT_COLUMNS = ("issued_at", "number", "total")


def apply_sort(queryset: QuerySet[BillingDocument], sort_by: dict[str, Any] | None) -> QuerySet[BillingDocument]:
    field: Any = (sort_by or {}).get("field") or "issued_at"
    field = getattr(field, "value", field)
    direction = getattr((sort_by or {}).get("direction"), "value", (sort_by or {}).get("direction"))
    if field not in _SORT_COLUMNS or (sort_by is not None and direction not in ("", "-")):
        raise ValidationError("Unknown sort field or direction.", code=ErrorCode.INVALID, field="sortBy")
    # Newest first unless the caller chose a direction.
    descending = sort_by is None or direction == "-"

    def by(column: str, reverse: bool = False) -> Any:
        expression = F(column)
        return expression.desc() if descending != reverse else expression.asc()

    # Every ordering ends in the primary key: offsets (cursors) need a total order. The key runs against
    # the date so that one scan of the (-issued_at, id) index serves both directions; PostgreSQL puts
    # NULLs first when descending, so documents held for review (no issue date yet) lead staff's list.
    keys = {
        "issued_at": [by("issued_at"), by("id", reverse=True)],
        "number": [by("number"), by("id")],
        "total": [by("total"), by("issued_at"), by("id")],
    }[field]
    return queryset.order_by(*keys)
