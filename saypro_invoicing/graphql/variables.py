"""Wrongly typed variables are client errors.

graphql-core 2 coerces a variable by calling its scalar's ``parse_value``; ``None`` means "not a
value of this type" and becomes the usual "Variable "$x" got invalid value" error. The built-in
parsers raise instead on many JSON values (``int([1])`` is a TypeError, 1e300 an Exception, Infinity
an OverflowError), which the executor reports as an internal error. ``harden_scalars`` wraps each
scalar of a schema so that such values answer ``None``. The built-in scalars also refuse JSON values
they cannot stand for: Int and Float take JSON numbers only (finite; Int whole and 32-bit), Boolean
only true/false, String and ID no list or object. (Numbers for a String stay accepted, as
graphql-core 2 always did: clients may rely on it.)

The built-in scalar objects are shared by every schema in the process (Saleor's included), so the
wrapping is idempotent and changes nothing for values the scalars accept today.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLScalarType

_MARK = "_saypro_hardened"
MIN_INT, MAX_INT = -(2**31), 2**31 - 1


def _int(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return value if MIN_INT <= value <= MAX_INT else None
    return None  # a string ("5", "1e300") is not an Int, as the spec and graphql-js have it


def _float(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    return None


def _leaf(value: Any) -> Any:
    # A scalar is never a JSON list or object: str() of one is not what the client meant.
    return None if isinstance(value, (list, dict)) else _NO_CHECK


def _boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else None


_NO_CHECK = object()
_STRICT: dict[str, Callable[[Any], Any]] = {
    "Int": _int, "Float": _float, "String": _leaf, "ID": _leaf, "Boolean": _boolean,
}


def _wrap(scalar: GraphQLScalarType) -> Callable[[Any], Any]:
    parse = scalar.parse_value
    check = _STRICT.get(scalar.name)

    def parse_value(value: Any) -> Any:
        if check is not None:
            checked = check(value)
            if checked is not _NO_CHECK:
                return checked
        try:
            return parse(value)
        except GraphQLError:
            raise  # a scalar's own client error (Saleor's scalars word theirs): already the client's
        except Exception:  # noqa: BLE001 - any other failure to parse a client's value is the client's error
            return None

    parse_value.__dict__[_MARK] = True
    return parse_value


def harden_scalars(schema: Any) -> None:
    for graphql_type in schema.get_type_map().values():
        if isinstance(graphql_type, GraphQLScalarType) and not getattr(graphql_type.parse_value, _MARK, False):
            graphql_type.parse_value = _wrap(graphql_type)
