"""The accuracy gate: nothing is numbered or sent unless its figures add up.

Every check returns machine-readable reasons; an empty list means the document may be issued.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from .errors import ErrorCode, SayproInvoicingError
from .money import quantize, validate_currency
from .snapshot import DocumentContent, DocumentType


@dataclass(frozen=True)
class Reason:
    code: ErrorCode
    field: str
    message: str
    expected: str = ""
    actual: str = ""

    def as_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["code"] = self.code.value
        return data


def check(content: DocumentContent) -> list[Reason]:
    order = content.order
    try:
        currency = validate_currency(order.currency)
    except SayproInvoicingError:
        return [Reason(ErrorCode.INVALID_CURRENCY, "currency", "Unknown currency.", actual=order.currency)]
    reasons: list[Reason] = []

    def equal(field: str, code: ErrorCode, message: str, expected: Decimal, actual: Decimal) -> None:
        if quantize(expected, currency) != quantize(actual, currency):
            reasons.append(Reason(code, field, message, str(quantize(expected, currency)),
                                  str(quantize(actual, currency))))

    for name, value in (("order_number", order.order_number), ("seller.legal_name", content.seller.legal_name)):
        if not value:
            reasons.append(Reason(ErrorCode.MISSING_FIELD, name, f"{name} is required."))
    if not (order.customer_email or order.billing_address):
        reasons.append(Reason(ErrorCode.MISSING_FIELD, "customer", "A customer email or billing address is required."))
    if content.amount <= 0:
        reasons.append(Reason(ErrorCode.NEGATIVE_AMOUNT, "amount", "A document's amount must be positive.",
                              actual=str(content.amount)))

    if content.type == DocumentType.INVOICE:
        if not order.lines:
            reasons.append(Reason(ErrorCode.MISSING_FIELD, "lines", "An invoice needs at least one line."))
        for index, line in enumerate(order.lines):
            if line.quantity <= 0 or line.total_gross < 0 or line.total_net < 0:
                reasons.append(Reason(ErrorCode.NEGATIVE_AMOUNT, f"lines[{index}]",
                                      "Line quantity and totals must be positive."))
            if line.total_gross < line.total_net:
                reasons.append(Reason(ErrorCode.TOTAL_MISMATCH, f"lines[{index}]", "Line gross is below its net."))
        extra = [d for d in order.discounts if not d.included_in_lines]
        gross = sum((line.total_gross for line in order.lines), Decimal(0)) + order.shipping_gross \
            - sum((d.amount_gross for d in extra), Decimal(0))
        net = sum((line.total_net for line in order.lines), Decimal(0)) + order.shipping_net \
            - sum((d.amount_net for d in extra), Decimal(0))
        equal("total_gross", ErrorCode.TOTAL_MISMATCH, "Lines + shipping - discounts differ from the order total.",
              order.total_gross, gross)
        equal("total_net", ErrorCode.TOTAL_MISMATCH, "Net lines + shipping - discounts differ from the net total.",
              order.total_net, net)
        equal("amount", ErrorCode.TOTAL_MISMATCH, "The invoice amount differs from the order total.",
              order.total_gross, content.amount)
    elif content.type == DocumentType.RECEIPT:
        if content.payment is None:
            reasons.append(Reason(ErrorCode.MISSING_FIELD, "payment", "A receipt needs the captured payment."))
        else:
            equal("amount", ErrorCode.PAYMENT_MISMATCH, "The receipt amount differs from the captured payment.",
                  content.payment.amount, content.amount)
    elif content.type == DocumentType.CREDIT_NOTE:
        if not content.corrects_number:
            reasons.append(Reason(ErrorCode.NOT_INVOICED, "corrects", "A credit note must reference an invoice."))
        if content.refund is not None and content.amount > content.refund.amount:
            # Less is right when part of a refund was already credited or only returned an overpayment.
            reasons.append(Reason(ErrorCode.PAYMENT_MISMATCH, "amount", "The credit exceeds the refunded amount.",
                                  str(content.refund.amount), str(content.amount)))
        if content.amount > order.total_gross:
            reasons.append(Reason(ErrorCode.TOTAL_MISMATCH, "amount", "The credit exceeds the invoiced total.",
                                  str(order.total_gross), str(content.amount)))
    return reasons
