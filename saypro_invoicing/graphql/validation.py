"""Every argument of every field and mutation is checked here, before it reaches a query or a model.

One place for the rules, so that the standalone view and Saleor's /graphql/ refuse the same input
with the same codes (``ErrorCode``): a bad value is a ValidationError naming the GraphQL field,
never a database error. PostgreSQL refuses NUL bytes and lone surrogates in text outright, and
integers past 2^63; years outside 1..9999 do not exist in Python: each of those is caught here.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from graphql_relay import from_global_id

from ..errors import ErrorCode, ValidationError
from ..sla.periods import parse_period

MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_ID_LENGTH = 512  # a global id of a UUID is 60-odd characters; anything far longer is not one
MAX_OFFSET = 2**31 - 1  # cursors are offsets into a list; no list of ours comes near this
MAX_PAGE_SIZE = 100
MAX_EMAIL_LENGTH = 254
MAX_PERIOD_LENGTH = 64
MAX_LIST_LENGTH = 50

# C0 controls, DEL and C1 controls. Multi-line texts (a reason, a message) keep tab, LF and CR.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _invalid(message: str, field: str, code: ErrorCode = ErrorCode.INVALID) -> ValidationError:
    return ValidationError(message, code=code, field=field)


def text(value: Any, field: str, *, limit: int, required: bool = False, multiline: bool = False) -> str:
    """A stripped string: no control characters, no lone surrogates, at most ``limit`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(f"`{field}` must be a string.", field)
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        raise _invalid(f"`{field}` contains control characters (such as NUL); remove them.", field)
    if _SURROGATE.search(value):
        raise _invalid(f"`{field}` is not valid Unicode text.", field)
    stripped = value.strip()
    if len(stripped) > limit:
        raise _invalid(f"`{field}` is longer than {limit} characters.", field, ErrorCode.TOO_LONG)
    if required and not stripped:
        raise _invalid(f"`{field}` is required.", field, ErrorCode.REQUIRED)
    return stripped


def optional_text(value: Any, field: str, *, limit: int, multiline: bool = False) -> str | None:
    """None stays None (the argument was not given); anything else is checked as ``text``."""
    return None if value is None else text(value, field, limit=limit, multiline=multiline)


def email(value: Any, field: str = "email", *, required: bool = False) -> str:
    address = text(value, field, limit=MAX_EMAIL_LENGTH, required=required)
    if address:
        try:
            EmailValidator()(address)
        except DjangoValidationError as exc:
            raise _invalid("Enter a valid email address.", field) from exc
    return address


def boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(f"`{field}` must be true or false.", field)
    return value


def global_id(value: Any, type_name: str, *, field: str = "id") -> uuid.UUID:
    """The UUID inside a global id ("Type:uuid" in base64) of ``type_name``."""
    raw = text(value, field, limit=MAX_ID_LENGTH)
    if not raw:
        raise _invalid(f"An id of type {type_name} is required.", field, ErrorCode.REQUIRED)
    try:
        found_type, inner = from_global_id(raw)
        if found_type != type_name:
            raise ValueError(found_type)
        return uuid.UUID(inner)
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise _invalid(f"Invalid ID: {raw[:100]}. Expected: {type_name}.", field) from exc


def host_id(value: Any, type_name: str, *, field: str, limit: int = 64) -> str:
    """A host object's own id, given as the host's global id ("Order:<id>") or as the bare id."""
    raw = text(value, field, limit=MAX_ID_LENGTH)
    try:
        found_type, inner = from_global_id(raw)
        if found_type == type_name and inner:
            raw = inner
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        pass  # not a global id: the host's own id
    if not raw or len(raw) > limit or _CONTROL.search(raw) or _SURROGATE.search(raw):
        raise _invalid(f"Invalid {type_name} ID.", field)
    return raw


def offset(value: int, field: str) -> int:
    if not 0 <= value <= MAX_OFFSET:
        raise _invalid(f"The cursor in `{field}` is out of range.", field, ErrorCode.OUT_OF_RANGE)
    return value


def page_size(first: Any, last: Any) -> None:
    """Saleor's rule: ``first`` or ``last``, not both, 0..100."""
    if first is None and last is None:
        raise _invalid("You must provide a `first` or `last` value to properly paginate.", "first",
                       ErrorCode.REQUIRED)
    if first is not None and last is not None:
        raise _invalid("Use either `first` or `last`, not both.", "last")
    for name, value in (("first", first), ("last", last)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(f"Argument `{name}` must be an integer.", name)
        if not 0 <= value <= MAX_PAGE_SIZE:
            raise _invalid(f"Argument `{name}` must be between 0 and {MAX_PAGE_SIZE}; got {value}.", name,
                           ErrorCode.OUT_OF_RANGE)


def year_in_range(value: dt.datetime | dt.date, field: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _invalid(f"`{field}`: the year must be between {MIN_YEAR} and {MAX_YEAR}.", field,
                       ErrorCode.OUT_OF_RANGE)


def moment(value: Any, field: str) -> dt.datetime | None:
    """An aware UTC datetime inside the supported years (naive values are taken as UTC)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise _invalid(f"`{field}` must be a date and time.", field)
    year_in_range(value, field)
    try:
        aware = timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value
        result = aware.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise _invalid(f"`{field}` is out of range.", field, ErrorCode.OUT_OF_RANGE) from exc
    year_in_range(result, field)
    return result


def date_range(value: Any, field: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(gte, lte) of a DateTimeRangeInput; gte after lte is INVALID_DATE_RANGE."""
    if not value:
        return None, None
    if not hasattr(value, "get"):
        raise _invalid(f"`{field}` must be an object with gte and lte.", field)
    gte, lte = moment(value.get("gte"), f"{field}.gte"), moment(value.get("lte"), f"{field}.lte")
    if gte is not None and lte is not None and gte > lte:
        raise _invalid(f"`{field}`: gte must not be after lte.", field, ErrorCode.INVALID_DATE_RANGE)
    return gte, lte


def period(value: Any, field: str = "period") -> tuple[dt.datetime, dt.datetime]:
    """A report period (sla.periods) whose both ends lie inside the supported years."""
    raw = text(value, field, limit=MAX_PERIOD_LENGTH, required=True)
    try:
        start, end = parse_period(raw)
    except (OverflowError, ValueError) as exc:  # e.g. "9999-12": the next month is in year 10000
        if isinstance(exc, ValidationError):
            raise
        raise _invalid(f"`{field}` is out of range.", field, ErrorCode.OUT_OF_RANGE) from exc
    year_in_range(start, field)
    year_in_range(end - dt.timedelta(microseconds=1), field)
    return start, end


def choices(values: Any, allowed: Iterable[str], field: str) -> list[str]:
    """A list of enum values (already names' values after GraphQL coercion), each one known."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) > MAX_LIST_LENGTH:
        raise _invalid(f"`{field}` has more than {MAX_LIST_LENGTH} values.", field, ErrorCode.TOO_LONG)
    known = {str(getattr(a, "value", a)) for a in allowed}
    result = []
    for item in values:
        item = getattr(item, "value", item)
        if not isinstance(item, str) or item not in known:
            raise _invalid(f"`{field}`: unknown value.", field)
        result.append(item)
    return result

