"""One exception hierarchy and one vocabulary of error codes for the whole package.

The codes are what API clients, logs and review reasons carry; they never change meaning.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured


class ErrorCode(StrEnum):
    # Input and lookup
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    INVALID_DATE_RANGE = "invalid_date_range"
    PERMISSION_DENIED = "permission_denied"
    RATE_LIMITED = "rate_limited"  # too many requests of one kind (customers' resends) in a window
    # Document life cycle
    ALREADY_ISSUED = "already_issued"
    ALREADY_VOID = "already_void"
    NOT_ISSUED = "not_issued"
    NOT_INVOICED = "not_invoiced"
    NOTHING_TO_CREDIT = "nothing_to_credit"
    ALREADY_RESOLVED = "already_resolved"
    RETENTION_ACTIVE = "retention_active"  # a document may not be deleted before its retention ends
    # Accuracy gate
    TOTAL_MISMATCH = "total_mismatch"
    PAYMENT_MISMATCH = "payment_mismatch"
    MISSING_FIELD = "missing_field"
    INVALID_CURRENCY = "invalid_currency"
    NEGATIVE_AMOUNT = "negative_amount"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"  # not a finite amount, or beyond what the ledger can hold
    INVALID_TAX_RATE = "invalid_tax_rate"  # rates are fractions in [0, 1)
    LINE_MISMATCH = "line_mismatch"  # a host line's quantity, prices and totals disagree
    CALCULATION_ERROR = "calculation_error"  # the document model breaks an EN 16931 calculation rule
    OVER_CREDIT = "over_credit"  # credit notes would exceed the invoice they correct
    EINVOICE_INVALID = "einvoice_invalid"  # the e-invoice XML fails its schema or rules (rule id in the message)
    MISSING_BUYER_DATA = "missing_buyer_data"  # the channel's e-invoice format needs buyer data the order lacks
    MISSING_SELLER_DATA = "missing_seller_data"  # ... or seller data the channel's configuration lacks
    # Delivery
    NO_RECIPIENT = "no_recipient"
    SUPPRESSED = "suppressed"
    # Configuration
    INVALID_CONFIGURATION = "invalid_configuration"


class SayproInvoicingError(Exception):
    """Base of every error this package raises on purpose."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str, *, code: ErrorCode | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return f"[{self.code.value}] {self.message}"


class ConfigurationError(SayproInvoicingError, ImproperlyConfigured):
    """A setting or a channel's plugin configuration is missing or wrong."""

    code = ErrorCode.INVALID_CONFIGURATION


class ValidationError(SayproInvoicingError):
    """Bad input, keyed by field, with a code from ErrorCode."""


class DocumentNotFound(SayproInvoicingError):
    code = ErrorCode.NOT_FOUND


class PermissionDenied(SayproInvoicingError):
    code = ErrorCode.PERMISSION_DENIED
