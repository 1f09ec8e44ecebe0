"""The standalone /graphql/ endpoint: POST {query, variables, operationName} -> JSON, as Saleor answers.

Inside Saleor, Saleor's own view serves the same fields; this one exists for the sandbox host.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from graphql import GraphQLError, parse
from graphql.error import format_error as format_graphql_error

from . import limits
from .errors import BillingDocumentGraphQLError
from .schema import get_schema

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


def _bad_request(message: str, status: int = 400, code: str = "BadRequest") -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"exception": {"code": code}}}]},
                        status=status)


def format_error(error: Exception, *, invalid: bool = False) -> dict[str, Any]:
    """Saleor's shape (message, locations, path, extensions.exception.code) plus our code and field."""
    if isinstance(error, GraphQLError):
        result = format_graphql_error(error)
    else:
        result = {"message": str(error)}
    original = getattr(error, "original_error", None) or error
    extensions = dict(result.get("extensions") or {})
    if isinstance(original, BillingDocumentGraphQLError):
        extensions["exception"] = {"code": original.error.code.name}
    elif isinstance(original, GraphQLError):
        extensions["exception"] = {"code": "GraphQLError"}
    elif invalid:
        # The request was refused before any resolver ran (a variable a scalar could not parse):
        # the client's error, described without the parser's internals.
        logger.warning("saypro_invoicing: GraphQL request refused before execution: %r", original)
        result["message"] = "The request is not valid: check the variables' types."
        extensions["exception"] = {"code": "GraphQLError"}
    else:
        # Unexpected failures are logged with their traceback and not described to the caller.
        logger.error("saypro_invoicing: GraphQL resolver failed", exc_info=original)
        result["message"] = "Internal Server Error"
        extensions["exception"] = {"code": type(original).__name__}
    result["extensions"] = extensions
    return result


def standalone_graphql_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _bad_request("Send queries with POST.", status=405)
        response["Allow"] = "POST"
        return response
    if len(request.body) > MAX_BODY_BYTES:
        return _bad_request("The request body is too large.", status=413)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _bad_request("The request body is not valid JSON.")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return _bad_request("Send a JSON object with a `query` string.")
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return _bad_request("`variables` must be a JSON object.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return _bad_request("`operationName` must be a string.")
    schema = get_schema()
    try:
        document = parse(payload["query"])
        limits.check(schema, document, variables)
    except GraphQLError as error:
        return JsonResponse({"errors": [format_error(error)]}, status=400)
    except limits.LimitExceeded as error:
        return _bad_request(str(error), code="QueryCostError")
    except RecursionError:
        return _bad_request("The query is nested too deeply.", code="QueryCostError")
    result = schema.execute(document, variable_values=variables, operation_name=operation_name,
                            context_value=request)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [format_error(error, invalid=result.invalid) for error in result.errors]
    # Like Saleor: a query that does not validate is a bad request; resolver errors still answer 200.
    return JsonResponse(body, status=400 if result.invalid else 200)
