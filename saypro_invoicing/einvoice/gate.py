"""The e-invoice part of the accuracy gate: every format the document gets is written and validated
(requirements, XSD, EN 16931 rules, the merchant's extra rule sets) before it is numbered.

Issuing calls ``check(model, placeholder, config)`` after ``accuracy.check``: a non-empty list holds the
document, like any other gate reason. Errors (flag fatal/error) become reasons with the rule id and its
message; warnings are logged and returned by ``evaluate`` but never hold a document.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..accuracy import Reason
from ..document.model import BillingModel
from ..errors import ConfigurationError, ErrorCode, SayproInvoicingError
from .choice import formats_for
from .formats import Format, spec
from .requirements import requirements
from .rules import Finding
from .validate import validate
from .write import write

logger = logging.getLogger(__name__)

PLACEHOLDER = "DRAFT-000000"  # the gate runs before numbering; the number never changes validity
MAX_REASONS_PER_FORMAT = 20


@dataclass
class Outcome:
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[tuple[Format, Finding]] = field(default_factory=list)
    files: dict[Format, bytes] = field(default_factory=dict)  # the valid XML of each format

    @property
    def passed(self) -> bool:
        return not self.reasons


def evaluate(model: BillingModel, number: str, formats: tuple[Format, ...]) -> Outcome:
    outcome = Outcome()
    for fmt in formats:
        format_spec = spec(fmt)
        missing = requirements(model, format_spec)
        if missing:
            outcome.reasons += missing
            continue
        try:
            xml = write(model, number, fmt)
            report = validate(fmt, xml, credit_note=model.is_credit_note)
        except ConfigurationError as error:
            outcome.reasons.append(Reason(ErrorCode.INVALID_CONFIGURATION, f"einvoice.{fmt.value}",
                                          f"{format_spec.label}: {error.message}"))
            continue
        except SayproInvoicingError as error:
            outcome.reasons.append(Reason(ErrorCode.EINVOICE_INVALID, f"einvoice.{fmt.value}",
                                          f"{format_spec.label} cannot be written: {error.message}"))
            continue
        for finding in report.errors[:MAX_REASONS_PER_FORMAT]:
            outcome.reasons.append(Reason(
                ErrorCode.EINVOICE_INVALID, f"einvoice.{fmt.value}.{finding.rule}",
                f"{format_spec.label} fails {finding.source} rule {finding.rule}: {finding.message}",
                "valid", finding.location))
        if len(report.errors) > MAX_REASONS_PER_FORMAT:
            outcome.reasons.append(Reason(ErrorCode.EINVOICE_INVALID, f"einvoice.{fmt.value}",
                                          f"{format_spec.label}: {len(report.errors) - MAX_REASONS_PER_FORMAT} "
                                          "more failed rules."))
        for finding in report.warnings:
            outcome.warnings.append((fmt, finding))
            logger.info("saypro_invoicing: %s warning %s for order %s: %s", fmt.value, finding.rule,
                        model.order_number, finding.message)
        if report.valid:
            outcome.files[fmt] = xml
    return outcome


def formats(model: BillingModel, config: Any) -> tuple[str, ...]:
    """The format values to freeze into the document's content (``DocumentContent.einvoice_formats``)."""
    return tuple(fmt.value for fmt in formats_for(model, config))


def check(model: BillingModel | None, number_placeholder: str = PLACEHOLDER, config: Any = None) -> list[Reason]:
    """Gate reasons for the channel's e-invoice formats; [] for receipts and channels without any."""
    if model is None or config is None:
        return []
    formats = formats_for(model, config)
    return evaluate(model, number_placeholder, formats).reasons if formats else []
