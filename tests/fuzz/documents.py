"""GraphQL documents and variables generated from the schema itself: every root field of ours, every argument.

Arguments are drawn by their GraphQL type (and a hint from their name: cursors, periods, emails), mostly
well-formed, often hostile, sometimes of the wrong JSON type; values go in as variables or inline
literals, and a variable is sometimes declared with the wrong type. Selections are random walks over
the returned types, always with ``id`` where a type has one (the leak check reads it).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)
from graphql_relay import to_global_id
from hypothesis import strategies as st

from tests.fuzz import values

MAX_DEPTH = 3


@dataclass(repr=False)
class Pools:
    """Real ids of the shop (documents, correction requests, orders) to aim at."""

    documents: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    _ids: Any = field(default=None, repr=False)
    _emails: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Pools({len(self.documents)} documents, {len(self.corrections)} corrections)"

    def ids(self) -> st.SearchStrategy[Any]:
        if self._ids is None:
            self._ids = self._build_ids()
        return self._ids

    def email_strategy(self) -> st.SearchStrategy[Any]:
        if self._emails is None:
            self._emails = st.one_of(st.sampled_from(self.emails or ["x@example.com"]), values.hostile_text(40))
        return self._emails

    def _build_ids(self) -> st.SearchStrategy[Any]:
        real = [*self.documents, *self.corrections, *self.orders]
        foreign = st.builds(lambda t, u: to_global_id(t, str(u)),
                            st.sampled_from(["BillingDocument", "BillingDocumentCorrectionRequest", "Order", "User",
                                             "Product", "billingdocument", ""]), st.uuids())
        odd = st.builds(lambda t, raw: base64.b64encode(f"{t}:{raw}".encode("utf-8", "surrogatepass")).decode(),
                        st.sampled_from(["BillingDocument", "Order", "BillingDocumentCorrectionRequest"]),
                        st.one_of(values.hostile_text(20), st.integers(-(2**70), 2**70).map(str)))
        return st.one_of(st.sampled_from(real), st.sampled_from(real), foreign, odd, values.hostile_text(30),
                         st.uuids().map(str), values.wrong_json())


def _unwrap(graphql_type: Any) -> Any:
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    return graphql_type


def type_name(graphql_type: Any) -> str:
    if isinstance(graphql_type, GraphQLNonNull):
        return type_name(graphql_type.of_type) + "!"
    if isinstance(graphql_type, GraphQLList):
        return "[" + type_name(graphql_type.of_type) + "]"
    return graphql_type.name


def _scalar(draw: Any, name: str, scalar: str, pools: Pools) -> Any:
    lowered = name.lower()
    if scalar == "ID" or lowered in ("id", "orderid", "documentid"):
        return draw(pools.ids())
    if lowered in ("after", "before"):
        return draw(values.cursor())
    if lowered == "period":
        return draw(values.period())
    if "email" in lowered:
        return draw(pools.email_strategy())
    if scalar == "Int":
        return draw(values.page_size())
    if scalar == "Float":
        return draw(st.one_of(st.floats(), values.wrong_json()))
    if scalar == "Boolean":
        return draw(st.one_of(st.booleans(), st.booleans(), values.wrong_json()))
    if scalar in ("DateTime", "Date"):
        return draw(values.date_time())
    if scalar == "String":
        return draw(values.hostile_text())
    return draw(values.wrong_json())  # JSON and custom scalars


def value_for(draw: Any, name: str, graphql_type: Any, pools: Pools, depth: int = 0) -> Any:
    """A JSON value for an argument or input field; sometimes of the wrong type on purpose."""
    if draw(st.integers(0, 11)) == 0:
        return draw(values.wrong_json())
    if isinstance(graphql_type, GraphQLNonNull):
        return None if draw(st.integers(0, 25)) == 0 else value_for(draw, name, graphql_type.of_type, pools, depth)
    if isinstance(graphql_type, GraphQLList):
        size = draw(st.integers(0, 3))
        return [value_for(draw, name, graphql_type.of_type, pools, depth) for _ in range(size)]
    if isinstance(graphql_type, GraphQLEnumType):
        return draw(values.enum_value(tuple(v.name for v in graphql_type.values)))
    if isinstance(graphql_type, GraphQLInputObjectType):
        if depth > 2:
            return None
        fields = graphql_type.fields
        required = [n for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)]
        chosen = set(required) | set(draw(st.lists(st.sampled_from(sorted(fields)), max_size=4)))
        result = {n: value_for(draw, n, fields[n].type, pools, depth + 1) for n in sorted(chosen)}
        if draw(st.integers(0, 15)) == 0:
            result[draw(st.sampled_from(["unknown", "__typename", "id"]))] = draw(values.wrong_json())
        return result
    if isinstance(graphql_type, GraphQLScalarType):
        return _scalar(draw, name, graphql_type.name, pools)
    return draw(values.wrong_json())


class _Builder:
    def __init__(self, draw: Any, schema: Any, pools: Pools):
        self.draw, self.schema, self.pools = draw, schema, pools
        self.variables: dict[str, Any] = {}
        self.definitions: list[str] = []

    def arguments(self, graphql_field: Any) -> str:
        parts = []
        for name, argument in graphql_field.args.items():
            required = isinstance(argument.type, GraphQLNonNull)
            if not required and self.draw(st.integers(0, 2)) == 0:
                continue  # optional arguments are often left out
            value = value_for(self.draw, name, argument.type, self.pools)
            mode = self.draw(st.integers(0, 9))
            if mode < 6:  # a variable of the declared type
                variable = f"v{len(self.variables)}"
                self.variables[variable] = value
                self.definitions.append(f"${variable}: {type_name(argument.type)}")
                parts.append(f"{name}: ${variable}")
            elif mode < 9:  # an inline literal
                parts.append(f"{name}: {values.as_literal(value)}")
            else:  # a variable declared with another type
                variable = f"v{len(self.variables)}"
                self.variables[variable] = value
                wrong = self.draw(st.sampled_from(["String", "Int", "Float", "Boolean", "ID", "[String]", "Int!",
                                                   "BillingDocumentFilterInput", "DateTime", "JSONString"]))
                self.definitions.append(f"${variable}: {wrong}")
                parts.append(f"{name}: ${variable}")
        return "(" + ", ".join(parts) + ")" if parts else ""

    def selection(self, graphql_type: Any, depth: int) -> str:
        named = _unwrap(graphql_type)
        if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
            return ""
        if isinstance(named, GraphQLUnionType):
            return "{ __typename }"
        fields = named.fields
        names = sorted(fields)
        if depth >= MAX_DEPTH:
            leaves = [n for n in names if isinstance(_unwrap(fields[n].type), (GraphQLScalarType, GraphQLEnumType))
                      and not any(isinstance(a.type, GraphQLNonNull) for a in fields[n].args.values())]
            names = leaves or ["__typename"]
        chosen = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True)) \
            if names != ["__typename"] else []
        if "id" in fields and "id" not in chosen:
            chosen.append("id")
        parts = []
        for index, name in enumerate(chosen):
            child = fields[name]
            alias = f"a{index}: " if self.draw(st.integers(0, 14)) == 0 else ""
            parts.append(f"{alias}{name}{self.arguments(child)} {self.selection(child.type, depth + 1)}".strip())
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)) and self.draw(st.integers(0, 9)) == 0:
            parts.append("__typename")
        return "{ " + " ".join(parts or ["__typename"]) + " }"


@dataclass
class Case:
    root: str  # "query" or "mutation"
    field: str
    document: str
    variables: dict[str, Any]


def our_root_fields(schema: Any) -> dict[str, list[str]]:
    """The plugin's root fields: the standalone schema has nothing else (``me`` included)."""
    return {"query": sorted(schema.get_query_type().fields), "mutation": sorted(schema.get_mutation_type().fields)}


@st.composite
def cases(draw: Any, schema: Any, pools: Pools) -> Case:
    roots = our_root_fields(schema)
    root = draw(st.sampled_from(["query", "query", "mutation"]))
    name = draw(st.sampled_from(roots[root]))
    parent = schema.get_query_type() if root == "query" else schema.get_mutation_type()
    builder = _Builder(draw, schema, pools)
    graphql_field = parent.fields[name]
    body = f"{name}{builder.arguments(graphql_field)} {builder.selection(graphql_field.type, 1)}".strip()
    if draw(st.integers(0, 19)) == 0:  # the same field again under aliases: cheap amplification
        body = " ".join(f"x{i}: {body}" for i in range(draw(st.integers(2, 80))))
    header = f"{root} Fuzz" + (f"({', '.join(builder.definitions)})" if builder.definitions else "")
    return Case(root, name, f"{header} {{ {body} }}", builder.variables)


def nested_bomb(depth: int) -> str:
    """A query nested ``depth`` levels (correctsDocument of correctsDocument ...)."""
    inner = "id"
    for _ in range(depth):
        inner = f"id correctsDocument {{ {inner} }}"
    return f'query {{ billingDocument(id: "{to_global_id("BillingDocument", str(uuid.uuid4()))}") {{ {inner} }} }}'
