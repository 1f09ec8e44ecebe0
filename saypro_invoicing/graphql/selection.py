"""Which BillingDocument fields a query selects, so that a list fetches only what it will show.

A page of 50 documents that shows numbers and totals must not decode 50 frozen ``content`` JSON
documents (several KB each) nor run the prefetch queries of relations nobody asked for. Unknown
shapes (no field nodes) answer None: the caller then fetches everything, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql.language import ast

# GraphQL fields of BillingDocument whose resolvers read the frozen content JSON.
CONTENT_FIELDS = frozenset({"billingAddress", "figures", "formats"})
# The connection's own wrappers between the field and its BillingDocument nodes.
_CONNECTION_PATH = ("edges", "node")


def _fields(selection_set: ast.SelectionSet | None, fragments: dict[str, Any]) -> Iterable[ast.Field]:
    """The fields of a selection set, fragments (named and inline) flattened."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, ast.Field):
            yield selection
        elif isinstance(selection, ast.InlineFragment):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, ast.FragmentSpread):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def node_fields(info: Any, *, connection: bool) -> frozenset[str] | None:
    """Names of the fields selected on the documents of the field being resolved (edges.node for a
    connection), or None when the query's shape cannot be read."""
    field_asts = getattr(info, "field_asts", None)
    if not field_asts:
        return None
    fragments = getattr(info, "fragments", None) or {}
    level = list(field_asts)
    for step in _CONNECTION_PATH if connection else ():
        level = [f for parent in level for f in _fields(parent.selection_set, fragments) if f.name.value == step]
    return frozenset(f.name.value for parent in level for f in _fields(parent.selection_set, fragments))
