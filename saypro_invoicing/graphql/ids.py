"""Global ids: base64("Type:uuid"), as Saleor's. Built from UUIDs, so nothing in them is sequential."""

from __future__ import annotations

import uuid

from graphql_relay import to_global_id

from . import validation


def global_id(type_name: str, pk: uuid.UUID | str) -> str:
    return to_global_id(type_name, str(pk))


def decode_id(value: str | None, type_name: str, *, field: str = "id") -> uuid.UUID:
    """The UUID inside a global id of ``type_name``; a ValidationError (INVALID, REQUIRED, TOO_LONG) otherwise."""
    return validation.global_id(value, type_name, field=field)
