"""The document model's figures over GraphQL: the same numbers the PDF, the email and the ledger show.

Nothing is computed here: each field reads the BillingModel stored with the document (document.model).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from prices import Money as MoneyValue

from ..document.calculate import model_of
from ..document.model import BillingModel
from .shared import host_type


class _Money:
    """Resolvers that turn a Decimal attribute of the root into the host's Money in the document's currency."""

    @staticmethod
    def field(description: str) -> graphene.Field:
        return graphene.Field(lambda: host_type("Money"), required=True, description=description)


class BillingDocumentLine(graphene.ObjectType):
    position = graphene.String(required=True, description="Line number (BT-126).")
    name = graphene.String(required=True)
    description = graphene.String(required=True, description="The variant.")
    sku = graphene.String(required=True)
    quantity = graphene.Decimal(required=True)
    net_price = _Money.field("Net price per unit (BT-146).")
    allowance = _Money.field("Line allowance (BT-136): the discount share and rounding.")
    charge = _Money.field("Line charge (BT-141).")
    net_amount = _Money.field("Line net amount (BT-131).")
    gross_amount = _Money.field("Line total with VAT.")
    vat_category = graphene.String(required=True, description="UNTDID 5305 code (S, Z, E, AE, K, G, O).")
    vat_rate = graphene.Decimal(required=True, description="A fraction: 0.19 for 19 %.")


class BillingDocumentAllowanceCharge(graphene.ObjectType):
    is_charge = graphene.Boolean(required=True)
    reason = graphene.String(required=True)
    amount = _Money.field("Net amount.")
    gross_amount = _Money.field("Amount with VAT.")
    vat_category = graphene.String(required=True)
    vat_rate = graphene.Decimal(required=True)


class BillingDocumentVatRow(graphene.ObjectType):
    category = graphene.String(required=True)
    rate = graphene.Decimal(required=True)
    taxable_amount = _Money.field("Taxable amount (BT-116).")
    tax_amount = _Money.field("VAT (BT-117).")
    exemption_reason = graphene.String(required=True)


class BillingDocumentFigures(graphene.ObjectType):
    lines = graphene.List(graphene.NonNull(BillingDocumentLine), required=True)
    allowances = graphene.List(graphene.NonNull(BillingDocumentAllowanceCharge), required=True)
    charges = graphene.List(graphene.NonNull(BillingDocumentAllowanceCharge), required=True)
    vat_breakdown = graphene.List(graphene.NonNull(BillingDocumentVatRow), required=True)
    line_net_total = _Money.field("Sum of line net amounts (BT-106).")
    net_total = _Money.field("Total without VAT (BT-109).")
    vat_total = _Money.field("Total VAT (BT-110).")
    gross_total = _Money.field("Total with VAT (BT-112).")
    prepaid = _Money.field("Paid before this document (BT-113); on receipts, paid in total.")
    amount_due = _Money.field("Amount due (BT-115).")
    balance_due = graphene.Field(lambda: host_type("Money"), description="Receipts: what is still open on the order.")
    date_of_supply = graphene.Date(description="BT-72: the fulfilment date, else the order date.")
    reverse_charge = graphene.Boolean(required=True)

    class Meta:
        description = "Every figure of the document, as its EN 16931 model holds it."


def _wrap(value: Any, currency: str) -> Any:
    """Dataclass -> dict with Decimal money turned into the host's Money, for graphene's default resolvers."""
    return {k: (MoneyValue(v, currency) if isinstance(v, Decimal) and k not in ("quantity", "vat_rate", "rate")
                else v) for k, v in vars(value).items()}


def figures_of(model: BillingModel) -> dict[str, Any]:
    c = model.currency
    t = model.totals
    return {
        "lines": [_wrap(line, c) for line in model.lines],
        "allowances": [_wrap(item, c) for item in model.allowances],
        "charges": [_wrap(item, c) for item in model.charges],
        "vat_breakdown": [_wrap(row, c) for row in model.vat_breakdown],
        "line_net_total": MoneyValue(t.line_net_total, c),
        "net_total": MoneyValue(t.net_total, c),
        "vat_total": MoneyValue(t.vat_total, c),
        "gross_total": MoneyValue(t.gross_total, c),
        "prepaid": MoneyValue(t.prepaid, c),
        "amount_due": MoneyValue(t.amount_due, c),
        "balance_due": MoneyValue(model.receipt.balance_due, c) if model.receipt else None,
        "date_of_supply": model.delivery_date,
        "reverse_charge": model.reverse_charge,
    }


def resolve_figures(root: Any, _info: Any) -> dict[str, Any]:
    return figures_of(model_of(root.document_content))
