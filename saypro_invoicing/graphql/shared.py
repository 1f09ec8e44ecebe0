"""Types that Saleor's schema already has under the same names (Money, OrderDirection, DateTimeRangeInput, Order).

Two graphene types with one name cannot live in one schema. Our fields therefore refer to these
through ``host_type(name)``, resolved when a schema is built: the standalone schema uses the
stand-ins below, and the Saleor host calls ``use_host_types(Money=..., ...)`` with Saleor's own
classes before it attaches our fields to Saleor's schema. Field shapes are the same either way.
"""

from __future__ import annotations

from typing import Any

import graphene
from prices import Money as MoneyValue

from .enums import OrderDirection


class Money(graphene.ObjectType):
    """Shaped like Saleor's Money: resolves from a prices.Money (amount Decimal, currency)."""

    amount = graphene.Float(required=True, description="Amount of money.")
    currency = graphene.String(required=True, description="Currency code.")

    @staticmethod
    def resolve_amount(root: MoneyValue, _info: Any) -> float:
        return float(root.amount)

    @staticmethod
    def resolve_currency(root: MoneyValue, _info: Any) -> str:
        return root.currency


class DateTimeRangeInput(graphene.InputObjectType):
    gte = graphene.DateTime(description="Start date (inclusive).")
    lte = graphene.DateTime(description="End date (inclusive).")


class BillingDocumentOrder(graphene.ObjectType):
    """Stand-in for Saleor's Order where no host order type exists; the standalone host returns null."""

    id = graphene.ID(required=True)
    number = graphene.String()


_DEFAULTS: dict[str, Any] = {
    "Money": Money,
    "OrderDirection": OrderDirection,
    "DateTimeRangeInput": DateTimeRangeInput,
    "Order": BillingDocumentOrder,
}
_host_types: dict[str, Any] = dict(_DEFAULTS)


def host_type(name: str) -> Any:
    return _host_types[name]


def use_host_types(**types: Any) -> None:
    """Swap in the host's own classes (call before building the host's schema)."""
    unknown = set(types) - set(_DEFAULTS)
    if unknown:
        raise KeyError(f"Not replaceable: {', '.join(sorted(unknown))}")
    _host_types.update(types)


def reset_host_types() -> None:
    _host_types.clear()
    _host_types.update(_DEFAULTS)
