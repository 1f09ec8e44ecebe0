"""Mutations. Each runs in one transaction and answers ``errors: [BillingDocumentError!]!`` as Saleor's do:
a raised error rolls everything back (nothing written, nothing queued). The one error reported without
a rollback is a resend to a suppressed address, whose refusal is itself recorded as an attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import graphene
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from graphql_relay import from_global_id

from .. import corrections, issuing
from ..conf import ChannelConfig
from ..delivery.resend import resend
from ..errors import (
    ConfigurationError,
    DocumentNotFound,
    ErrorCode,
    PermissionDenied,
    SayproInvoicingError,
    ValidationError,
)
from ..hosts import get_host
from ..hosts.protocol import Requestor
from ..models import AuditEntry
from ..models import BillingDocument as BillingDocumentModel
from ..models.documents import DocumentStatus
from ..snapshot import DocumentType, OrderSnapshot
from ..triggers import CANCELLED_STATUSES, NOT_CONFIRMED_STATUSES, Planned, plan_receipts
from . import enums
from .ids import decode_id
from .permissions import (
    actor,
    is_staff,
    requestor,
    require_signed_in,
    require_staff,
    visible_corrections,
    visible_documents,
)
from .types import BillingDocument, BillingDocumentCorrectionRequest, BillingDocumentError

MAX_EMAIL_LENGTH = 254
MAX_VOID_REASON_LENGTH = 2000


class _Failed(Exception):
    """Carries the partial result (e.g. the existing document) of a mutation that reports an error."""

    def __init__(self, error: SayproInvoicingError, **result: Any):
        self.error, self.result = error, result


def _run(payload: type[graphene.ObjectType], work: Callable[[], dict[str, Any]]) -> graphene.ObjectType:
    try:
        with transaction.atomic():
            return payload(**{"errors": [], **work()})
    except _Failed as failed:
        return payload(errors=[_error(failed.error)], **failed.result)
    except SayproInvoicingError as error:
        return payload(errors=[_error(error)])


def _error(error: SayproInvoicingError) -> BillingDocumentError:
    return BillingDocumentError(field=error.field, message=error.message, code=error.code)


def _document(who: Requestor, global_id: str, *, field: str = "id") -> BillingDocumentModel:
    require_signed_in(who)
    pk = decode_id(global_id, "BillingDocument", field=field)
    document = visible_documents(who).filter(pk=pk).first()
    if document is None:
        if is_staff(who):
            raise DocumentNotFound("No billing document with this ID.", field=field)
        raise PermissionDenied("You do not have access to this billing document.", field=field)
    return document


def _config(channel: str, field: str) -> ChannelConfig:
    config = get_host().channel_config(channel)
    if config is None or not config.active:
        raise ConfigurationError(f"The plugin is not active in channel {channel}.", field=field)
    return config


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"At most {limit} characters.", code=ErrorCode.TOO_LONG, field=field)
    if required and not text:
        raise ValidationError("This field is required.", code=ErrorCode.REQUIRED, field=field)
    return text


class _Payload:
    document = graphene.Field(BillingDocument)
    errors = graphene.List(graphene.NonNull(BillingDocumentError), required=True)


class BillingDocumentResend(_Payload, graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True, description="ID of the document.")
        email = graphene.String(description="Send to this address; customers may use only their own.")

    class Meta:
        description = "Send a document again, to the customer or another address."

    @classmethod
    def mutate(cls, _root: Any, info: Any, id: str, email: str | None = None) -> BillingDocumentResend:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            document = _document(who, id)
            recipient = _text(email, "email", MAX_EMAIL_LENGTH)
            if recipient:
                try:
                    EmailValidator()(recipient)
                except DjangoValidationError as exc:
                    raise ValidationError("Enter a valid email address.", code=ErrorCode.INVALID,
                                          field="email") from exc
            if not is_staff(who):
                own = {e.lower() for e in (document.customer_email, who.email) if e}
                if recipient and recipient.lower() not in own:
                    raise PermissionDenied("You can send documents only to your own email address.", field="email")
            if document.status == DocumentStatus.VOID:
                raise ValidationError("The document is void.", code=ErrorCode.ALREADY_VOID, field="id")
            if not document.is_sendable:
                raise ValidationError("The document is not issued yet.", code=ErrorCode.NOT_ISSUED, field="id")
            result = resend(document, recipient or None, requested_by=actor(who))
            if not result.queued:
                # Recorded as a SUPPRESSED attempt (kept): staff must clear the address first.
                error = SayproInvoicingError(f"{result.recipient} is suppressed after a bounce or complaint.",
                                             code=result.error_code or ErrorCode.SUPPRESSED, field="email")
                return {"document": document, "errors": [_error(error)]}
            return {"document": document}

        return _run(cls, work)


class BillingDocumentAddressInput(graphene.InputObjectType):
    first_name = graphene.String()
    last_name = graphene.String()
    company_name = graphene.String()
    street_address_1 = graphene.String()
    street_address_2 = graphene.String()
    postal_code = graphene.String()
    city = graphene.String()
    city_area = graphene.String()
    country_area = graphene.String()
    country = graphene.String(description="ISO 3166-1 alpha-2 code.")
    phone = graphene.String()
    vat_id = graphene.String()


class BillingDocumentCorrectionInput(graphene.InputObjectType):
    reason = graphene.String(required=True, description="What is wrong (at most 2000 characters).")
    company_name = graphene.String()
    vat_id = graphene.String()
    billing_address = graphene.InputField(BillingDocumentAddressInput)


class BillingDocumentRequestCorrection(_Payload, graphene.Mutation):
    correction_request = graphene.Field(BillingDocumentCorrectionRequest)

    class Arguments:
        id = graphene.ID(required=True, description="ID of the invoice to correct.")
        input = BillingDocumentCorrectionInput(required=True)

    class Meta:
        description = "Ask for a corrected invoice (company name, VAT ID, billing address, a price)."

    @classmethod
    def mutate(cls, _root: Any, info: Any, id: str, input: dict[str, Any]) -> Any:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            document = _document(who, id)
            request = corrections.request_correction(
                document, reason=input.get("reason") or "", company_name=input.get("company_name") or "",
                vat_id=input.get("vat_id") or "", billing_address=dict(input.get("billing_address") or {}),
                requested_by=actor(who),
            )
            return {"document": document, "correction_request": request}

        return _run(cls, work)


class BillingDocumentCorrectionResolve(_Payload, graphene.Mutation):
    correction_request = graphene.Field(BillingDocumentCorrectionRequest)

    class Arguments:
        id = graphene.ID(required=True, description="ID of the correction request.")
        approve = graphene.Boolean(required=True)
        message = graphene.String(description="Shown to the customer (at most 2000 characters).")

    class Meta:
        description = "Approve (credit note + corrected invoice) or reject a correction request. MANAGE_ORDERS."

    @classmethod
    def mutate(cls, _root: Any, info: Any, id: str, approve: bool, message: str | None = None) -> Any:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            require_staff(who)
            pk = decode_id(id, "BillingDocumentCorrectionRequest")
            request = visible_corrections(who).filter(pk=pk).first()
            if request is None:
                raise DocumentNotFound("No correction request with this ID.", field="id")
            resolved = corrections.resolve_correction(request, approve=approve, message=message or "",
                                                      resolved_by=actor(who))
            document = BillingDocumentModel.objects.get(pk=resolved.document_id)
            return {"document": document, "correction_request": resolved}

        return _run(cls, work)


def _order_id(value: str) -> str:
    """A host order id, from Saleor's global id ("Order:<uuid>") or the host's own id."""
    raw = (value or "").strip()
    try:
        type_name, inner = from_global_id(raw)
        if type_name == "Order" and inner:
            raw = inner
    except Exception:  # noqa: BLE001 - not a global id: the host's own id
        pass
    if not raw or len(raw) > 64:
        raise ValidationError("Invalid order ID.", code=ErrorCode.INVALID, field="orderId")
    return raw


def _order_snapshot(order_id: str) -> OrderSnapshot:
    try:
        return get_host().snapshot(order_id)
    except (DocumentNotFound, DjangoValidationError, ValueError) as exc:
        raise DocumentNotFound("No order with this ID.", field="orderId") from exc


class BillingDocumentIssue(_Payload, graphene.Mutation):
    class Arguments:
        order_id = graphene.ID(required=True, description="ID of the order.")
        type = enums.BillingDocumentTypeEnum(required=True, description="INVOICE or RECEIPT.")

    class Meta:
        description = "Issue an invoice, or receipts for captured payments, now. Requires MANAGE_ORDERS."

    @classmethod
    def mutate(cls, _root: Any, info: Any, order_id: str, type: str) -> Any:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            require_staff(who)
            snapshot = _order_snapshot(_order_id(order_id))
            if not who.may_see_channel(snapshot.channel):
                raise PermissionDenied("You do not have access to this order's channel.", field="orderId")
            config = _config(snapshot.channel, "orderId")
            status = snapshot.status.lower()
            if status in NOT_CONFIRMED_STATUSES - {"unconfirmed"} or status in CANCELLED_STATUSES:
                raise ValidationError(f"Cannot issue documents for a {status} order.", code=ErrorCode.INVALID,
                                      field="orderId")
            if type == DocumentType.INVOICE:
                return {"document": _issue_invoice(snapshot, config)}
            if type == DocumentType.RECEIPT:
                return {"document": _issue_receipts(snapshot, config)}
            raise ValidationError("Credit notes come from refunds, cancellations and billingDocumentVoid.",
                                  code=ErrorCode.INVALID, field="type")

        return _run(cls, work)


def _issue_invoice(snapshot: OrderSnapshot, config: ChannelConfig) -> BillingDocumentModel:
    plan = Planned(DocumentType.INVOICE, f"{snapshot.order_id}:invoice:manual:{uuid.uuid4().hex}", timezone.now(),
                   amount=snapshot.total_gross)
    result = issuing.issue(snapshot, config, plan, unless_active_invoice=True)
    if not result.created:
        raise _Failed(SayproInvoicingError("The order already has an invoice; void it first.",
                                           code=ErrorCode.ALREADY_ISSUED, field="orderId"), document=result.document)
    return result.document


def _issue_receipts(snapshot: OrderSnapshot, config: ChannelConfig) -> BillingDocumentModel:
    plans = plan_receipts(snapshot, config.replace(issue_receipts=True))
    if not plans:
        raise ValidationError("The order has no captured payment to issue a receipt for.", code=ErrorCode.INVALID,
                              field="orderId")
    results = [issuing.issue(snapshot, config, plan) for plan in plans]
    created = [r.document for r in results if r.created]
    if not created:
        raise _Failed(SayproInvoicingError("Every payment of the order already has a receipt.",
                                           code=ErrorCode.ALREADY_ISSUED, field="orderId"),
                      document=results[-1].document)
    return created[0]


class BillingDocumentVoid(_Payload, graphene.Mutation):
    credit_note = graphene.Field(BillingDocument, description="The credit note cancelling an issued invoice.")

    class Arguments:
        id = graphene.ID(required=True, description="ID of the document.")
        reason = graphene.String(required=True, description="Why (at most 2000 characters).")

    class Meta:
        description = "Void a document; an issued invoice is cancelled by a credit note. Requires MANAGE_ORDERS."

    @classmethod
    def mutate(cls, _root: Any, info: Any, id: str, reason: str) -> Any:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            require_staff(who)
            document = _document(who, id)
            text = _text(reason, "reason", MAX_VOID_REASON_LENGTH, required=True)
            config = _config(document.channel, "id")
            credit_note = issuing.void(document, config, document.document_content.order, reason=text)
            AuditEntry.objects.create(document=document, document_number=document.number or "", action="voided",
                                      actor=actor(who), details={"reason": text[:500]})
            document.refresh_from_db()
            return {"document": document, "credit_note": credit_note}

        return _run(cls, work)


class BillingDocumentMutations(graphene.ObjectType):
    billing_document_resend = BillingDocumentResend.Field()
    billing_document_request_correction = BillingDocumentRequestCorrection.Field()
    billing_document_correction_resolve = BillingDocumentCorrectionResolve.Field()
    billing_document_issue = BillingDocumentIssue.Field()
    billing_document_void = BillingDocumentVoid.Field()
