"""Query errors carry the same codes as mutation errors, in the GraphQL error's extensions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from ..errors import SayproInvoicingError


class BillingDocumentGraphQLError(GraphQLError):
    """A GraphQL error whose extensions name the code (e.g. PERMISSION_DENIED) and the field."""

    def __init__(self, error: SayproInvoicingError):
        super().__init__(error.message, extensions={"code": error.code.name, "field": error.field})
        self.error = error


def coded[F: Callable[..., Any]](resolver: F) -> F:
    """Turn the package's own exceptions raised by a resolver into coded GraphQL errors."""

    @functools.wraps(resolver)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return resolver(*args, **kwargs)
        except SayproInvoicingError as error:
            raise BillingDocumentGraphQLError(error) from error

    return wrapper  # type: ignore[return-value]
