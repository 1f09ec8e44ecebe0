"""Content -> model -> gate, for issuing and for releasing a held document.

A content that cannot even be modelled (unknown currency, an amount that is no number, a refund naming
lines the order lacks) is held with the reason, like any other failed check: it never raises to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Sum

from . import accuracy
from .accuracy import MAX_AMOUNT, Reason
from .conf import ChannelConfig
from .document.calculate import build_model, model_of, with_model
from .document.model import ZERO, BillingModel
from .einvoice import gate as einvoice_gate
from .errors import ErrorCode, SayproInvoicingError
from .models import BillingDocument
from .models.documents import DocumentStatus
from .snapshot import DocumentContent, DocumentType


@dataclass(frozen=True)
class Assessment:
    content: DocumentContent  # with its model when one could be built
    model: BillingModel | None
    reasons: list[Reason]

    @property
    def passed(self) -> bool:
        return not self.reasons

    def ledger_figures(self) -> tuple[Decimal, Decimal, Decimal]:
        """(total, net, VAT) as the document row stores them. Receipts carry no VAT: their invoice does."""
        model = self.model
        if model is None:
            amount = self.content.amount
            safe = amount if amount.is_finite() and abs(amount) < MAX_AMOUNT else ZERO
            return safe, safe, ZERO
        if model.receipt is not None:
            return model.receipt.payment.amount, model.receipt.payment.amount, ZERO
        t = model.totals
        return t.gross_total, t.net_total, t.vat_total


def credited_so_far(invoice: BillingDocument, *, excluding: BillingDocument | None = None) -> Decimal:
    credit_notes = BillingDocument.objects.filter(corrects=invoice, type=DocumentType.CREDIT_NOTE).exclude(
        status=DocumentStatus.VOID)
    if excluding is not None:
        credit_notes = credit_notes.exclude(pk=excluding.pk)
    return credit_notes.aggregate(total=Sum("total"))["total"] or ZERO


def assess(content: DocumentContent, config: ChannelConfig, *, corrects: BillingDocument | None = None,
           excluding: BillingDocument | None = None) -> Assessment:
    corrected = credited = invoiced = None
    if content.type == DocumentType.CREDIT_NOTE and corrects is not None:
        corrected = model_of(corrects.document_content)
        credited = credited_so_far(corrects, excluding=excluding)
        invoiced = corrects.total
    whole = bool(content.refund is None and corrected is not None and credited == 0
                 and content.amount == corrected.totals.gross_total)
    model: BillingModel | None = None
    reasons: list[Reason] = []
    try:
        model = build_model(content, reverse_charge=config.reverse_charge, corrected=corrected, whole=whole)
    except SayproInvoicingError as error:
        reasons.append(Reason.from_error(error))
    except ArithmeticError as error:
        reasons.append(Reason(ErrorCode.AMOUNT_OUT_OF_RANGE, "amount", f"Amounts cannot be computed: {error!r}."))
    reasons += [r for r in accuracy.check(content, model, invoiced=invoiced, credited_before=credited or ZERO)
                if r not in reasons]
    if model is not None and not reasons:
        # Each e-invoice the channel sends is written and validated before the document is numbered.
        reasons += einvoice_gate.check(model, einvoice_gate.PLACEHOLDER, config)
    if model is not None:
        content = with_model(content, model)
        content = replace(content, einvoice_formats=einvoice_gate.formats(model, config))
    return Assessment(content, model, reasons)


def summary(reasons: list[Reason]) -> str:
    """Every reason with both figures, for alerts and Saleor's invoice message."""
    parts = []
    for r in reasons:
        figures = f" (expected {r.expected}, actual {r.actual})" if (r.expected or r.actual) else ""
        parts.append(f"{r.field}: {r.code.value}: {r.message}{figures}")
    return "; ".join(parts)
