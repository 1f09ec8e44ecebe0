"""GraphQL enums. Names are part of the public API: clients rely on them, so they never change."""

from __future__ import annotations

from enum import Enum

import graphene

from ..errors import ErrorCode
from ..models.corrections import CorrectionStatus
from ..models.delivery import AttemptPurpose, AttemptStatus, Channel
from ..models.documents import DeliveryStatus, DocumentStatus, PaymentStatus
from ..snapshot import DocumentType


def _from_choices(name: str, choices: type[Enum], description: str) -> type[graphene.Enum]:
    """An enum whose names are the choices' names and whose values are the stored values."""
    return graphene.Enum(name, [(member.name, member.value) for member in choices], description=description)


BillingDocumentTypeEnum = _from_choices("BillingDocumentTypeEnum", DocumentType, "Kind of billing document.")
BillingDocumentStatusEnum = _from_choices("BillingDocumentStatusEnum", DocumentStatus,
                                          "Life-cycle status of a billing document.")
BillingDocumentDeliveryStatusEnum = _from_choices("BillingDocumentDeliveryStatusEnum", DeliveryStatus,
                                                  "How far a document's delivery to the customer got.")
BillingDocumentPaymentStatusEnum = _from_choices("BillingDocumentPaymentStatusEnum", PaymentStatus,
                                                 "Payment state of the document's order.")
BillingDocumentCorrectionStatusEnum = _from_choices("BillingDocumentCorrectionStatusEnum", CorrectionStatus,
                                                    "State of a customer's correction request.")
BillingDocumentDeliveryChannelEnum = _from_choices("BillingDocumentDeliveryChannelEnum", Channel,
                                                   "Channel a delivery attempt used.")
BillingDocumentDeliveryPurposeEnum = _from_choices("BillingDocumentDeliveryPurposeEnum", AttemptPurpose,
                                                   "Why a delivery attempt was made.")
BillingDocumentDeliveryAttemptStatusEnum = _from_choices("BillingDocumentDeliveryAttemptStatusEnum", AttemptStatus,
                                                         "Outcome of one delivery attempt.")


class BillingDocumentErrorCode(graphene.Enum):
    """Every error code the plugin reports, in mutations' errors and in query errors' extensions."""

    class Meta:
        enum = ErrorCode


class BillingDocumentSortField(graphene.Enum):
    ISSUED_AT = "issued_at"
    NUMBER = "number"
    TOTAL = "total"


class OrderDirection(graphene.Enum):
    """Same name and values as Saleor's OrderDirection, so Saleor's enum can stand in for it."""

    ASC = ""
    DESC = "-"
