"""Our GraphQL fields in Saleor's built schema: Query, Mutation, Order.billingDocuments, User.billingDocuments.

Saleor builds its schema once, at import of saleor.graphql.api, and has no hook for plugins. Like
Saleor's own federation code (core/federation/schema.py adds ``_entities`` after building), we add
fields to the built schema. Our graphene classes are converted with graphene's own TypeMap code,
against Saleor's type map: a type Saleor already has (Node, PageInfo, Money, Order, DateTime, ...)
is Saleor's object, so the schema keeps one type per name and introspection stays valid.

Saleor routes reads to replicas and forbids unmarked use of the writer; our resolvers read and
write our own tables on the default connection, so each of them runs inside ``allow_writer()``.

With DEBUG=False Saleor caches introspection per Saleor version and query: after installing or
removing the plugin, set a new GRAPHQL_CACHE_SUFFIX (or clear the cache) so clients see the change.
"""

from __future__ import annotations

import functools
import logging
from collections import OrderedDict
from typing import Any

import graphene
from django.core.exceptions import ImproperlyConfigured
from graphene.types.definitions import GrapheneGraphQLType
from graphene.types.structures import List, NonNull
from graphene.types.typemap import TypeMap
from graphql import GraphQLField, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
from saleor.core.db.connection import allow_writer

logger = logging.getLogger("saypro_invoicing.saleor")

_installed: set[int] = set()


class _MergingTypeMap(TypeMap):
    """graphene's TypeMap logic, run against an already built map: a known name means Saleor's type."""

    def __init__(self, schema: Any):  # no super().__init__: this object only lends its methods
        self.auto_camelcase = getattr(schema, "auto_camelcase", True)
        self.schema = schema

    def graphene_reducer(self, map: Any, type: Any) -> Any:  # noqa: A002 (graphene's signature)
        if isinstance(type, (List, NonNull)):
            return self.reducer(map, type.of_type)
        existing = map.get(type._meta.name)
        if existing is not None:
            _check_compatible(existing, type)
            return map
        return super().graphene_reducer(map, type)


def _check_compatible(existing: Any, graphene_type: Any) -> None:
    """Same name, other class: allowed when Saleor's type has every field ours declares."""
    if not isinstance(existing, GrapheneGraphQLType) or existing.graphene_type is graphene_type:
        return
    ours = getattr(graphene_type._meta, "fields", None) or {}
    if ours and isinstance(existing, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
        theirs = set(existing.fields)
        missing = [name for name in ours if _camel(name) not in theirs]
        if missing:
            raise ImproperlyConfigured(
                f"saypro_invoicing: Saleor's GraphQL type {existing.name} lacks fields {missing}; "
                "rename our type or swap in Saleor's class (graphql.shared.use_host_types).")


def _camel(name: str) -> str:
    from graphene.utils.str_converters import to_camel_case

    return to_camel_case(name)


def _with_writer(resolver: Any) -> Any:
    if resolver is None or getattr(resolver, "_saypro_writer", False):
        return resolver

    @functools.wraps(resolver)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with allow_writer():
            return resolver(*args, **kwargs)

    wrapped._saypro_writer = True  # type: ignore[attr-defined]
    return wrapped


def _host_fields() -> tuple[type, type, type, type, list[type]]:
    """Our graphene classes, after Saleor's own Money, OrderDirection, DateTimeRangeInput and Order are swapped in."""
    from saleor.graphql.core.enums import OrderDirection
    from saleor.graphql.core.types.common import DateTimeRangeInput
    from saleor.graphql.core.types.money import Money
    from saleor.graphql.order.types import Order

    from ...graphql.shared import use_host_types

    use_host_types(Money=Money, OrderDirection=OrderDirection, DateTimeRangeInput=DateTimeRangeInput, Order=Order)

    from ...graphql.dashboard import DashboardQueries
    from ...graphql.dashboard_sla import DashboardSlaQueries
    from ...graphql.filters import BillingDocumentFilterInput, BillingDocumentSortingInput
    from ...graphql.mutations import BillingDocumentMutations
    from ...graphql.queries import (
        BillingDocumentQueries,
        billing_documents_field,
        resolve_order_billing_documents,
        resolve_user_billing_documents,
    )
    from ...graphql.sla import SlaQueries
    from ...graphql.types import BillingDocument, BillingDocumentCorrectionRequest
    from .adapters import user_key

    class SaleorQueryFields(BillingDocumentQueries, SlaQueries, DashboardQueries, DashboardSlaQueries,
                            graphene.ObjectType):
        pass

    class SaleorOrderFields(graphene.ObjectType):
        billing_documents = graphene.List(
            graphene.NonNull(BillingDocument), required=True,
            filter=graphene.Argument(BillingDocumentFilterInput, description="Filtering options for documents."),
            sort_by=graphene.Argument(BillingDocumentSortingInput, description="Sort documents."),
            description="The order's invoices, receipts and credit notes that the caller may see.",
        )

        @staticmethod
        def resolve_billing_documents(root: Any, info: Any, **arguments: Any) -> Any:
            order = getattr(root, "node", root)  # Saleor wraps orders in SyncWebhookControlContext
            return resolve_order_billing_documents(order.id, info, **arguments)

    class SaleorUserFields(graphene.ObjectType):
        billing_documents = billing_documents_field("The user's billing documents (the user or MANAGE_ORDERS).")

        @staticmethod
        def resolve_billing_documents(root: Any, info: Any, **arguments: Any) -> Any:
            return resolve_user_billing_documents(user_key(root.pk), info, **arguments)

    return SaleorQueryFields, BillingDocumentMutations, SaleorOrderFields, SaleorUserFields, [
        BillingDocument, BillingDocumentCorrectionRequest]


def install(schema: Any = None) -> Any:
    """Add our fields to Saleor's schema (idempotent); returns the schema."""
    if schema is None:
        from saleor.graphql.api import schema as saleor_schema

        schema = saleor_schema
    if id(schema) in _installed:
        return schema
    query_fields, mutation_fields, order_fields, user_fields, extra_types = _host_fields()
    type_map = schema.get_type_map()
    before = set(type_map)
    merger = _MergingTypeMap(schema)
    for graphene_type in extra_types:
        merger.graphene_reducer(type_map, graphene_type)
    targets = {
        schema.get_query_type(): query_fields,
        schema.get_mutation_type(): mutation_fields,
        schema.get_type("Order"): order_fields,
        schema.get_type("User"): user_fields,
    }
    additions: list[tuple[GraphQLObjectType, OrderedDict[str, GraphQLField]]] = []
    for target, source in targets.items():
        fields = merger.construct_fields_for_type(type_map, source)
        clash = sorted(set(fields) & set(target.fields))
        if clash:
            raise ImproperlyConfigured(f"saypro_invoicing: Saleor's {target.name} already has {clash}.")
        additions.append((target, fields))
    # Reducing the fields above built every type they reach (graphene's reducer walks fields and args).
    new_types = [type_map[name] for name in type_map if name not in before]
    for target, fields in additions:
        for field in fields.values():
            field.resolver = _with_writer(field.resolver)
        target.fields.update(fields)
    for new_type in new_types:
        if isinstance(new_type, (GraphQLObjectType, GraphQLInterfaceType)):
            for field in new_type.fields.values():
                field.resolver = _with_writer(field.resolver)
    _register_implementations(type_map, new_types)
    _limit_and_harden(schema)
    _installed.add(id(schema))
    logger.info("saypro_invoicing: added %d types and billing fields to Saleor's GraphQL schema", len(new_types))
    return schema


def _limit_and_harden(schema: Any) -> None:
    """Saleor's query-cost limit charges our fields (it ignores fields missing from its map), and
    variables no scalar can parse are client errors instead of internal ones (graphql/variables.py)."""
    from saleor.graphql.query_cost_map import COST_MAP

    from ...graphql.limits import register_costs
    from ...graphql.variables import harden_scalars

    register_costs(COST_MAP, schema)
    harden_scalars(schema)
    _bound_cost_multipliers()


def _bound_cost_multipliers() -> None:
    """Saleor's cost validator reads ``first``/``last`` from the raw variables (before they are coerced)
    and multiplies by ``int(value)``: ``first: 1e300`` gives a cost no JSON encoder can write (a 500 from
    orjson), ``Infinity`` an OverflowError. Numbers no Int can hold are left out of the multipliers; the
    variable itself is then refused as a client error when the query is executed."""
    from saleor.graphql.core.validators.query_cost import CostValidator

    original = CostValidator.get_multipliers_from_string
    if getattr(original, "_saypro_bounded", False):
        return

    def bounded(self: Any, multipliers: list[str], field_args: dict[str, Any]) -> Any:
        safe = {key: value for key, value in field_args.items()
                if not isinstance(value, (int, float)) or isinstance(value, bool) or _int32(value)}
        return original(self, multipliers, safe)

    bounded._saypro_bounded = True  # type: ignore[attr-defined]
    CostValidator.get_multipliers_from_string = bounded


def _int32(value: float) -> bool:
    return value == value and -(2**31) <= value <= 2**31 - 1  # NaN != NaN


def _register_implementations(type_map: Any, new_types: list[Any]) -> None:
    """Interfaces (Node) learn their new implementations, including caches built by earlier queries."""
    for new_type in new_types:
        if not isinstance(new_type, GraphQLObjectType):
            continue
        for interface in new_type.interfaces:
            implementations = type_map._implementations[interface.name]
            if new_type not in implementations:
                implementations.append(new_type)
            if interface.name in type_map._possible_type_map:
                type_map._possible_type_map[interface.name].add(new_type.name)
