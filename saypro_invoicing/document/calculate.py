"""The one place a document's figures are computed: DocumentContent (+ the invoice it corrects) -> BillingModel.

Rounding rule (written once, applied here only): every amount is a Decimal rounded half-up to the
currency's minor unit (``money.quantize``).
- Line, shipping and discount amounts are the host's, already rounded: taking them as they are keeps our
  totals equal to the host's to the minor unit.
- A line's net price (BT-146) is the host's unit net price. Where quantity x price differs from the
  line's net amount (the host spread a discount over the line, or rounded the unit price), the
  difference is a line allowance (BT-136) or, when the line is above it, a line charge (BT-141), so
  that line net = quantity x price - allowance + charge holds exactly.
- VAT per category and rate (BT-117) is the sum of the VAT the host rounded per line, shipping and
  discount. It may differ from taxable amount x rate by the rounding of each item; the gate allows that
  (half a minor unit per item, scaled by 1 + rate for gross prices, plus one final rounding).
- A credit note for an amount only is split over the corrected invoice's VAT rows in proportion to
  their gross amounts (largest remainder, so that the parts add up exactly); each part's net is
  part / (1 + rate), rounded, and its VAT the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from ..errors import ErrorCode, ValidationError
from ..money import minor_unit, quantize, validate_currency
from ..snapshot import Address, DocumentContent, DocumentType, Line, OrderSnapshot, from_json, to_json
from .model import (
    EXEMPTION_REASONS,
    ZERO,
    AllowanceCharge,
    BillingModel,
    CreditBasis,
    DeliveryDateSource,
    IncludedDiscount,
    ModelLine,
    Party,
    PaymentRecord,
    ReceiptSummary,
    Totals,
    TypeCode,
    VatBreakdown,
    VatCategory,
)
from .vat import eu_country, vat_country

SHIPPING_REASON = "Shipping"
DISCOUNT_REASON = "Discount"


def model_of(content: DocumentContent) -> BillingModel:
    """The model an issued document stored; computed for documents issued before models were stored."""
    if content.model:
        return from_json(BillingModel, content.model)
    return build_model(content)


def with_model(content: DocumentContent, model: BillingModel) -> DocumentContent:
    return replace(content, model=to_json(model))


def build_model(content: DocumentContent, *, reverse_charge: bool = False, corrected: BillingModel | None = None,
                whole: bool = False) -> BillingModel:
    """Raise ValidationError (a coded reason for the gate) where the content cannot make a document."""
    order = content.order
    currency = validate_currency(order.currency)
    calc = _Calculation(content, currency, reverse_charge)
    if content.type == DocumentType.CREDIT_NOTE:
        lines, allowances, charges, basis = calc.credit_items(corrected, whole)
    else:
        lines, allowances, charges, basis = calc.order_items(), calc.order_allowances(), calc.order_charges(), None
    breakdown = vat_breakdown(lines, allowances, charges)
    line_net = sum((line.net_amount for line in lines), ZERO)
    allowance_total = sum((a.amount for a in allowances), ZERO)
    charge_total = sum((c.amount for c in charges), ZERO)
    net_total = line_net - allowance_total + charge_total
    vat_total = sum((row.tax_amount for row in breakdown), ZERO)
    gross_total = net_total + vat_total
    receipt = calc.receipt(gross_total) if content.type == DocumentType.RECEIPT else None
    if receipt is not None:
        prepaid = min(receipt.paid_total, gross_total)
    elif content.type == DocumentType.INVOICE:
        prepaid = min(max(order.total_charged, ZERO), gross_total)
    else:
        prepaid = ZERO
    totals = Totals(line_net_total=line_net, allowance_total=allowance_total, charge_total=charge_total,
                    net_total=net_total, vat_total=vat_total, gross_total=gross_total, prepaid=prepaid,
                    amount_due=gross_total - prepaid)
    delivery, source = _delivery_date(order)
    return BillingModel(
        type=content.type,
        type_code={DocumentType.INVOICE: TypeCode.INVOICE, DocumentType.CREDIT_NOTE: TypeCode.CREDIT_NOTE}.get(
            content.type, TypeCode.NONE),
        currency=currency,
        issue_date=_day(content.issued_at),
        order_number=order.order_number,
        order_date=_day(order.created_at) or date.min,
        seller=calc.seller,
        buyer=calc.buyer,
        lines=lines,
        allowances=allowances,
        charges=charges,
        vat_breakdown=breakdown,
        totals=totals,
        delivery_date=delivery,
        delivery_date_source=source,
        due_date=_day(content.due_at) if content.type == DocumentType.INVOICE and totals.amount_due > 0 else None,
        buyer_reference=order.buyer_reference,
        purchase_order_reference=order.buyer_order_reference,
        preceding_invoice_number=content.corrects_number,
        preceding_invoice_date=_day(content.corrects_issued_at),
        payment_terms=(f"Payable within {content.payment_terms_days} days"
                       if content.type == DocumentType.INVOICE and totals.amount_due > 0 else ""),
        payment_means_code="30" if content.type == DocumentType.INVOICE and totals.amount_due > 0 else "1",
        payment_instructions=content.payment_instructions if totals.amount_due > 0 else "",
        payment_methods=_methods(order),
        included_discounts=tuple(
            IncludedDiscount(d.name, d.code or (order.voucher_code if d.kind == "voucher" else ""),
                             quantize(d.amount_gross, currency))
            for d in order.discounts if d.included_in_lines and d.amount_gross
        ) if content.type != DocumentType.CREDIT_NOTE else (),
        receipt=receipt,
        credit_basis=basis,
        reverse_charge=any(row.category == VatCategory.REVERSE_CHARGE for row in breakdown),
        reason=content.reason or (content.refund.reason if content.refund else ""),
    )


def vat_breakdown(lines: Iterable[ModelLine], allowances: Iterable[AllowanceCharge],
                  charges: Iterable[AllowanceCharge]) -> tuple[VatBreakdown, ...]:
    rows: dict[tuple[VatCategory, Decimal], list[Decimal]] = {}

    def add(category: VatCategory, rate: Decimal, net: Decimal, tax: Decimal) -> None:
        row = rows.setdefault((category, rate.normalize()), [ZERO, ZERO, ZERO])
        row[0] += net
        row[1] += tax
        row[2] += 1

    for line in lines:
        add(line.vat_category, line.vat_rate, line.net_amount, line.vat_amount)
    for charge in charges:
        add(charge.vat_category, charge.vat_rate, charge.amount, charge.vat_amount)
    for allowance in allowances:
        add(allowance.vat_category, allowance.vat_rate, -allowance.amount, -allowance.vat_amount)
    result = []
    for (category, rate), (taxable, tax, items) in sorted(rows.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        code, reason = EXEMPTION_REASONS.get(category, ("", ""))
        result.append(VatBreakdown(category=category, rate=rate, taxable_amount=taxable, tax_amount=tax,
                                   exemption_code=code, exemption_reason=reason, items=int(items)))
    return tuple(result)


def split_by_weight(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Parts of ``amount`` in proportion to ``weights``, at the minor unit, adding up exactly (largest remainder)."""
    total = sum(weights, ZERO)
    if not weights or total <= 0:
        raise ValidationError("Nothing to split the amount over.", code=ErrorCode.NOTHING_TO_CREDIT, field="amount")
    unit = minor_unit(currency)
    exact = [amount * w / total for w in weights]
    parts = [(e / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for e in exact]
    left = int(((amount - sum(parts, ZERO)) / unit).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i]), reverse=True)
    for i in order[:left]:
        parts[i] += unit
    return parts


class _Calculation:
    def __init__(self, content: DocumentContent, currency: str, reverse_charge: bool):
        self.content = content
        self.order: OrderSnapshot = content.order
        self.currency = currency
        self.seller = _seller(content)
        self.buyer = _buyer(self.order)
        seller_country = vat_country(self.seller.vat_id) or self.seller.country
        buyer_country = vat_country(self.buyer.vat_id) or self.buyer.country
        delivered_to = (self.order.shipping_address.country if self.order.shipping_address else "") or buyer_country
        self.reverse_charge = bool(
            reverse_charge and self.buyer.vat_id and self.seller.vat_id and eu_country(seller_country)
            and eu_country(buyer_country) and seller_country != buyer_country)
        self.export = bool(eu_country(seller_country) and delivered_to and not eu_country(delivered_to))

    def q(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def category(self, rate: Decimal) -> VatCategory:
        if rate > 0:
            return VatCategory.STANDARD
        if self.reverse_charge:
            return VatCategory.REVERSE_CHARGE
        if self.order.tax_exempt:
            return VatCategory.EXEMPT
        if self.export:
            return VatCategory.EXPORT
        return VatCategory.ZERO_RATED

    def line(self, position: int, line: Line, quantity: int, net: Decimal, gross: Decimal) -> ModelLine:
        price = self.q(line.unit_net)
        raw = self.q(price * quantity)
        net, gross = self.q(net), self.q(gross)
        return ModelLine(
            position=str(position), name=line.product_name, description=line.variant_name, sku=line.sku,
            quantity=Decimal(quantity), net_price=price, net_amount=net,
            allowance=max(raw - net, ZERO), charge=max(net - raw, ZERO),
            vat_category=self.category(line.tax_rate), vat_rate=line.tax_rate,
            gross_amount=gross, unit_gross=self.q(line.unit_gross), host_line_id=line.line_id)

    def order_items(self) -> tuple[ModelLine, ...]:
        return tuple(self.line(i, line, line.quantity, line.total_net, line.total_gross)
                     for i, line in enumerate(self.order.lines, start=1))

    def shipping(self) -> AllowanceCharge:
        order = self.order
        reason = f"{SHIPPING_REASON} ({order.shipping_method})" if order.shipping_method else SHIPPING_REASON
        return AllowanceCharge(is_charge=True, amount=self.q(order.shipping_net),
                               gross_amount=self.q(order.shipping_gross), reason=reason, reason_code="FC",
                               vat_category=self.category(order.shipping_tax_rate),
                               vat_rate=order.shipping_tax_rate)

    def order_charges(self) -> tuple[AllowanceCharge, ...]:
        return (self.shipping(),) if (self.order.shipping_net or self.order.shipping_gross) else ()

    def order_allowances(self) -> tuple[AllowanceCharge, ...]:
        return tuple(
            AllowanceCharge(is_charge=False, amount=self.q(d.amount_net), gross_amount=self.q(d.amount_gross),
                            reason=d.name or DISCOUNT_REASON, reason_code="95", vat_category=self.category(d.tax_rate),
                            vat_rate=d.tax_rate)
            for d in self.order.discounts if not d.included_in_lines)

    def credit_items(self, corrected: BillingModel | None, whole: bool
                     ) -> tuple[tuple[ModelLine, ...], tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...],
                                CreditBasis]:
        refund = self.content.refund
        # A refund capped by what is left on the invoice credits the smaller amount pro rata, not its lines.
        capped = refund is not None and self.q(self.content.amount) < self.q(refund.amount)
        if refund is not None and (refund.lines or refund.includes_shipping) and not capped:
            by_id = {line.line_id: line for line in self.order.lines if line.line_id}
            lines = []
            for position, item in enumerate(refund.lines, start=1):
                line = by_id.get(item.line_id)
                if line is None or not 0 < item.quantity <= line.quantity:
                    raise ValidationError(f"The refund names order line {item.line_id!r} x {item.quantity}, which the "
                                          "order does not have.", code=ErrorCode.LINE_MISMATCH, field="refund.lines")
                share = Decimal(item.quantity) / Decimal(line.quantity)
                lines.append(self.line(position, line, item.quantity, line.total_net * share, line.total_gross * share))
            charges = (self.shipping(),) if refund.includes_shipping and self.order_charges() else ()
            if not lines and charges:
                # EN 16931 wants a line (BR-16): a shipping-only refund credits shipping as its line.
                ship = charges[0]
                lines = [ModelLine(position="1", name=ship.reason, quantity=Decimal(1), net_price=ship.amount,
                                   net_amount=ship.amount, vat_category=ship.vat_category, vat_rate=ship.vat_rate,
                                   gross_amount=ship.gross_amount, unit_gross=ship.gross_amount)]
                charges = ()
            return tuple(lines), (), charges, CreditBasis.LINES
        if whole and corrected is not None:
            return corrected.lines, corrected.allowances, corrected.charges, CreditBasis.WHOLE
        rows = corrected.vat_breakdown if corrected is not None else vat_breakdown(
            self.order_items(), self.order_allowances(), self.order_charges())
        rows = tuple(row for row in rows if row.gross_amount > 0)
        parts = split_by_weight(self.q(self.content.amount), [row.gross_amount for row in rows], self.currency)
        lines = []
        for row, part in zip(rows, parts, strict=True):
            if part <= 0:
                continue
            net = self.q(part / (1 + row.rate))
            lines.append(ModelLine(
                position=str(len(lines) + 1), name="Credit", quantity=Decimal(1), net_price=net, net_amount=net,
                vat_category=row.category, vat_rate=row.rate, gross_amount=part, unit_gross=part))
        return tuple(lines), (), (), CreditBasis.PRO_RATA

    def receipt(self, gross_total: Decimal) -> ReceiptSummary:
        payment = self.content.payment
        if payment is None:
            raise ValidationError("A receipt needs the captured payment.", code=ErrorCode.MISSING_FIELD,
                                  field="payment")
        payments = list(self.order.payments)
        index = next((i for i, p in enumerate(payments) if p.reference == payment.reference), len(payments))
        before = sum((p.amount for p in payments[:index] if p.amount > 0), ZERO)
        paid_before, amount = self.q(before), self.q(payment.amount)
        paid_total = paid_before + amount
        balance = max(gross_total - paid_total, ZERO)
        return ReceiptSummary(
            payment=PaymentRecord(reference=payment.reference, amount=amount, received_on=_day(payment.captured_at)
                                  or date.min, method=payment.method or payment.gateway,
                                  psp_reference=payment.psp_reference),
            paid_before=paid_before, paid_total=paid_total, balance_due=balance, fully_paid=balance == 0)


def _seller(content: DocumentContent) -> Party:
    seller = content.seller
    return Party(name=seller.legal_name, address=seller.address, vat_id=seller.vat_id, tax_number=seller.tax_number,
                 electronic_address=seller.electronic_address, electronic_scheme=seller.electronic_scheme,
                 contact_name=seller.contact_name, email=seller.email, phone=seller.phone, website=seller.website)


def _buyer(order: OrderSnapshot) -> Party:
    address = order.billing_address or order.shipping_address or Address()
    return Party(name=order.customer_name, address=address, company=address.company_name,
                 vat_id=order.buyer_vat_id or address.vat_id, electronic_address=order.buyer_electronic_address,
                 electronic_scheme=order.buyer_electronic_scheme, email=order.customer_email,
                 phone=order.customer_phone or address.phone)


def _delivery_date(order: OrderSnapshot) -> tuple[date | None, DeliveryDateSource]:
    if order.fulfilled_at is not None:
        return _day(order.fulfilled_at), DeliveryDateSource.FULFILMENT
    return _day(order.created_at), DeliveryDateSource.ORDER


def _methods(order: OrderSnapshot) -> str:
    seen: list[str] = []
    for payment in order.payments:
        method = payment.method or payment.gateway
        if method and method not in seen:
            seen.append(method)
    return ", ".join(seen)


def _day(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None
