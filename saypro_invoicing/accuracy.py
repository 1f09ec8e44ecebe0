"""The accuracy gate: nothing is numbered or sent unless everything it shows adds up.

It checks the document model (document.model) three ways, each reason with the expected and actual
figure:
- sanity of what the host gave: a known currency, finite amounts the ledger can hold, rates that are
  fractions in [0, 1), lines whose quantity, unit prices and totals agree, net and gross agreeing at the rate;
- EN 16931's calculation rules on the model (BR-CO-10..16, and VAT per category = taxable amount x rate
  within the rounding of its items);
- agreement with the host: totals equal the order's, a receipt its payment, a credit note the refund and
  never more than is left on its invoice.
An empty list means the document may be issued.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal

from .document.model import ZERO, BillingModel, CreditBasis, VatCategory
from .errors import ErrorCode, SayproInvoicingError
from .money import minor_unit, quantize, validate_currency
from .snapshot import DocumentContent, DocumentType, OrderSnapshot

# DecimalField(max_digits=20, decimal_places=3) holds less than 10^17; keep well inside it.
MAX_AMOUNT = Decimal("1e15")
MAX_QUANTITY = 1_000_000


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

    @classmethod
    def from_error(cls, error: SayproInvoicingError) -> Reason:
        return cls(error.code, error.field or "", error.message)


def check(content: DocumentContent, model: BillingModel | None, *, invoiced: Decimal | None = None,
          credited_before: Decimal = ZERO) -> list[Reason]:
    order = content.order
    try:
        currency = validate_currency(order.currency)
    except SayproInvoicingError:
        return [Reason(ErrorCode.INVALID_CURRENCY, "currency", "Unknown currency.", "an ISO 4217 code",
                       order.currency)]
    gate = _Gate(currency)
    gate.sanity(content)
    if gate.reasons or model is None:
        return gate.reasons
    gate.model_rules(model)
    gate.agreement(content, model, invoiced=invoiced, credited_before=credited_before)
    return gate.reasons


def _amounts(order: OrderSnapshot) -> Iterator[tuple[str, Decimal]]:
    yield "total_net", order.total_net
    yield "total_gross", order.total_gross
    yield "shipping_net", order.shipping_net
    yield "shipping_gross", order.shipping_gross
    yield "total_charged", order.total_charged
    yield "total_refunded", order.total_refunded
    for i, line in enumerate(order.lines):
        for name in ("unit_net", "unit_gross", "total_net", "total_gross"):
            yield f"lines[{i}].{name}", getattr(line, name)
    for i, discount in enumerate(order.discounts):
        yield f"discounts[{i}].amount_net", discount.amount_net
        yield f"discounts[{i}].amount_gross", discount.amount_gross
    for i, payment in enumerate(order.payments):
        yield f"payments[{i}].amount", payment.amount
    for i, refund in enumerate(order.refunds):
        yield f"refunds[{i}].amount", refund.amount


class _Gate:
    def __init__(self, currency: str):
        self.currency = currency
        self.unit = minor_unit(currency)
        self.reasons: list[Reason] = []

    def fail(self, code: ErrorCode, field: str, message: str, expected: object = "", actual: object = "") -> None:
        self.reasons.append(Reason(code, field, message, str(expected), str(actual)))

    def q(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def equal(self, code: ErrorCode, field: str, message: str, expected: Decimal, actual: Decimal) -> None:
        if self.q(expected) != self.q(actual):
            self.fail(code, field, message, self.q(expected), self.q(actual))

    def near(self, code: ErrorCode, field: str, message: str, expected: Decimal, actual: Decimal,
             tolerance: Decimal) -> None:
        if abs(expected - actual) > tolerance:
            self.fail(code, field, message, expected, actual)

    # --- what the host gave ---------------------------------------------------------------------

    def sanity(self, content: DocumentContent) -> None:
        order = content.order
        for field, value in _amounts(order):
            if not value.is_finite() or abs(value) >= MAX_AMOUNT:
                self.fail(ErrorCode.AMOUNT_OUT_OF_RANGE, field, "Not an amount the ledger can hold.",
                          f"|amount| < {MAX_AMOUNT:f}", value)
        if self.reasons:
            return  # arithmetic on such values would raise, not explain
        if not order.order_number:
            self.fail(ErrorCode.MISSING_FIELD, "order_number", "The order number is required.", "an order number")
        if not content.seller.legal_name:
            self.fail(ErrorCode.MISSING_FIELD, "seller.legal_name", "The seller's legal name is required.",
                      "the seller's legal name")
        if not (order.customer_email or order.billing_address):
            self.fail(ErrorCode.MISSING_FIELD, "customer", "A customer email or billing address is required.",
                      "an email or a billing address")
        if not content.amount.is_finite() or content.amount <= 0:
            self.fail(ErrorCode.NEGATIVE_AMOUNT, "amount", "A document's amount must be positive.", "> 0",
                      content.amount)
        rates = [(f"lines[{i}].tax_rate", line.tax_rate) for i, line in enumerate(order.lines)]
        rates.append(("shipping_tax_rate", order.shipping_tax_rate))
        rates += [(f"discounts[{i}].tax_rate", d.tax_rate) for i, d in enumerate(order.discounts)]
        for field, rate in rates:
            if not rate.is_finite() or not ZERO <= rate < 1:
                self.fail(ErrorCode.INVALID_TAX_RATE, field, "A tax rate is a fraction from 0 to below 1 (0.19 for "
                          "19 %).", "0 <= rate < 1", rate)
        if content.type != DocumentType.CREDIT_NOTE and not order.lines:
            self.fail(ErrorCode.MISSING_FIELD, "lines", "The order has no lines.", "at least one line", 0)
        for i, line in enumerate(order.lines):
            self.line(i, line.quantity, line.unit_net, line.unit_gross, line.total_net, line.total_gross,
                      line.tax_rate)
        if order.shipping_net or order.shipping_gross:
            self.at_rate("shipping", order.shipping_net, order.shipping_gross, order.shipping_tax_rate)

    def line(self, i: int, quantity: int, unit_net: Decimal, unit_gross: Decimal, total_net: Decimal,
             total_gross: Decimal, rate: Decimal) -> None:
        field = f"lines[{i}]"
        if not 0 < quantity <= MAX_QUANTITY:
            self.fail(ErrorCode.LINE_MISMATCH, f"{field}.quantity", "A line's quantity must be from 1 to "
                      f"{MAX_QUANTITY}.", f"1..{MAX_QUANTITY}", quantity)
            return
        if min(unit_net, unit_gross, total_net, total_gross) < 0:
            self.fail(ErrorCode.NEGATIVE_AMOUNT, field, "Line prices and totals must not be negative.", ">= 0",
                      min(unit_net, unit_gross, total_net, total_gross))
            return
        # The host rounds the unit price from the line total: at most half a minor unit per piece.
        tolerance = self.unit * quantity / 2
        self.near(ErrorCode.LINE_MISMATCH, f"{field}.total_net", "Quantity x unit net price differs from the "
                  "line's net total.", unit_net * quantity, total_net, tolerance)
        self.near(ErrorCode.LINE_MISMATCH, f"{field}.total_gross", "Quantity x unit gross price differs from "
                  "the line's gross total.", unit_gross * quantity, total_gross, tolerance)
        if rate.is_finite() and ZERO <= rate < 1:
            self.at_rate(field, total_net, total_gross, rate)

    def at_rate(self, field: str, net: Decimal, gross: Decimal, rate: Decimal) -> None:
        expected = self.q(net * (1 + rate))
        self.near(ErrorCode.LINE_MISMATCH, f"{field}.total_gross", "Gross differs from net at the tax rate.",
                  expected, gross, self.unit)

    # --- EN 16931 calculation rules ------------------------------------------------------------

    def model_rules(self, model: BillingModel) -> None:
        t = model.totals
        for i, line in enumerate(model.lines):
            field = f"model.lines[{i}]"
            self.equal(ErrorCode.CALCULATION_ERROR, f"{field}.net_amount", "Line net must be quantity x price - "
                       "allowance + charge.", self.q(line.quantity * line.net_price) - line.allowance + line.charge,
                       line.net_amount)
            if min(line.allowance, line.charge) < 0:
                self.fail(ErrorCode.CALCULATION_ERROR, field, "Line allowances and charges are not negative.",
                          ">= 0", min(line.allowance, line.charge))
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.line_net_total", "BR-CO-10: sum of line net amounts.",
                   sum((line.net_amount for line in model.lines), ZERO), t.line_net_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.allowance_total", "BR-CO-11: sum of allowances.",
                   sum((a.amount for a in model.allowances), ZERO), t.allowance_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.charge_total", "BR-CO-12: sum of charges.",
                   sum((c.amount for c in model.charges), ZERO), t.charge_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.net_total", "BR-CO-13: lines - allowances + charges.",
                   t.line_net_total - t.allowance_total + t.charge_total, t.net_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.vat_total", "BR-CO-14: sum of VAT per rate.",
                   sum((row.tax_amount for row in model.vat_breakdown), ZERO), t.vat_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.gross_total", "BR-CO-15: net + VAT.",
                   t.net_total + t.vat_total, t.gross_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "model.totals.amount_due", "BR-CO-16: gross - prepaid + rounding.",
                   t.gross_total - t.prepaid + t.rounding, t.amount_due)
        self.vat_rows(model)

    def vat_rows(self, model: BillingModel) -> None:
        taxable: dict[tuple[str, Decimal], Decimal] = {}
        for category, rate, amount in (
            [(line.vat_category, line.vat_rate, line.net_amount) for line in model.lines]
            + [(c.vat_category, c.vat_rate, c.amount) for c in model.charges]
            + [(a.vat_category, a.vat_rate, -a.amount) for a in model.allowances]
        ):
            key = (VatCategory(category).value, rate.normalize())
            taxable[key] = taxable.get(key, ZERO) + amount
        rows = {(VatCategory(row.category).value, row.rate.normalize()): row for row in model.vat_breakdown}
        if set(rows) != set(taxable):
            self.fail(ErrorCode.CALCULATION_ERROR, "model.vat_breakdown", "One VAT row per category and rate used.",
                      sorted(taxable), sorted(rows))
            return
        for key, row in rows.items():
            field = f"model.vat_breakdown[{key[0]} {key[1]}]"
            self.equal(ErrorCode.CALCULATION_ERROR, f"{field}.taxable_amount", "Taxable amount is the sum of the "
                       "lines, charges and allowances at this rate.", taxable[key], row.taxable_amount)
            if row.category == VatCategory.STANDARD:
                if not row.rate > 0:
                    self.fail(ErrorCode.CALCULATION_ERROR, field, "Standard-rated VAT needs a rate above 0.", "> 0",
                              row.rate)
                # Each item's VAT was rounded once by the host (at most half a minor unit, on the net or, for
                # gross prices, on the gross), and the product rounds once more. EN 16931's own tolerance (one
                # unit of the currency) is checked by the e-invoice validation, where an e-invoice is written.
                tolerance = self.unit * (max(row.items, 1) * (1 + row.rate) + 1) / 2
                self.near(ErrorCode.CALCULATION_ERROR, f"{field}.tax_amount", "VAT = taxable amount x rate, "
                          "rounded.", self.q(row.taxable_amount * row.rate), row.tax_amount, tolerance)
            else:
                if row.rate != 0 or row.tax_amount != 0:
                    self.fail(ErrorCode.CALCULATION_ERROR, f"{field}.tax_amount", f"Category {row.category} "
                              "carries no VAT.", "0", row.tax_amount)
                if row.category != VatCategory.ZERO_RATED and not row.exemption_reason:
                    self.fail(ErrorCode.MISSING_FIELD, f"{field}.exemption_reason", "An exemption reason is "
                              "required for this category.", "a reason")
        if model.reverse_charge and not (model.buyer.vat_id and model.seller.vat_id):
            self.fail(ErrorCode.MISSING_FIELD, "model.buyer.vat_id", "Reverse charge needs both VAT IDs.",
                      "seller and buyer VAT IDs", f"{model.seller.vat_id or '-'} / {model.buyer.vat_id or '-'}")

    # --- agreement with the host -----------------------------------------------------------------

    def agreement(self, content: DocumentContent, model: BillingModel, *, invoiced: Decimal | None,
                  credited_before: Decimal) -> None:
        order, t = content.order, model.totals
        if model.type in (DocumentType.INVOICE, DocumentType.RECEIPT):
            self.equal(ErrorCode.TOTAL_MISMATCH, "total_net", "The document's net total differs from the order's.",
                       order.total_net, t.net_total)
            self.equal(ErrorCode.TOTAL_MISMATCH, "total_gross", "The document's total differs from the order's.",
                       order.total_gross, t.gross_total)
        if model.type == DocumentType.INVOICE:
            self.equal(ErrorCode.TOTAL_MISMATCH, "amount", "The invoice amount differs from its total.",
                       t.gross_total, content.amount)
        elif model.type == DocumentType.RECEIPT:
            self.receipt(content, model)
        elif model.type == DocumentType.CREDIT_NOTE:
            self.credit_note(content, model, invoiced=invoiced, credited_before=credited_before)

    def receipt(self, content: DocumentContent, model: BillingModel) -> None:
        receipt, payment = model.receipt, content.payment
        if receipt is None or payment is None:
            self.fail(ErrorCode.MISSING_FIELD, "payment", "A receipt needs the captured payment.", "a payment")
            return
        self.equal(ErrorCode.PAYMENT_MISMATCH, "receipt.amount", "The receipt amount differs from the captured "
                   "payment.", payment.amount, receipt.payment.amount)
        self.equal(ErrorCode.PAYMENT_MISMATCH, "amount", "The document amount differs from the payment.",
                   payment.amount, content.amount)
        payments = content.order.payments
        index = next((i for i, p in enumerate(payments) if p.reference == payment.reference), 0)
        earlier = payments[:index]
        self.equal(ErrorCode.PAYMENT_MISMATCH, "receipt.paid_before", "Paid before differs from the order's "
                   "earlier payments.", sum((p.amount for p in earlier if p.amount > 0), ZERO), receipt.paid_before)
        self.equal(ErrorCode.CALCULATION_ERROR, "receipt.paid_total", "Paid in total = paid before + this payment.",
                   receipt.paid_before + receipt.payment.amount, receipt.paid_total)
        self.equal(ErrorCode.CALCULATION_ERROR, "receipt.balance_due", "Balance due = total - paid.",
                   max(model.totals.gross_total - receipt.paid_total, ZERO), receipt.balance_due)
        if receipt.fully_paid != (receipt.balance_due == 0):
            self.fail(ErrorCode.CALCULATION_ERROR, "receipt.fully_paid", "Paid in full only with no balance due.",
                      receipt.balance_due == 0, receipt.fully_paid)

    def credit_note(self, content: DocumentContent, model: BillingModel, *, invoiced: Decimal | None,
                    credited_before: Decimal) -> None:
        gross = model.totals.gross_total
        if not content.corrects_number:
            self.fail(ErrorCode.NOT_INVOICED, "corrects", "A credit note must reference an invoice.",
                      "an invoice number")
        if gross <= 0:
            self.fail(ErrorCode.NEGATIVE_AMOUNT, "model.totals.gross_total", "A credit note credits a positive "
                      "amount.", "> 0", gross)
        self.equal(ErrorCode.PAYMENT_MISMATCH, "amount", "The credit note's total differs from the amount to "
                   "credit (refund or remainder of the invoice).", content.amount, gross)
        if content.refund is not None and gross > content.refund.amount:
            self.fail(ErrorCode.PAYMENT_MISMATCH, "amount", "The credit exceeds the refunded amount.",
                      self.q(content.refund.amount), self.q(gross))
        if invoiced is not None and credited_before + gross > invoiced:
            self.fail(ErrorCode.OVER_CREDIT, "amount", "Credit notes would exceed the invoice.",
                      self.q(invoiced - credited_before), self.q(gross))
        if model.credit_basis == CreditBasis.LINES:
            ordered = {line.line_id: line.quantity for line in content.order.lines}
            for i, line in enumerate(model.lines):
                if line.host_line_id and line.quantity > ordered.get(line.host_line_id, 0):
                    self.fail(ErrorCode.OVER_CREDIT, f"model.lines[{i}].quantity", "More credited than ordered.",
                              ordered.get(line.host_line_id, 0), line.quantity)
