"""Host data made safe to store: what a host hands us is cleaned before anything is issued from it.

PostgreSQL refuses NUL bytes and lone surrogates in text and JSON, and our columns have lengths;
a host (or a customer typing into a storefront the host trusts) can send any of these. The cleaner
walks every field of the snapshot's dataclasses, whatever fields they have (nested dataclasses and
tuples of them included), so fields added later are covered without listing them:

- text: NUL and other control characters removed (tab and line breaks kept), lone surrogates
  replaced by U+FFFD, absurdly long texts cut to ``MAX_TEXT``;
- references (payments', refunds', lines') longer than trigger keys allow get a digest suffix;
- fields stored in columns of their own keep within the column: a display value is cut, a value
  that cannot be cut without changing its meaning (an email address, a user id, a currency code) is
  emptied, so the accuracy gate holds the document (no currency) or it goes to nobody's account;
- naive datetimes are taken as UTC, as everything downstream requires aware times;
- the order and channel ids identify the order: when they are unusable the snapshot is refused
  with a ValidationError and nothing is issued.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from datetime import UTC, datetime
from typing import Any

from .errors import ErrorCode, ValidationError

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# (dataclass name, field) -> (column length, cut): cut the value, or empty it when it is longer.
COLUMNS: dict[tuple[str, str], tuple[int, bool]] = {
    ("OrderSnapshot", "order_number"): (64, True),
    ("OrderSnapshot", "customer_email"): (254, False),
    ("OrderSnapshot", "customer_user_id"): (64, False),
    ("OrderSnapshot", "currency"): (3, False),
}
# Fields that identify the order: refused rather than changed.
IDENTITY: dict[str, int] = {"order_id": 64, "channel": 128}
# The host's references (of payments, refunds, lines) become part of trigger keys (255 characters with the
# order id): a longer one is shortened to a prefix plus a digest of the whole, stable and still distinct.
REFERENCES: dict[str, int] = {"reference": 128, "line_id": 128}


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """``value`` without control characters or lone surrogates, at most ``limit`` characters."""
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value[:limit] if len(value) > limit else value


def clean_snapshot[T](snapshot: T) -> T:
    """The snapshot with every text, time and column-bound field made storable (the same object if it was)."""
    for name, limit in IDENTITY.items():
        value = getattr(snapshot, name, None)
        if isinstance(value, str) and (not value.strip() or len(value) > limit or clean_text(value) != value):
            raise ValidationError(f"The host's {name} is empty, too long or contains control characters.",
                                  code=ErrorCode.INVALID, field=name)
    cleaned = _clean(snapshot)
    if cleaned is not snapshot:
        logger.warning("saypro_invoicing: order %s: the host's data contained control characters or "
                       "over-long texts; they were cleaned", getattr(snapshot, "order_id", "?"))
    return cleaned


def _clean(value: Any, owner: str = "", name: str = "") -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value).__name__
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = _clean(old, kind, field.name)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, str):
        return _clean_str(value, owner, name)
    if isinstance(value, tuple):
        items = tuple(_clean(item, owner, name) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _clean_str(value: str, owner: str, name: str) -> str:
    cleaned = clean_text(value)
    limit = REFERENCES.get(name)
    if limit is not None and len(cleaned) > limit:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        cleaned = f"{cleaned[:limit - 25]}~{digest}"
    column = COLUMNS.get((owner, name))
    if column is not None and len(cleaned) > column[0]:
        cleaned = cleaned[:column[0]] if column[1] else ""
    if cleaned == value:
        return value  # the very object: enums (StrEnum) stay enums
    return cleaned
