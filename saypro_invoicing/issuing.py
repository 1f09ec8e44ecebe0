"""Issuing: one transaction that turns an order snapshot into a numbered, frozen document.

idempotency (unique trigger key) -> sequence row lock -> accuracy gate -> number -> save,
then delivery is queued on commit. The PDF is rendered from the frozen content by the
delivery task (or at once where a caller needs the file now), so that the sequence lock is
held for milliseconds, not for a render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from . import numbering
from .accuracy import Reason
from .alerts import raise_alert
from .assess import assess, summary
from .conf import ChannelConfig
from .delivery.queue import enqueue_delivery
from .errors import ErrorCode, SayproInvoicingError
from .hosts import get_host
from .models import BillingDocument, GateCheck
from .models.documents import DocumentStatus, PaymentStatus
from .models.records import AlertKind
from .money import quantize, to_locale
from .snapshot import DocumentContent, DocumentType, OrderSnapshot, to_json
from .trigger_keys import TriggerKey
from .triggers import Planned, plan_credit_notes, plan_invoice, plan_receipts

logger = logging.getLogger(__name__)

ACTIVE = (DocumentStatus.ISSUED, DocumentStatus.NEEDS_REVIEW)


@dataclass(frozen=True)
class IssueResult:
    document: BillingDocument
    created: bool


class _AlreadyThere(Exception):
    def __init__(self, document: BillingDocument):
        self.document = document


def build_content(snapshot: OrderSnapshot, config: ChannelConfig, plan: Planned, *, issued_at: datetime,
                  corrects: BillingDocument | None = None) -> DocumentContent:
    amount = plan.amount if plan.amount is not None else snapshot.total_gross
    try:
        amount = quantize(amount, snapshot.currency)
    except (SayproInvoicingError, ArithmeticError):
        pass  # an unknown currency or no number at all: the gate holds the document and says why
    due_at = None
    if plan.type == DocumentType.INVOICE and not snapshot.is_fully_paid:
        due_at = issued_at + timedelta(days=config.payment_terms_days)
    return DocumentContent(
        type=plan.type,
        order=snapshot,
        seller=config.seller,
        amount=amount,
        locale=to_locale(config.locale or snapshot.language_code),
        paper_size=config.paper_size,
        issued_at=issued_at,
        due_at=due_at,
        payment=plan.payment,
        refund=plan.refund,
        corrects_number=(corrects.number or "") if corrects else "",
        corrects_issued_at=corrects.issued_at if corrects else None,
        reason=plan.reason,
        payment_terms_days=config.payment_terms_days,
        payment_instructions=config.payment_instructions if plan.type == DocumentType.INVOICE else "",
    )


def issue(snapshot: OrderSnapshot, config: ChannelConfig, plan: Planned, *, send: bool = True,
          corrects: BillingDocument | None = None, unless_active_invoice: bool = False,
          now: datetime | None = None) -> IssueResult:
    """Issue one document, or return the one that already exists for the same trigger."""
    now = now or timezone.now()
    existing = BillingDocument.objects.filter(trigger_key=str(plan.trigger_key)).first()
    if existing is not None:
        return IssueResult(existing, created=False)
    assessment = assess(build_content(snapshot, config, plan, issued_at=now, corrects=corrects), config,
                        corrects=corrects)
    content, reasons = assessment.content, assessment.reasons
    total, total_net, tax_total = assessment.ledger_figures()
    year = numbering.fiscal_year(now)
    try:
        with transaction.atomic():
            # The lock serialises issuers of this sequence, which also settles races on the same trigger.
            sequence_number = numbering.allocate(config.channel, plan.type, year) if not reasons else None
            if unless_active_invoice:
                active = _active_invoice(snapshot.order_id)
                if active is not None:
                    raise _AlreadyThere(active)
            document = BillingDocument(
                type=plan.type,
                status=DocumentStatus.NEEDS_REVIEW if reasons else DocumentStatus.ISSUED,
                channel=config.channel,
                order_id=snapshot.order_id,
                order_number=snapshot.order_number,
                trigger_key=str(plan.trigger_key),
                currency=snapshot.currency,
                total=total,
                total_net=total_net,
                tax_total=tax_total,
                content=to_json(content),
                review_reasons=[r.as_dict() for r in reasons],
                customer_email=snapshot.customer_email,
                customer_user_id=snapshot.customer_user_id,
                customer_name=snapshot.customer_name[:256],
                locale=content.locale,
                event_at=plan.event_at,
                due_at=content.due_at,
                corrects=corrects,
                payment_status=_initial_payment_status(plan.type, snapshot),
                paid_at=snapshot.paid_at if plan.type == DocumentType.INVOICE and snapshot.is_fully_paid else None,
            )
            if sequence_number is not None:
                document.fiscal_year = year
                document.sequence = sequence_number
                document.number = numbering.format_number(config.number_format(plan.type), year=year,
                                                          number=sequence_number)
                document.issued_at = now
                document.content = to_json(replace(content, issued_at=now))
            document.save(force_insert=True)
    except _AlreadyThere as there:
        return IssueResult(there.document, created=False)
    except IntegrityError:
        # A concurrent call issued the same trigger first; its document is the answer.
        existing = BillingDocument.objects.filter(trigger_key=str(plan.trigger_key)).first()
        if existing is None:
            raise
        return IssueResult(existing, created=False)

    GateCheck.objects.create(document=document, channel=config.channel, type=plan.type,
                             trigger_key=str(plan.trigger_key), passed=not reasons,
                             reasons=[r.as_dict() for r in reasons])
    if reasons:
        hold(document, reasons)
        get_host().document_issued(document)  # hosts show held documents too (Saleor: a FAILED row)
        return IssueResult(document, created=True)
    get_host().document_issued(document)
    if send:
        enqueue_delivery(document.id)
    return IssueResult(document, created=True)


def hold(document: BillingDocument, reasons: list[Reason]) -> None:
    text = summary(reasons)
    logger.warning("saypro_invoicing: %s for order %s held for review (%s)", document.type, document.order_number,
                   text)
    kind = document.type.replace("_", " ")
    raise_alert(AlertKind.REVIEW_HOLD, document,
                f"The {kind} for order {document.order_number} was held for review: {text}.")


def sync_order(snapshot: OrderSnapshot, config: ChannelConfig, *, send: bool = True,
               now: datetime | None = None, keep: Callable[[Planned], bool] | None = None) -> list[IssueResult]:
    """Issue every document the order calls for and does not have yet; safe to call any number of times.

    Events before the channel's activation issue nothing (backfill passes a config without it);
    ``keep`` lets a caller leave out more of the plan.
    """
    if not config.active:
        return []

    def wanted(plan: Planned) -> bool:
        if config.activated_at is not None and plan.event_at < config.activated_at:
            return False
        return keep is None or keep(plan)

    results: list[IssueResult] = []
    for plan in filter(wanted, plan_receipts(snapshot, config)):
        results.append(issue(snapshot, config, plan, send=send, now=now))
    invoice = _active_invoice(snapshot.order_id)
    has_any_invoice = invoice is not None or BillingDocument.objects.filter(
        order_id=snapshot.order_id, type=DocumentType.INVOICE).exists()
    for plan in filter(wanted, plan_invoice(snapshot, config, has_invoice=has_any_invoice)):
        result = issue(snapshot, config, plan, send=send, now=now, unless_active_invoice=True)
        results.append(result)
        invoice = result.document
    if invoice is not None and invoice.status == DocumentStatus.ISSUED:
        credited = {TriggerKey.parse(key): total for key, total in BillingDocument.objects.filter(
            corrects=invoice, type=DocumentType.CREDIT_NOTE).exclude(status=DocumentStatus.VOID)
            .values_list("trigger_key", "total")}
        for plan in filter(wanted, plan_credit_notes(snapshot, config, invoiced=invoice.total, credited=credited)):
            results.append(issue(snapshot, config, plan, send=send, now=now, corrects=invoice))
        update_payment_status(invoice, snapshot)
    return results


def void(document: BillingDocument, config: ChannelConfig, snapshot: OrderSnapshot, *, reason: str,
         send: bool = True, now: datetime | None = None) -> BillingDocument | None:
    """Void a document; an issued invoice is cancelled by a credit note for what is not yet credited.

    Returns the credit note, if one was issued. Issued documents are never deleted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = BillingDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentStatus.VOID:
            raise SayproInvoicingError("The document is already void.", code=ErrorCode.ALREADY_VOID)
        credit_note = None
        if locked.type == DocumentType.INVOICE and locked.status == DocumentStatus.ISSUED:
            credited = BillingDocument.objects.filter(corrects=locked, type=DocumentType.CREDIT_NOTE).exclude(
                status=DocumentStatus.VOID).aggregate(total=Sum("total"))["total"] or Decimal(0)
            remaining = locked.total - credited
            if remaining > 0:
                plan = Planned(DocumentType.CREDIT_NOTE, TriggerKey.void_credit(locked.order_id, locked.id), now,
                               amount=remaining, reason=reason or "Invoice voided")
                credit_note = issue(snapshot, config, plan, send=send, corrects=locked, now=now).document
        locked.status = DocumentStatus.VOID
        locked.voided_at = now
        locked.void_reason = reason
        locked.save(update_fields=["status", "voided_at", "void_reason"])
    return credit_note


def update_payment_status(invoice: BillingDocument, snapshot: OrderSnapshot) -> None:
    """Payment status is operational state, not content: it follows the order after issuing."""
    if snapshot.total_refunded > 0 and snapshot.total_refunded >= snapshot.total_gross:
        status, paid_at = PaymentStatus.REFUNDED, invoice.paid_at
    elif snapshot.is_fully_paid:
        status, paid_at = PaymentStatus.PAID, invoice.paid_at or snapshot.paid_at or timezone.now()
    elif snapshot.total_charged > 0:
        status, paid_at = PaymentStatus.PARTIALLY_PAID, None
    else:
        status, paid_at = PaymentStatus.UNPAID, None
    if (invoice.payment_status, invoice.paid_at) != (status, paid_at):
        BillingDocument.objects.filter(pk=invoice.pk).update(payment_status=status, paid_at=paid_at)
        invoice.payment_status, invoice.paid_at = status, paid_at


def _active_invoice(order_id: str) -> BillingDocument | None:
    return (BillingDocument.objects.filter(order_id=order_id, type=DocumentType.INVOICE, status__in=ACTIVE)
            .order_by("-created_at").first())


def _initial_payment_status(doc_type: DocumentType, snapshot: OrderSnapshot) -> str:
    if doc_type == DocumentType.RECEIPT:
        return PaymentStatus.PAID
    if doc_type == DocumentType.CREDIT_NOTE:
        return PaymentStatus.CREDITED
    if snapshot.is_fully_paid:
        return PaymentStatus.PAID
    return PaymentStatus.PARTIALLY_PAID if snapshot.total_charged > 0 else PaymentStatus.UNPAID
