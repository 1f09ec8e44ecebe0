"""Object types: BillingDocument (a relay Node), its delivery attempts, correction requests, errors.

Resolvers read only what the list resolvers prefetch (deliveries, corrected_by, correction_requests,
select_related corrects), so a page of documents costs the same number of queries as one.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay
from prices import Money as MoneyValue

from .. import links
from ..einvoice.access import document_formats
from ..errors import PermissionDenied
from ..hosts import get_host
from ..models import BillingDocument as BillingDocumentModel
from ..models import CorrectionRequest as CorrectionRequestModel
from ..models import DeliveryAttempt as DeliveryAttemptModel
from ..models.documents import DocumentStatus
from ..snapshot import Address
from . import enums
from .errors import coded
from .figures import BillingDocumentFigures, resolve_figures
from .ids import global_id
from .permissions import is_staff, may_see, requestor, visible_corrections, visible_documents
from .shared import host_type


class BillingDocumentError(graphene.ObjectType):
    field = graphene.String(description="The input field the error is about; null for the whole request.")
    message = graphene.String(description="What went wrong.")
    code = graphene.Field(enums.BillingDocumentErrorCode, required=True, description="The error code.")


class BillingDocumentAddress(graphene.ObjectType):
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    company_name = graphene.String(required=True)
    street_address_1 = graphene.String(required=True)
    street_address_2 = graphene.String(required=True)
    postal_code = graphene.String(required=True)
    city = graphene.String(required=True)
    city_area = graphene.String(required=True)
    country_area = graphene.String(required=True)
    country = graphene.String(required=True, description="ISO 3166-1 alpha-2 code.")
    phone = graphene.String(required=True)
    vat_id = graphene.String(required=True)


def _address(data: Address | dict[str, Any] | None) -> Address | None:
    if data is None or isinstance(data, Address):
        return data
    return Address(**{k: v for k, v in data.items() if k in Address.__dataclass_fields__})


class BillingDocumentReviewReason(graphene.ObjectType):
    """Why the accuracy gate held a document: machine-readable, one per failed check."""

    code = graphene.Field(enums.BillingDocumentErrorCode, required=True)
    field = graphene.String(required=True)
    message = graphene.String(required=True)
    expected = graphene.String()
    actual = graphene.String()

    @staticmethod
    def resolve_code(root: dict[str, str], _info: Any) -> str:
        return root["code"]

    @staticmethod
    def resolve_field(root: dict[str, str], _info: Any) -> str:
        return root.get("field", "")

    @staticmethod
    def resolve_message(root: dict[str, str], _info: Any) -> str:
        return root.get("message", "")

    @staticmethod
    def resolve_expected(root: dict[str, str], _info: Any) -> str | None:
        return root.get("expected") or None

    @staticmethod
    def resolve_actual(root: dict[str, str], _info: Any) -> str | None:
        return root.get("actual") or None


class BillingDocumentDeliveryAttempt(graphene.ObjectType):
    """One try to hand the document to a provider."""

    channel = graphene.Field(enums.BillingDocumentDeliveryChannelEnum, required=True)
    purpose = graphene.Field(enums.BillingDocumentDeliveryPurposeEnum, required=True)
    recipient = graphene.String(required=True)
    status = graphene.Field(enums.BillingDocumentDeliveryAttemptStatusEnum, required=True)
    attempt_number = graphene.Int(required=True)
    error = graphene.String(description="The provider's answer or the exception, for failed attempts.")
    error_code = graphene.String()
    started_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    next_retry_at = graphene.DateTime()

    class Meta:
        description = "A delivery attempt of a billing document."

    @staticmethod
    def resolve_error(root: DeliveryAttemptModel, info: Any) -> str | None:
        if root.status in ("sent", "sending"):
            return None
        # The provider's raw answer can name internal servers: staff see it, customers the code.
        if is_staff(requestor(info)):
            return root.response or root.error_code or None
        return root.error_code or None

    @staticmethod
    def resolve_error_code(root: DeliveryAttemptModel, _info: Any) -> str | None:
        return root.error_code or None


class BillingDocumentFormat(graphene.ObjectType):
    format = graphene.String(required=True, description="pdf, facturx-pdf (the PDF/A-3 hybrid), or an e-invoice "
                                                         "XML: facturx, xrechnung-ubl, xrechnung-cii, peppol-ubl.")
    label = graphene.String(required=True)
    media_type = graphene.String(required=True)
    download_url = graphene.String(description="Signed, expiring link to this file; null while held for review.")
    sha256 = graphene.String(description="SHA-256 of the stored file; null until it is first stored.")

    class Meta:
        description = "One file of a document: its PDF or one of its EN 16931 e-invoices."


class BillingDocument(graphene.ObjectType):
    number = graphene.String(description="The document number; null while held for review.")
    type = graphene.Field(enums.BillingDocumentTypeEnum, required=True)
    status = graphene.Field(enums.BillingDocumentStatusEnum, required=True)
    channel = graphene.String(required=True, description="Slug of the channel the order belongs to.")
    issued_at = graphene.DateTime()
    due_at = graphene.DateTime()
    currency = graphene.String(required=True)
    total = graphene.Field(lambda: host_type("Money"), required=True)
    figures = graphene.Field(BillingDocumentFigures, required=True, resolver=resolve_figures,
                             description="Lines, allowances, charges, VAT breakdown and totals, as printed.")
    payment_status = graphene.Field(enums.BillingDocumentPaymentStatusEnum, required=True)
    paid_at = graphene.DateTime()
    order_number = graphene.String(required=True)
    order = graphene.Field(lambda: host_type("Order"), description="The host's order, where the host has one.")
    customer_name = graphene.String(required=True)
    customer_email = graphene.String(required=True)
    billing_address = graphene.Field(BillingDocumentAddress, description="As frozen on the document.")
    delivery_status = graphene.Field(enums.BillingDocumentDeliveryStatusEnum, required=True)
    deliveries = graphene.List(graphene.NonNull(BillingDocumentDeliveryAttempt), required=True)
    download_url = graphene.String(description="Signed, expiring link to the PDF.")
    formats = graphene.List(graphene.NonNull(BillingDocumentFormat), required=True,
                            description="The PDF and each e-invoice XML of the document, each with its own link.")
    corrects_document = graphene.Field(lambda: BillingDocument, description="The invoice this document corrects.")
    corrected_by = graphene.List(graphene.NonNull(lambda: BillingDocument), required=True,
                                 description="Credit notes and corrected invoices issued for this document.")
    review_reasons = graphene.List(graphene.NonNull(BillingDocumentReviewReason), required=True)
    voided_at = graphene.DateTime()
    void_reason = graphene.String()
    correction_requests = graphene.List(graphene.NonNull(lambda: BillingDocumentCorrectionRequest),
                                        description="Customers' correction requests. Requires MANAGE_ORDERS.")

    class Meta:
        interfaces = (relay.Node,)
        description = "An invoice, receipt or credit note: numbered, frozen, delivered."

    @classmethod
    def is_type_of(cls, root: Any, _info: Any) -> bool:
        return isinstance(root, BillingDocumentModel)

    @classmethod
    def get_node(cls, info: Any, id: str) -> BillingDocumentModel | None:  # noqa: A002 (graphene's name)
        return visible_documents(requestor(info)).filter(pk=id).first()

    @staticmethod
    def resolve_id(root: BillingDocumentModel, _info: Any) -> str:
        return str(root.id)

    @staticmethod
    def resolve_total(root: BillingDocumentModel, _info: Any) -> MoneyValue:
        return MoneyValue(root.total, root.currency)

    @staticmethod
    def resolve_order(root: BillingDocumentModel, info: Any) -> Any:
        # The host knows its own order type (Saleor: its Order); the sandbox has none to offer.
        resolve = getattr(get_host(), "graphql_order", None)
        return resolve(root.order_id, info) if resolve is not None else None

    @staticmethod
    def resolve_billing_address(root: BillingDocumentModel, _info: Any) -> Address | None:
        return root.document_content.order.billing_address

    @staticmethod
    def resolve_deliveries(root: BillingDocumentModel, _info: Any) -> list[DeliveryAttemptModel]:
        return list(root.deliveries.all())

    @staticmethod
    def resolve_download_url(root: BillingDocumentModel, _info: Any) -> str | None:
        if not root.number or root.status == DocumentStatus.NEEDS_REVIEW:
            return None
        return links.download_url(root.id, root.channel)

    @staticmethod
    def resolve_formats(root: BillingDocumentModel, _info: Any) -> list[dict[str, Any]]:
        return document_formats(root)

    @staticmethod
    def resolve_corrects_document(root: BillingDocumentModel, info: Any) -> BillingDocumentModel | None:
        original = root.corrects
        return original if original is not None and may_see(requestor(info), original) else None

    @staticmethod
    def resolve_corrected_by(root: BillingDocumentModel, info: Any) -> list[BillingDocumentModel]:
        who = requestor(info)
        linked = sorted(root.corrected_by.all(), key=lambda d: (d.created_at, d.id.hex))
        return [d for d in linked if may_see(who, d)]

    @staticmethod
    def resolve_review_reasons(root: BillingDocumentModel, _info: Any) -> list[dict[str, str]]:
        return list(root.review_reasons or [])

    @staticmethod
    def resolve_void_reason(root: BillingDocumentModel, _info: Any) -> str | None:
        return root.void_reason or None

    @staticmethod
    @coded
    def resolve_correction_requests(root: BillingDocumentModel, info: Any) -> list[CorrectionRequestModel]:
        if not is_staff(requestor(info)):
            raise PermissionDenied("You need the MANAGE_ORDERS permission to see correction requests.")
        return list(root.correction_requests.all())


class BillingDocumentCorrectionRequest(graphene.ObjectType):
    document = graphene.Field(BillingDocument, description="The document to correct.")
    reason = graphene.String(required=True)
    company_name = graphene.String(required=True)
    vat_id = graphene.String(required=True)
    billing_address = graphene.Field(BillingDocumentAddress)
    status = graphene.Field(enums.BillingDocumentCorrectionStatusEnum, required=True)
    requested_at = graphene.DateTime(required=True)
    resolved_at = graphene.DateTime()
    resolution_message = graphene.String(required=True)
    credit_note = graphene.Field(BillingDocument)
    corrected_invoice = graphene.Field(BillingDocument)

    class Meta:
        interfaces = (relay.Node,)
        description = "A customer's request to correct a document's details."

    @classmethod
    def is_type_of(cls, root: Any, _info: Any) -> bool:
        return isinstance(root, CorrectionRequestModel)

    @classmethod
    def get_node(cls, info: Any, id: str) -> CorrectionRequestModel | None:  # noqa: A002
        return visible_corrections(requestor(info)).filter(pk=id).first()

    @staticmethod
    def resolve_id(root: CorrectionRequestModel, _info: Any) -> str:
        return str(root.id)

    @staticmethod
    def resolve_billing_address(root: CorrectionRequestModel, _info: Any) -> Address | None:
        return _address(root.billing_address)

    @staticmethod
    def _linked(document: BillingDocumentModel | None, info: Any) -> BillingDocumentModel | None:
        return document if document is not None and may_see(requestor(info), document) else None

    @staticmethod
    def resolve_document(root: CorrectionRequestModel, info: Any) -> BillingDocumentModel | None:
        return BillingDocumentCorrectionRequest._linked(root.document, info)

    @staticmethod
    def resolve_credit_note(root: CorrectionRequestModel, info: Any) -> BillingDocumentModel | None:
        return BillingDocumentCorrectionRequest._linked(root.credit_note, info)

    @staticmethod
    def resolve_corrected_invoice(root: CorrectionRequestModel, info: Any) -> BillingDocumentModel | None:
        return BillingDocumentCorrectionRequest._linked(root.corrected_invoice, info)


class BillingDocumentCountableConnection(relay.Connection):
    total_count = graphene.Int(description="A total count of items in the collection.")

    class Meta:
        node = BillingDocument

    @staticmethod
    def resolve_total_count(root: Any, _info: Any) -> int:
        return root.page.total_count()


def document_global_id(document: BillingDocumentModel) -> str:
    return global_id("BillingDocument", document.id)
