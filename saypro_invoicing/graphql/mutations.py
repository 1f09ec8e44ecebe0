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
from django.db import transaction
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case

from .. import actions, corrections, issuing
from ..conf import ChannelConfig
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
from ..models import BillingDocument as BillingDocumentModel
from ..models.documents import DocumentStatus
from ..release import StillHeld
from ..sanitize import clean_snapshot
from ..snapshot import DocumentType, OrderSnapshot
from ..trigger_keys import TriggerKey
from ..triggers import CANCELLED_STATUSES, NOT_CONFIRMED_STATUSES, Planned, plan_receipts
from . import enums, validation
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


def _correction_input(data: Any) -> dict[str, Any]:
    """The correction input's texts, each checked; the address keeps only the fields given."""
    if not hasattr(data, "get"):
        raise ValidationError("`input` must be an object.", code=ErrorCode.INVALID, field="input")
    address = data.get("billing_address")
    if address is not None and not hasattr(address, "items"):
        raise ValidationError("`billingAddress` must be an object.", code=ErrorCode.INVALID, field="billingAddress")
    return {
        "reason": validation.text(data.get("reason"), "reason", limit=corrections.MAX_REASON_LENGTH, required=True,
                                  multiline=True),
        "company_name": validation.text(data.get("company_name"), "companyName",
                                        limit=corrections.MAX_COMPANY_NAME_LENGTH),
        "vat_id": validation.text(data.get("vat_id"), "vatId", limit=corrections.MAX_VAT_ID_LENGTH),
        "billing_address": {
            name: validation.text(value, f"billingAddress.{to_camel_case(name)}",
                                  limit=corrections.MAX_ADDRESS_FIELD_LENGTH)
            for name, value in (address or {}).items() if value is not None
        },
    }


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
            recipient = validation.email(email, "email")
            document = _document(who, id)
            if not is_staff(who):
                own = {e.lower() for e in (document.customer_email, who.email) if e}
                if recipient and recipient.lower() not in own:
                    raise PermissionDenied("You can send documents only to your own email address.", field="email")
            if document.status == DocumentStatus.VOID:
                raise ValidationError("The document is void.", code=ErrorCode.ALREADY_VOID, field="id")
            if not document.is_sendable:
                raise ValidationError("The document is not issued yet.", code=ErrorCode.NOT_ISSUED, field="id")
            result = actions.resend(document, email=recipient or None, actor=actor(who), customer=not is_staff(who))
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
            data = _correction_input(input)
            document = _document(who, id)
            request = actions.request_correction(document, **data, actor=actor(who))
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
            validation.boolean(approve, "approve")
            text = validation.text(message, "message", limit=corrections.MAX_MESSAGE_LENGTH, multiline=True)
            request = visible_corrections(who).filter(pk=pk).first()
            if request is None:
                raise DocumentNotFound("No correction request with this ID.", field="id")
            resolved = actions.correct(request, approve=approve, message=text, actor=actor(who))
            document = BillingDocumentModel.objects.get(pk=resolved.document_id)
            return {"document": document, "correction_request": resolved}

        return _run(cls, work)


def _order_id(value: str) -> str:
    """A host order id, from Saleor's global id ("Order:<uuid>") or the host's own id."""
    return validation.host_id(value, "Order", field="orderId")


def _order_snapshot(order_id: str) -> OrderSnapshot:
    try:
        snapshot = get_host().snapshot(order_id)
    except (DocumentNotFound, DjangoValidationError, ValueError) as exc:
        raise DocumentNotFound("No order with this ID.", field="orderId") from exc
    return clean_snapshot(snapshot)  # as events.snapshot_changed does for every other path


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
            order = _order_id(order_id)
            validation.choices([type], DocumentType, "type")
            snapshot = _order_snapshot(order)
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
    plan = Planned(DocumentType.INVOICE, TriggerKey.manual_invoice(snapshot.order_id, uuid.uuid4().hex), timezone.now(),
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
            text = validation.text(reason, "reason", limit=MAX_VOID_REASON_LENGTH, required=True, multiline=True)
            document = _document(who, id)
            credit_note = actions.void(document, reason=text, actor=actor(who), config=_config(document.channel, "id"))
            return {"document": document, "credit_note": credit_note}

        return _run(cls, work)


class BillingDocumentRelease(_Payload, graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True, description="ID of a document held for review.")

    class Meta:
        description = (
            "Release a document held for review after fixing its cause: the accuracy gate runs again on the "
            "order and configuration as they are now; passing, the document is numbered and delivered. Failing, "
            "it stays held with the new reasons, returned as errors. Requires MANAGE_ORDERS.")

    @classmethod
    def mutate(cls, _root: Any, info: Any, id: str) -> Any:  # noqa: A002
        who = requestor(info)

        def work() -> dict[str, Any]:
            require_staff(who)
            document = _document(who, id)
            config = _config(document.channel, "id")
            try:
                released = actions.release(document, actor=actor(who), config=config)
            except StillHeld as held:
                # The new reasons and the failed gate check are kept: the transaction commits.
                document.refresh_from_db()
                return {"document": document, "errors": [
                    BillingDocumentError(field=r.field, message=f"{r.message} (expected {r.expected}, actual "
                                         f"{r.actual})", code=r.code) for r in held.reasons]}
            return {"document": released.document}

        return _run(cls, work)


class BillingDocumentMutations(graphene.ObjectType):
    billing_document_resend = BillingDocumentResend.Field()
    billing_document_request_correction = BillingDocumentRequestCorrection.Field()
    billing_document_correction_resolve = BillingDocumentCorrectionResolve.Field()
    billing_document_issue = BillingDocumentIssue.Field()
    billing_document_void = BillingDocumentVoid.Field()
    billing_document_release = BillingDocumentRelease.Field()
