"""The document model: what one invoice, receipt or credit note says, in EN 16931's terms.

Every figure a person or a machine reads (the PDF, the email summary, GraphQL, the ledger, the
e-invoice XML) is a rendering of a ``BillingModel``; none of them computes a figure itself. The model
is built in one place (``document.calculate``) and checked in one place (``accuracy``). Comments name
the EN 16931 business terms (BT-n) and groups (BG-n) each field carries.

Amounts are Decimal at the currency's minor unit. VAT rates are fractions (0.19 for 19 %); the XML
writers turn them into percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ..snapshot import Address, DocumentType

ZERO = Decimal(0)


class VatCategory(StrEnum):
    """UNTDID 5305 codes as EN 16931 uses them (BT-118, BT-151, BT-95, BT-102)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"


# BT-120/BT-121: the reason a category carries no VAT, in the words art. 226 of the VAT Directive asks for.
# Renderings translate the text; the XML writes it in English with the VATEX code.
EXEMPTION_REASONS: dict[VatCategory, tuple[str, str]] = {
    VatCategory.REVERSE_CHARGE: ("VATEX-EU-AE", "Reverse charge"),
    VatCategory.EXPORT: ("VATEX-EU-G", "Export outside the EU"),
    VatCategory.EXEMPT: ("VATEX-EU-O", "Exempt from VAT"),
    VatCategory.INTRA_COMMUNITY: ("VATEX-EU-IC", "Intra-Community supply"),
    VatCategory.NOT_SUBJECT: ("VATEX-EU-O", "Not subject to VAT"),
}


class TypeCode(StrEnum):
    """UNTDID 1001 (BT-3). Receipts are not EN 16931 documents: they carry none."""

    INVOICE = "380"
    CREDIT_NOTE = "381"
    NONE = ""


class CreditBasis(StrEnum):
    """How a credit note's lines were found: what the customer is told under the lines."""

    LINES = "lines"  # the refund named order lines (and shipping)
    PRO_RATA = "pro_rata"  # an amount, split over the invoice's VAT rates in proportion
    WHOLE = "whole"  # cancellation or void of an invoice nothing was credited from yet


class DeliveryDateSource(StrEnum):
    """Where the date of supply (BT-72, §14 UStG) came from; the documents label it accordingly."""

    FULFILMENT = "fulfilment"
    ORDER = "order"
    NONE = ""


@dataclass(frozen=True)
class Party:
    """BG-4 seller or BG-7 buyer."""

    name: str  # BT-27 / BT-44
    address: Address  # BG-5 / BG-8
    company: str = ""  # trading name of a business buyer
    vat_id: str = ""  # BT-31 / BT-48
    tax_number: str = ""  # BT-32 (seller only)
    electronic_address: str = ""  # BT-34 / BT-49
    electronic_scheme: str = ""  # BT-34-1 / BT-49-1
    contact_name: str = ""  # BT-41 / BT-56
    email: str = ""  # BT-43 / BT-58
    phone: str = ""  # BT-42 / BT-57
    website: str = ""

    @property
    def country(self) -> str:
        return self.address.country


@dataclass(frozen=True)
class ModelLine:
    """BG-25. ``net_amount`` = quantity x ``net_price`` - ``allowance`` + ``charge`` (BR-CO rule, checked)."""

    position: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    net_price: Decimal  # BT-146, per unit of BT-130
    net_amount: Decimal  # BT-131
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal  # BT-152 as a fraction
    gross_amount: Decimal  # net + this line's VAT as the host rounded it; what a consumer reads
    unit_gross: Decimal  # display only: gross per unit
    description: str = ""  # BT-154 (the variant)
    sku: str = ""  # BT-155
    unit_code: str = "C62"  # BT-130, UN/ECE rec. 20 "one"
    allowance: Decimal = ZERO  # BG-27 BT-136: the discount share and any rounding down
    charge: Decimal = ZERO  # BG-28 BT-141: rounding up, when the host's unit price is below its line total
    host_line_id: str = ""

    @property
    def vat_amount(self) -> Decimal:
        return self.gross_amount - self.net_amount


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20 (allowance: order discounts, vouchers) or BG-21 (charge: shipping), each with one VAT category."""

    is_charge: bool
    amount: Decimal  # BT-92 / BT-99, net
    gross_amount: Decimal  # display: amount + its VAT as the host rounded it
    reason: str  # BT-97 / BT-104
    reason_code: str  # UNTDID 5189 (allowances, "95" discount) / 7161 (charges, "FC" freight)
    vat_category: VatCategory  # BT-95 / BT-102
    vat_rate: Decimal  # BT-96 / BT-103

    @property
    def vat_amount(self) -> Decimal:
        return self.gross_amount - self.amount


@dataclass(frozen=True)
class IncludedDiscount:
    """A discount the host already spread over the line prices: shown, never subtracted again."""

    name: str
    code: str
    gross_amount: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23: one row per VAT category and rate."""

    category: VatCategory  # BT-118
    rate: Decimal  # BT-119 as a fraction
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_code: str = ""  # BT-121
    exemption_reason: str = ""  # BT-120
    items: int = 1  # how many lines, allowances and charges were rounded into this row (the gate's tolerance)

    @property
    def gross_amount(self) -> Decimal:
        return self.taxable_amount + self.tax_amount


@dataclass(frozen=True)
class Totals:
    """BG-22."""

    line_net_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    net_total: Decimal  # BT-109
    vat_total: Decimal  # BT-110
    gross_total: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    amount_due: Decimal  # BT-115
    rounding: Decimal = ZERO  # BT-114


@dataclass(frozen=True)
class PaymentRecord:
    """The payment a receipt is for."""

    reference: str
    amount: Decimal
    received_on: date
    method: str = ""
    psp_reference: str = ""


@dataclass(frozen=True)
class ReceiptSummary:
    payment: PaymentRecord
    paid_before: Decimal  # captured earlier on the same order
    paid_total: Decimal  # paid_before + this payment
    balance_due: Decimal  # what is still open on the order after this payment
    fully_paid: bool  # "PAID" is printed only then


@dataclass(frozen=True)
class BillingModel:
    type: DocumentType
    type_code: TypeCode  # BT-3
    currency: str  # BT-5
    issue_date: date | None  # BT-2 (None until issued)
    order_number: str  # BT-14, the seller's order reference
    order_date: date
    seller: Party
    buyer: Party
    lines: tuple[ModelLine, ...]
    allowances: tuple[AllowanceCharge, ...]
    charges: tuple[AllowanceCharge, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    totals: Totals
    delivery_date: date | None = None  # BT-72, the date of supply
    delivery_date_source: DeliveryDateSource = DeliveryDateSource.NONE
    due_date: date | None = None  # BT-9
    buyer_reference: str = ""  # BT-10
    purchase_order_reference: str = ""  # BT-13
    preceding_invoice_number: str = ""  # BG-3 BT-25
    preceding_invoice_date: date | None = None  # BT-26
    payment_terms: str = ""  # BT-20
    payment_means_code: str = ""  # BT-81 (UNTDID 4461)
    payment_instructions: str = ""
    payment_methods: str = ""  # how the order was paid so far, for the reader
    included_discounts: tuple[IncludedDiscount, ...] = ()
    receipt: ReceiptSummary | None = None
    credit_basis: CreditBasis | None = None
    reverse_charge: bool = False
    reason: str = ""  # a credit note's reason

    @property
    def is_credit_note(self) -> bool:
        return self.type == DocumentType.CREDIT_NOTE

    @property
    def amount(self) -> Decimal:
        """What the document is for: a receipt's payment; otherwise its total with VAT."""
        return self.receipt.payment.amount if self.receipt else self.totals.gross_total
