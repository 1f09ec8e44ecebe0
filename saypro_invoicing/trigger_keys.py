"""Trigger keys: why a document exists, unique per document, so no event can issue it twice.

Stored as text (``BillingDocument.trigger_key``, unique) in the form ``<order id>:<kind>:<variant>``,
built only by the constructors below and read back only by ``TriggerKey.parse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .snapshot import DocumentType


class Variant(StrEnum):
    """The first part of a variant: what called for the document."""

    AUTO = "auto"  # the invoice the channel's trigger calls for
    MANUAL = "manual"  # an invoice staff asked for (GraphQL, Saleor's "Generate invoice")
    CORRECTION = "correction"  # a correction request's credit note and corrected invoice
    REFUND = "refund"  # a refund's credit note
    CANCEL = "cancel"  # the credit note of a cancelled order
    VOID = "void"  # the credit note of a voided invoice


_KEY = re.compile(r"^(?P<order_id>.+?):(?P<kind>invoice|receipt|credit_note)(?::(?P<variant>.*))?$", re.DOTALL)


@dataclass(frozen=True, order=True)
class TriggerKey:
    order_id: str
    kind: DocumentType
    variant: str

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind.value}:{self.variant}"

    # -- one constructor per reason -----------------------------------------------------------

    @classmethod
    def invoice(cls, order_id: Any) -> TriggerKey:
        return cls(str(order_id), DocumentType.INVOICE, Variant.AUTO.value)

    @classmethod
    def manual_invoice(cls, order_id: Any, reference: Any) -> TriggerKey:
        return cls(str(order_id), DocumentType.INVOICE, f"{Variant.MANUAL}:{reference}")

    @classmethod
    def corrected_invoice(cls, order_id: Any, request_id: Any) -> TriggerKey:
        return cls(str(order_id), DocumentType.INVOICE, f"{Variant.CORRECTION}:{request_id}")

    @classmethod
    def receipt(cls, order_id: Any, payment_reference: str) -> TriggerKey:
        return cls(str(order_id), DocumentType.RECEIPT, payment_reference)

    @classmethod
    def refund_credit(cls, order_id: Any, refund_reference: str) -> TriggerKey:
        return cls(str(order_id), DocumentType.CREDIT_NOTE, f"{Variant.REFUND}:{refund_reference}")

    @classmethod
    def cancel_credit(cls, order_id: Any) -> TriggerKey:
        return cls(str(order_id), DocumentType.CREDIT_NOTE, Variant.CANCEL.value)

    @classmethod
    def void_credit(cls, order_id: Any, voided_document_id: Any) -> TriggerKey:
        reference = getattr(voided_document_id, "hex", voided_document_id)
        return cls(str(order_id), DocumentType.CREDIT_NOTE, f"{Variant.VOID}:{reference}")

    @classmethod
    def correction_credit(cls, order_id: Any, request_id: Any) -> TriggerKey:
        return cls(str(order_id), DocumentType.CREDIT_NOTE, f"{Variant.CORRECTION}:{request_id}")

    # -- the one parser -----------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> TriggerKey:
        """The key stored as ``text``; ValueError when it is not one."""
        match = _KEY.match(text)
        if match is None:
            raise ValueError(f"Not a trigger key: {text!r}")
        return cls(match["order_id"], DocumentType(match["kind"]), match["variant"] or "")

    # -- what a key says ----------------------------------------------------------------------

    @property
    def cause(self) -> str:
        """The variant's first part (a ``Variant`` value for every kind but receipts)."""
        return self.variant.partition(":")[0]

    @property
    def reference(self) -> str:
        """What the variant names after its cause: the refund, payment, request or voided document."""
        return self.variant if self.kind == DocumentType.RECEIPT else self.variant.partition(":")[2]

    @property
    def is_manual(self) -> bool:
        return self.kind == DocumentType.INVOICE and self.cause == Variant.MANUAL

    @property
    def is_refund_credit(self) -> bool:
        return self.kind == DocumentType.CREDIT_NOTE and self.cause == Variant.REFUND
