"""Global ids: base64("Type:uuid"), as Saleor's. Built from UUIDs, so nothing in them is sequential."""

from __future__ import annotations

import binascii
import uuid

from graphql_relay import from_global_id, to_global_id

from ..errors import ErrorCode, ValidationError


def global_id(type_name: str, pk: uuid.UUID | str) -> str:
    return to_global_id(type_name, str(pk))


def decode_id(value: str | None, type_name: str, *, field: str = "id") -> uuid.UUID:
    """The UUID inside a global id of ``type_name``; a ValidationError with code INVALID otherwise."""
    if not value:
        raise ValidationError(f"An id of type {type_name} is required.", code=ErrorCode.REQUIRED, field=field)
    try:
        found_type, raw = from_global_id(value)
        if found_type != type_name:
            raise ValueError(found_type)
        return uuid.UUID(raw)
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValidationError(f"Invalid ID: {value[:100]}. Expected: {type_name}.", code=ErrorCode.INVALID,
                              field=field) from exc
