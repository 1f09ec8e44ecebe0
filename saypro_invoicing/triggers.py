"""Which documents an order calls for, given its channel's configuration.

Hooks, the sweeper and backfill all ask this one function, so a missed hook is repaired by
the same rules that would have issued the document in the first place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .conf import ChannelConfig
from .snapshot import DocumentType, OrderSnapshot, Payment, Refund
from .trigger_keys import TriggerKey

CANCELLED_STATUSES = frozenset({"canceled", "cancelled"})
NOT_CONFIRMED_STATUSES = frozenset({"draft", "unconfirmed", "expired"})
FULFILLED_STATUSES = frozenset({"fulfilled", "partially_returned", "returned"})


@dataclass(frozen=True)
class Planned:
    type: DocumentType
    trigger_key: TriggerKey
    event_at: datetime
    payment: Payment | None = None
    refund: Refund | None = None
    amount: Decimal | None = None
    reason: str = ""


def invoice_trigger_time(snapshot: OrderSnapshot, config: ChannelConfig) -> datetime | None:
    """When the order reached the channel's invoice trigger, or None if it has not."""
    status = snapshot.status.lower()
    if config.invoice_trigger == "never" or status in NOT_CONFIRMED_STATUSES:
        return None
    if config.invoice_trigger == "confirmed":
        return snapshot.confirmed_at or snapshot.created_at
    if config.invoice_trigger == "fully_paid":
        return (snapshot.paid_at or snapshot.created_at) if snapshot.is_fully_paid else None
    if status in FULFILLED_STATUSES:
        return snapshot.fulfilled_at or snapshot.created_at
    return None


def plan_receipts(snapshot: OrderSnapshot, config: ChannelConfig) -> list[Planned]:
    if not config.issue_receipts or snapshot.status.lower() in NOT_CONFIRMED_STATUSES - {"unconfirmed"}:
        return []
    return [
        Planned(DocumentType.RECEIPT, TriggerKey.receipt(snapshot.order_id, p.reference), p.captured_at, payment=p,
                amount=p.amount)
        for p in snapshot.payments
        if p.amount > 0
    ]


def plan_invoice(snapshot: OrderSnapshot, config: ChannelConfig, *, has_invoice: bool) -> list[Planned]:
    if has_invoice or snapshot.status.lower() in CANCELLED_STATUSES:
        return []
    reached = invoice_trigger_time(snapshot, config)
    if reached is None:
        return []
    return [Planned(DocumentType.INVOICE, TriggerKey.invoice(snapshot.order_id), reached, amount=snapshot.total_gross)]


def plan_credit_notes(
    snapshot: OrderSnapshot, config: ChannelConfig, *, invoiced: Decimal, credited: dict[TriggerKey, Decimal]
) -> list[Planned]:
    """Credit notes for refunds and cancellation, never crediting more than was invoiced.

    ``credited`` maps the trigger keys of credit notes already issued to their amounts. A refund
    that only gives back an overpayment (charged twice, refunded once) reduces nothing the customer
    owes, so it gets no credit note: only refunds beyond what was charged over the invoice count.
    """
    if not config.issue_credit_notes or invoiced <= 0:
        return []
    remaining = invoiced - sum(credited.values(), Decimal(0))
    overpaid = max(Decimal(0), snapshot.total_charged - invoiced)
    refund_credited = sum((v for k, v in credited.items() if k.is_refund_credit), Decimal(0))
    creditable = max(Decimal(0), sum((r.amount for r in snapshot.refunds), Decimal(0)) - overpaid) - refund_credited
    planned: list[Planned] = []
    for refund in snapshot.refunds:
        key = TriggerKey.refund_credit(snapshot.order_id, refund.reference)
        if key in credited or refund.amount <= 0 or remaining <= 0 or creditable <= 0:
            continue
        amount = min(refund.amount, remaining, creditable)
        remaining -= amount
        creditable -= amount
        planned.append(Planned(DocumentType.CREDIT_NOTE, key, refund.created_at, refund=refund, amount=amount,
                               reason=refund.reason or "Refund"))
    cancel_key = TriggerKey.cancel_credit(snapshot.order_id)
    if snapshot.status.lower() in CANCELLED_STATUSES and cancel_key not in credited and remaining > 0:
        planned.append(Planned(DocumentType.CREDIT_NOTE, cancel_key, snapshot.cancelled_at or snapshot.created_at,
                               amount=remaining, reason="Order cancelled"))
    return planned
