"""What a query may cost: our fields' entries for a query-cost map, and the standalone view's limits.

Saleor's cost validator (saleor/graphql/core/validators/query_cost.py, 3.23) charges only fields
named in its COST_MAP: a field it does not know costs 0 and multiplies nothing below it, so
``billingDocuments(first: 100) { edges { node { order { lines { ... } } } } }`` would cost 1.
``COST_MAP`` below uses Saleor's format (type -> field -> complexity, multipliers); the Saleor host
merges it into Saleor's map when it adds our fields (``register_costs``), and the standalone view
computes the same cost with ``check`` and also bounds depth and aliases, as Saleor bounds aliases.
"""

from __future__ import annotations

from functools import reduce
from operator import mul
from typing import Any

from graphql.language import ast

MAX_DEPTH = 12
MAX_ALIASES = 50
MAX_COST = 50_000  # Saleor's default GRAPHQL_QUERY_MAX_COMPLEXITY
MAX_NODES = 5_000  # selections visited with fragments expanded: bounds "fragment bombs" too

_PAGED = {"complexity": 1, "multipliers": ["first", "last"]}
_ONE = {"complexity": 1}

COST_MAP: dict[str, dict[str, dict[str, Any]]] = {
    "Query": {"billingDocuments": _PAGED, "billingDocument": _ONE, "billingDocumentSlaReport": {"complexity": 50}},
    "Mutation": {name: _ONE for name in ("billingDocumentResend", "billingDocumentRequestCorrection",
                                         "billingDocumentCorrectionResolve", "billingDocumentIssue",
                                         "billingDocumentVoid")},
    "Me": {"billingDocuments": _PAGED},
    "User": {"billingDocuments": _PAGED},
    "Order": {"billingDocuments": {"complexity": 10}},  # not paginated: at most a handful per order
    "BillingDocument": {name: _ONE for name in ("order", "deliveries", "downloadUrl", "correctsDocument",
                                                "correctedBy", "correctionRequests")},
    "BillingDocumentCorrectionRequest": {name: _ONE for name in ("document", "creditNote", "correctedInvoice")},
}


def our_costs(schema: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """COST_MAP plus an entry for every other root field of ours (``billingDocument*``) the schema has:
    fields added later (the dashboard's) are charged without being listed here."""
    costs = {type_name: dict(fields) for type_name, fields in COST_MAP.items()}
    for root in (schema.get_query_type(), schema.get_mutation_type()):
        if root is None:
            continue
        for name, field in root.fields.items():
            if name.startswith("billingDocument") and name not in costs.get(root.name, {}):
                entry: dict[str, Any] = {"complexity": 1}
                paged = [arg for arg in ("first", "last") if arg in field.args]
                if paged:
                    entry["multipliers"] = paged
                costs.setdefault(root.name, {})[name] = entry
    return costs


def register_costs(cost_map: dict[str, dict[str, Any]], schema: Any) -> list[str]:
    """Add our entries to a host's cost map, for the types and fields its schema has; returns what was added.

    A host validates its map against its schema on every query, so an entry for a type or field the
    schema lacks (``Me`` in Saleor) would break every query: those are left out.
    """
    added = []
    type_map = schema.get_type_map()
    for type_name, fields in our_costs(schema).items():
        graphql_type = type_map.get(type_name)
        if graphql_type is None or not hasattr(graphql_type, "fields"):
            continue
        for field_name, entry in fields.items():
            if field_name in graphql_type.fields:
                cost_map.setdefault(type_name, {})[field_name] = dict(entry)
                added.append(f"{type_name}.{field_name}")
    return added


class LimitExceeded(Exception):
    """The query is too deep, has too many aliases or costs too much."""


class _Walk:
    def __init__(self, schema: Any, document: ast.Document, variables: dict[str, Any]):
        self.schema, self.variables = schema, variables
        self.costs = _costs_of(schema)
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
        self.aliases = 0
        self.nodes = 0

    def _number(self, node: Any) -> int:
        if isinstance(node, ast.Variable):
            value = self.variables.get(node.name.value)
        elif isinstance(node, ast.IntValue):
            value = int(node.value) if len(node.value) < 12 else 0
        else:
            value = None
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    def cost(self, selection_set: Any, parent: Any, multipliers: list[int], depth: int,
             path: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        if depth > MAX_DEPTH:
            raise LimitExceeded(f"The query is nested deeper than {MAX_DEPTH} levels.")
        fields = getattr(parent, "fields", None) or {}
        total = 0
        for selection in selection_set.selections:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise LimitExceeded(f"The query selects more than {MAX_NODES} fields (fragments expanded).")
            if isinstance(selection, ast.Field):
                if selection.alias is not None:
                    self.aliases += 1
                    if self.aliases > MAX_ALIASES:
                        raise LimitExceeded(f"The query uses more than {MAX_ALIASES} aliases.")
                field = fields.get(selection.name.value)
                if field is None:
                    continue  # unknown fields are reported by validation
                entry = self.costs.get(parent.name, {}).get(selection.name.value)
                below = multipliers
                if entry is not None:
                    args = {a.name.value: a.value for a in selection.arguments or []}
                    factor = sum(self._number(args[name]) for name in entry.get("multipliers", ()) if name in args)
                    below = multipliers + [factor] if factor else multipliers
                    total += reduce(mul, below, entry["complexity"])
                total += self.cost(selection.selection_set, _named(field.type), below, depth + 1, path)
            elif isinstance(selection, ast.InlineFragment):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target or parent, multipliers, depth, path)
            elif isinstance(selection, ast.FragmentSpread):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in path:
                    continue  # unknown or cyclic fragments are reported by validation
                condition = fragment.type_condition
                target = (self.schema.get_type(condition.name.value) if condition is not None else None) or parent
                total += self.cost(fragment.selection_set, target, multipliers, depth, path | {name})
        return total


_cached: list[Any] = [None, {}]  # (schema, its costs): one schema per process; tests rebuild it


def _costs_of(schema: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if _cached[0] is not schema:
        _cached[:] = [schema, our_costs(schema)]
    return _cached[1]


def _named(graphql_type: Any) -> Any:
    while hasattr(graphql_type, "of_type"):
        graphql_type = graphql_type.of_type
    return graphql_type


def check(schema: Any, document: ast.Document, variables: dict[str, Any]) -> int:
    """The document's cost; LimitExceeded when it is too deep, too aliased or too costly."""
    walk = _Walk(schema, document, variables)
    roots = {"query": schema.get_query_type(), "mutation": schema.get_mutation_type(),
             "subscription": schema.get_subscription_type()}
    cost = 0
    for definition in document.definitions:
        if isinstance(definition, ast.OperationDefinition):
            root = roots.get(definition.operation)
            if root is not None:
                cost += walk.cost(definition.selection_set, root, [], 1, frozenset())
    if cost > MAX_COST:
        raise LimitExceeded(f"The query exceeds the maximum cost of {MAX_COST}. Actual cost is {cost}.")
    return cost
