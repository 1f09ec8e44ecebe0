"""One entry point for every writer: (model, number, format) -> XML bytes."""

from __future__ import annotations

from ..document.model import BillingModel, TypeCode
from ..errors import ErrorCode, ValidationError
from .cii import write_cii
from .formats import Format, Syntax, spec
from .ubl import write_ubl


def write(model: BillingModel, number: str, fmt: Format | str) -> bytes:
    """Receipts are not EN 16931 documents: asking for one is a programming error."""
    if model.type_code == TypeCode.NONE:
        raise ValidationError("Receipts are not EN 16931 documents.", code=ErrorCode.INVALID, field="type")
    format_spec = spec(fmt)
    writer = write_cii if format_spec.syntax == Syntax.CII else write_ubl
    return writer(model, number, format_spec)
