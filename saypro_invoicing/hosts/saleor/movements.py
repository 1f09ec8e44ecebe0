"""Saleor's money movements -> our Payments and Refunds: transactions (with their granted refunds) and
legacy payments (with their refund fulfilments), read the way Saleor reads them."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

from saleor.order import FulfillmentStatus
from saleor.order.models import Order
from saleor.payment import TransactionEventType, TransactionKind

from ...money import quantize
from ...snapshot import Payment, Refund, RefundLine

_MANUAL_ADJUSTMENT = "Manual adjustment of the transaction."
# Fulfilments that refunded lines (orderFulfillmentRefundProducts, orderFulfillmentReturnProducts with a
# refund): legacy payments' refunds name their lines through them.
REFUND_FULFILMENTS = (FulfillmentStatus.REFUNDED, FulfillmentStatus.REFUNDED_AND_RETURNED)
# A refund fulfilment is created in the same transaction as its payment refund, moments after it.
_REFUND_FULFILMENT_WINDOW_SECONDS = 300


def money_movements(order: Order) -> tuple[tuple[Payment, ...], tuple[Refund, ...], Decimal]:
    """One Payment per successful charge, one Refund per successful refund, oldest first.

    The third value sums charge corrections that are not charges of their own (negative manual
    adjustments, chargebacks), so that the charged total matches Saleor's transactions.
    """
    payments: list[Payment] = []
    refunds: list[Refund] = []
    adjustment = Decimal(0)
    granted = {g.pk: g for g in order.granted_refunds.all()}
    for item in sorted(order.payment_transactions.all(), key=lambda t: (t.created_at, t.pk)):
        item_payments, item_refunds, item_adjustment = _transaction_movements(item, granted)
        payments += item_payments
        refunds += item_refunds
        adjustment += item_adjustment
    legacy: list[Refund] = []
    for payment in sorted(order.payments.all(), key=lambda p: (p.created_at, p.pk)):
        legacy_payments, legacy_refunds = _legacy_movements(payment)
        payments += legacy_payments
        legacy += legacy_refunds
    refunds += _with_fulfilment_lines(sorted(legacy, key=lambda r: (r.created_at, r.reference)), order)
    payments.sort(key=lambda p: (p.captured_at, p.reference))
    refunds.sort(key=lambda r: (r.created_at, r.reference))
    return tuple(payments), tuple(refunds), adjustment


def _method(item: Any) -> str:
    # TransactionItem has had card and payment-method fields only since Saleor 3.22; before, the name is all.
    brand, last_digits = getattr(item, "cc_brand", None), getattr(item, "cc_last_digits", None)
    if brand and last_digits:
        return f"{brand.capitalize()} •••• {last_digits}"
    return (getattr(item, "payment_method_name", None) or getattr(item, "payment_method_type", None)
            or item.name or "")


def _transaction_movements(item: Any, granted: dict[int, Any]) -> tuple[list[Payment], list[Refund], Decimal]:
    """Mirror Saleor's own reading of events (payment/transaction_item_calculations.py).

    Events with a PSP reference count once per (type, reference), the newest success unless a newer
    failure follows; events without one (transactionCreate/Update, mark as paid) each count.
    """
    events = sorted((e for e in item.events.all() if e.include_in_calculations), key=lambda e: (e.created_at, e.pk))
    method, gateway = _method(item), item.app_identifier or item.name or ""
    payments: list[Payment] = []
    refunds: list[Refund] = []
    adjustment = Decimal(0)
    by_reference: dict[tuple[str, str], list[Any]] = {}
    for event in events:
        if event.psp_reference:
            by_reference.setdefault((event.type, event.psp_reference), []).append(event)
            continue
        amount = Decimal(event.amount_value)
        if event.type == TransactionEventType.CHARGE_SUCCESS and amount > 0:
            payments.append(_payment(item, event, event, method, gateway))
        elif event.type == TransactionEventType.CHARGE_SUCCESS:
            adjustment += amount
        elif event.type == TransactionEventType.REFUND_SUCCESS and amount > 0:
            refunds.append(_refund(item, event, event, _granted_refund(item, [event], granted)))
        elif event.type in (TransactionEventType.CHARGE_BACK, TransactionEventType.REFUND_REVERSE):
            adjustment += -amount if event.type == TransactionEventType.CHARGE_BACK else amount
    for (event_type, psp_reference), group in by_reference.items():
        if event_type == TransactionEventType.CHARGE_SUCCESS:
            if _succeeded(item, psp_reference, group[-1], TransactionEventType.CHARGE_FAILURE):
                payments.append(_payment(item, group[0], group[-1], method, gateway))
        elif event_type == TransactionEventType.REFUND_SUCCESS:
            if _succeeded(item, psp_reference, group[-1], TransactionEventType.REFUND_FAILURE):
                refunds.append(_refund(item, group[0], group[-1], _granted_refund(item, group, granted)))
        elif event_type == TransactionEventType.CHARGE_BACK:
            adjustment -= Decimal(group[-1].amount_value)
        elif event_type == TransactionEventType.REFUND_REVERSE:
            adjustment += Decimal(group[-1].amount_value)
    return payments, refunds, adjustment


def _succeeded(item: Any, psp_reference: str, success: Any, failure_type: str) -> bool:
    failures = [e for e in item.events.all() if e.include_in_calculations and e.type == failure_type
                and e.psp_reference == psp_reference]
    return not any(f.created_at > success.created_at for f in failures)


def _reference(kind: str, key: Any) -> str:
    # Trigger keys hold the reference: keep it short and stable whatever the PSP sends.
    text = str(key)
    return f"{kind}:{text}" if len(text) <= 64 else f"{kind}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _payment(item: Any, first: Any, effective: Any, method: str, gateway: str) -> Payment:
    return Payment(
        # Keyed by the first event of the charge, so a re-reported charge keeps its receipt.
        reference=_reference("tx", first.pk),
        amount=quantize(effective.amount_value, item.currency),
        captured_at=effective.created_at,
        method=method,
        psp_reference=effective.psp_reference or item.psp_reference or "",
        gateway=gateway,
    )


def _refund(item: Any, first: Any, effective: Any, granted_refund: Any = None) -> Refund:
    message = effective.message if effective.message and effective.message != _MANUAL_ADJUSTMENT else ""
    lines: tuple[RefundLine, ...] = ()
    includes_shipping = False
    if granted_refund is not None:
        lines = tuple(RefundLine(str(line.order_line_id), line.quantity)
                      for line in sorted(granted_refund.lines.all(), key=lambda line: line.pk))
        includes_shipping = bool(granted_refund.shipping_costs_included)
        message = message or granted_refund.reason or ""
    return Refund(reference=_reference("tx-refund", first.pk), amount=quantize(effective.amount_value, item.currency),
                  created_at=effective.created_at, reason=message, lines=lines, includes_shipping=includes_shipping)


def _granted_refund(item: Any, group: list[Any], granted: dict[int, Any]) -> Any:
    """The granted refund (orderGrantRefundCreate) a refund carries out: Saleor links the request event
    (transactionRequestRefundForGrantedRefund) and the success reported for its PSP reference."""
    for event in group:
        if event.related_granted_refund_id in granted:
            return granted[event.related_granted_refund_id]
    psp_reference = group[-1].psp_reference
    if psp_reference:
        for event in item.events.all():
            if (event.type == TransactionEventType.REFUND_REQUEST and event.psp_reference == psp_reference
                    and event.related_granted_refund_id in granted):
                return granted[event.related_granted_refund_id]
    return None


def _with_fulfilment_lines(refunds: list[Refund], order: Order) -> list[Refund]:
    """Legacy payments' refunds of lines (orderFulfillmentRefundProducts / ReturnProducts): Saleor keeps
    the lines in a refund fulfilment created with the refund, of the same amount; pair them up in order."""
    fulfilments = getattr(order, "saypro_refund_fulfilments", None)
    if fulfilments is None:
        fulfilments = list(order.fulfillments.filter(status__in=REFUND_FULFILMENTS).prefetch_related("lines")
                           .order_by("created_at", "pk"))
    unused = list(fulfilments)
    paired: list[Refund] = []
    for refund in refunds:
        match = next((f for f in unused if f.total_refund_amount is not None
                      and quantize(f.total_refund_amount, order.currency) == refund.amount
                      and abs((f.created_at - refund.created_at).total_seconds()) <= _REFUND_FULFILMENT_WINDOW_SECONDS),
                     None)
        if match is not None:
            unused.remove(match)
            refund = replace(refund, includes_shipping=bool(match.shipping_refund_amount),
                             lines=tuple(RefundLine(str(line.order_line_id), line.quantity)
                                         for line in sorted(match.lines.all(), key=lambda line: line.pk)))
        paired.append(refund)
    return paired


def _legacy_movements(payment: Any) -> tuple[list[Payment], list[Refund]]:
    """Legacy payments: each successful capture is a charge; what was captured without one is one more."""
    successful = sorted((t for t in payment.transactions.all() if t.is_success), key=lambda t: (t.created_at, t.pk))
    method = f"{payment.cc_brand.capitalize()} •••• {payment.cc_last_digits}" \
        if payment.cc_brand and payment.cc_last_digits else (payment.payment_method_type or payment.gateway)
    refunds = [Refund(reference=_reference("payment-refund", t.pk), amount=quantize(t.amount, payment.currency),
                      created_at=t.created_at) for t in successful if t.kind == TransactionKind.REFUND]
    payments = [Payment(reference=_reference("payment-capture", t.pk), amount=quantize(t.amount, payment.currency),
                        captured_at=t.created_at, method=method, psp_reference=payment.psp_reference or t.token or "",
                        gateway=payment.gateway) for t in successful if t.kind == TransactionKind.CAPTURE]
    # Captured gross = what is still captured + what was refunded since.
    captured = Decimal(payment.captured_amount) + sum((r.amount for r in refunds), Decimal(0))
    remainder = quantize(captured - sum((p.amount for p in payments), Decimal(0)), payment.currency)
    if remainder > 0:
        at = next((t.created_at for t in successful if t.kind not in (TransactionKind.REFUND,)), payment.created_at)
        payments.append(Payment(reference=_reference("payment", payment.pk), amount=remainder, captured_at=at,
                                method=method, psp_reference=payment.psp_reference or "", gateway=payment.gateway))
    return payments, refunds
