"""Releasing a held document: after staff fixed the cause, the gate runs again on fresh content.

The document keeps its trigger (the same payment, refund or order event, the same event time) and is
rebuilt from the host's current order and the channel's current configuration; passing, it takes the
next number and is delivered like any other issued document. Failing, it stays held with the new
reasons, and the caller gets a coded error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import numbering
from .accuracy import Reason
from .assess import assess, summary
from .conf import ChannelConfig
from .delivery.queue import enqueue_delivery
from .errors import ErrorCode, SayproInvoicingError
from .hosts import get_host
from .issuing import build_content
from .models import BillingDocument, GateCheck
from .models.documents import DocumentStatus
from .snapshot import DocumentType, OrderSnapshot, to_json
from .trigger_keys import TriggerKey
from .triggers import Planned


class StillHeld(SayproInvoicingError):
    code = ErrorCode.TOTAL_MISMATCH

    def __init__(self, reasons: list[Reason]):
        super().__init__(f"The document still fails the accuracy gate: {summary(reasons)}",
                         code=reasons[0].code if reasons else ErrorCode.INVALID, field=reasons[0].field or None)
        self.reasons = reasons


@dataclass(frozen=True)
class Released:
    document: BillingDocument


def _plan(document: BillingDocument, snapshot: OrderSnapshot) -> Planned:
    held = document.document_content
    payment = snapshot.payment(held.payment.reference) if held.payment else None
    refund = snapshot.refund(held.refund.reference) if held.refund else None
    if document.type == DocumentType.RECEIPT:
        paid = payment or held.payment
        amount = paid.amount if paid is not None else held.amount
    elif document.type == DocumentType.INVOICE:
        amount = snapshot.total_gross
    else:
        amount = held.amount
    return Planned(DocumentType(document.type), TriggerKey.parse(document.trigger_key), document.event_at,
                   payment=payment or held.payment, refund=refund or held.refund, amount=amount, reason=held.reason)


def release(document: BillingDocument, config: ChannelConfig, snapshot: OrderSnapshot | None = None, *,
            send: bool = True, now: datetime | None = None) -> Released:
    """Re-run the gate on a held document; raise StillHeld (with every reason) if it fails again."""
    now = now or timezone.now()
    if document.status != DocumentStatus.NEEDS_REVIEW:
        raise SayproInvoicingError("Only a document held for review can be released.", code=ErrorCode.ALREADY_ISSUED,
                                   field="id")
    if snapshot is None:
        try:
            snapshot = get_host().snapshot(document.order_id)
        except Exception as exc:  # the host's lookup error types differ; none of them may escape as a crash
            raise SayproInvoicingError(f"Order {document.order_number} cannot be loaded from the shop.",
                                       code=ErrorCode.NOT_FOUND, field="id") from exc
    plan = _plan(document, snapshot)
    assessment = assess(build_content(snapshot, config, plan, issued_at=now, corrects=document.corrects), config,
                        corrects=document.corrects, excluding=document)
    reasons = assessment.reasons
    total, total_net, tax_total = assessment.ledger_figures()
    with transaction.atomic():
        locked = BillingDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != DocumentStatus.NEEDS_REVIEW:
            raise SayproInvoicingError("The document is no longer held.", code=ErrorCode.ALREADY_ISSUED, field="id")
        locked.content = to_json(assessment.content)
        locked.review_reasons = [r.as_dict() for r in reasons]
        locked.total, locked.total_net, locked.tax_total = total, total_net, tax_total
        if not reasons:
            year = numbering.fiscal_year(now)
            locked.sequence = numbering.allocate(config.channel, DocumentType(locked.type), year)
            locked.fiscal_year = year
            locked.number = numbering.format_number(config.number_format(locked.type), year=year,
                                                    number=locked.sequence)
            locked.issued_at = now
            locked.status = DocumentStatus.ISSUED
            locked.due_at = assessment.content.due_at
        locked.save()
        GateCheck.objects.create(document=locked, channel=config.channel, type=locked.type,
                                 trigger_key=locked.trigger_key, passed=not reasons,
                                 reasons=[r.as_dict() for r in reasons])
    if reasons:
        raise StillHeld(reasons)
    get_host().document_issued(locked)
    if send:
        enqueue_delivery(locked.id)
    return Released(locked)
