"""Customer correction requests: a wrong company name, VAT id, billing address or price.

An issued document never changes. Approval therefore cancels the original with a credit note for
what is still uncredited and issues a corrected invoice from the original's frozen snapshot with
the requested details applied; both are linked to the original (``corrects``) and delivered.
Rejection tells the customer why. Request and resolution times feed the 48-hour target.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import pgettext

from .alerts import raise_alert
from .conf import ChannelConfig
from .delivery import outbound
from .errors import ConfigurationError, DocumentNotFound, ErrorCode, ValidationError
from .hosts import get_host
from .issuing import issue, update_payment_status
from .models import AuditAction, AuditEntry, BillingDocument, CorrectionRequest
from .models.corrections import CorrectionStatus
from .models.documents import DocumentStatus
from .models.records import AlertKind
from .snapshot import Address, DocumentType
from .trigger_keys import TriggerKey
from .triggers import Planned

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000
MAX_MESSAGE_LENGTH = 2000
MAX_COMPANY_NAME_LENGTH = 256
MAX_VAT_ID_LENGTH = 64
MAX_ADDRESS_FIELD_LENGTH = 256
ADDRESS_FIELDS = tuple(f.name for f in dataclasses.fields(Address))


def _limited(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"At most {limit} characters.", code=ErrorCode.TOO_LONG, field=field)
    return text


def clean_address(data: dict[str, Any] | None) -> dict[str, str] | None:
    """The requested address changes: known fields only, bounded, country as ISO alpha-2."""
    if not data:
        return None
    unknown = sorted(set(data) - set(ADDRESS_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown address fields: {', '.join(unknown)}.", code=ErrorCode.INVALID,
                              field="billingAddress")
    cleaned = {name: _limited(value, f"billingAddress.{name}", MAX_ADDRESS_FIELD_LENGTH)
               for name, value in data.items() if value is not None}
    if cleaned.get("country"):
        cleaned["country"] = cleaned["country"].upper()
        if not re.fullmatch(r"[A-Z]{2}", cleaned["country"]):
            raise ValidationError("A two-letter ISO 3166-1 country code.", code=ErrorCode.INVALID,
                                  field="billingAddress.country")
    return {k: v for k, v in cleaned.items() if v} or None


def _check_correctable(document: BillingDocument) -> None:
    if document.type != DocumentType.INVOICE:
        raise ValidationError("Only invoices can be corrected.", code=ErrorCode.INVALID, field="id")
    if document.status == DocumentStatus.VOID:
        raise ValidationError("The invoice is void.", code=ErrorCode.ALREADY_VOID, field="id")
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError("The invoice is not issued yet.", code=ErrorCode.NOT_ISSUED, field="id")


def request_correction(document: BillingDocument, *, reason: str, company_name: str = "", vat_id: str = "",
                       billing_address: dict[str, Any] | None = None, requested_by: str = "",
                       now: datetime | None = None) -> CorrectionRequest:
    """Record a customer's request; at most one open request per document."""
    reason = _limited(reason, "reason", MAX_REASON_LENGTH)
    if not reason:
        raise ValidationError("Tell us what is wrong.", code=ErrorCode.REQUIRED, field="reason")
    company_name = _limited(company_name, "companyName", MAX_COMPANY_NAME_LENGTH)
    vat_id = _limited(vat_id, "vatId", MAX_VAT_ID_LENGTH)
    address = clean_address(billing_address)
    _check_correctable(document)
    with transaction.atomic():
        # The row lock serialises concurrent requests for one document: only one can be open.
        BillingDocument.objects.select_for_update().filter(pk=document.pk).first()
        if CorrectionRequest.objects.filter(document=document, status=CorrectionStatus.OPEN).exists():
            raise ValidationError("A correction request for this document is already open.",
                                  code=ErrorCode.INVALID, field="id")
        request = CorrectionRequest.objects.create(
            document=document, requested_by=requested_by[:64], reason=reason, company_name=company_name,
            vat_id=vat_id, billing_address=address, requested_at=now or timezone.now(),
        )
        AuditEntry.objects.create(document=document, document_number=document.number or "",
                                  action=AuditAction.CORRECTION_REQUESTED, actor=requested_by,
                                  details={"request": str(request.id)})
        raise_alert(AlertKind.CORRECTION_REQUESTED, document,
                    f"Correction requested for {document.number} (order {document.order_number}): {reason[:500]}")
    return request


def resolve_correction(request: CorrectionRequest, *, approve: bool, message: str = "", resolved_by: str = "",
                       now: datetime | None = None) -> CorrectionRequest:
    """Approve (credit note + corrected invoice) or reject (customer notified); once only."""
    message = _limited(message, "message", MAX_MESSAGE_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().select_related("document").get(pk=request.pk)
        if locked.status != CorrectionStatus.OPEN:
            raise ValidationError("This correction request has already been resolved.",
                                  code=ErrorCode.ALREADY_RESOLVED, field="id")
        if approve:
            locked.credit_note, locked.corrected_invoice = _approve(locked, now)
            locked.status = CorrectionStatus.APPROVED
        else:
            locked.status = CorrectionStatus.REJECTED
        locked.resolved_at, locked.resolved_by, locked.resolution_message = now, resolved_by[:64], message
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_message", "credit_note",
                                   "corrected_invoice"])
        AuditEntry.objects.create(document=locked.document, document_number=locked.document.number or "",
                                  action=AuditAction.CORRECTION_APPROVED if approve
                                  else AuditAction.CORRECTION_REJECTED, actor=resolved_by,
                                  details={"request": str(locked.id), "message": message[:500]})
        if not approve:
            request_id = locked.pk
            transaction.on_commit(lambda: notify_rejection(request_id))
    return locked


def _approve(request: CorrectionRequest, now: datetime) -> tuple[BillingDocument, BillingDocument]:
    original = BillingDocument.objects.select_for_update().get(pk=request.document_id)
    _check_correctable(original)
    config = _config(original.channel)
    credited = BillingDocument.objects.filter(corrects=original, type=DocumentType.CREDIT_NOTE).exclude(
        status=DocumentStatus.VOID).aggregate(total=Sum("total"))["total"] or Decimal(0)
    if credited >= original.total:
        raise ValidationError("The invoice is already fully credited.", code=ErrorCode.NOTHING_TO_CREDIT, field="id")
    if credited > 0:
        # A corrected invoice for the full order next to earlier partial credits would overstate what is owed.
        raise ValidationError("The invoice is partly credited (refund); correct it by hand.",
                              code=ErrorCode.INVALID, field="id")
    snapshot = original.document_content.order
    reason = f"Correction of {original.number}: {request.reason}"[:500]
    credit_plan = Planned(DocumentType.CREDIT_NOTE, TriggerKey.correction_credit(original.order_id, request.id), now,
                          amount=original.total, reason=reason)
    credit_note = issue(snapshot, config, credit_plan, corrects=original, now=now).document
    original.status, original.voided_at = DocumentStatus.VOID, now
    original.void_reason = f"Replaced after correction request {request.id}."
    original.save(update_fields=["status", "voided_at", "void_reason"])

    corrected_snapshot = dataclasses.replace(snapshot, billing_address=corrected_address(snapshot.billing_address,
                                                                                         request))
    invoice_plan = Planned(DocumentType.INVOICE, TriggerKey.corrected_invoice(original.order_id, request.id), now,
                           amount=corrected_snapshot.total_gross, reason=reason)
    corrected = issue(corrected_snapshot, config, invoice_plan, corrects=original, now=now).document
    try:
        update_payment_status(corrected, get_host().snapshot(original.order_id))
    except DocumentNotFound:
        logger.warning("saypro_invoicing: order %s is gone; corrected invoice keeps its frozen payment status",
                       original.order_id)
    return credit_note, corrected


def corrected_address(address: Address | None, request: CorrectionRequest) -> Address:
    changes: dict[str, str] = dict(request.billing_address or {})
    if request.company_name:
        changes["company_name"] = request.company_name
    if request.vat_id:
        changes["vat_id"] = request.vat_id
    return dataclasses.replace(address or Address(), **changes)


def _config(channel: str) -> ChannelConfig:
    config = get_host().channel_config(channel)
    if config is None or not config.active:
        raise ConfigurationError(f"The plugin is not active in channel {channel}.", field="id")
    return config


def notify_rejection(request_id: Any) -> bool:
    """Email the customer that their request was rejected, with staff's message; False if it could not be sent."""
    request = CorrectionRequest.objects.select_related("document").get(pk=request_id)
    document = request.document
    config = get_host().channel_config(document.channel)
    recipients = [document.customer_email] if document.customer_email else get_host().customer_emails(
        document.order_id)[:1]
    if config is None or not recipients:
        _notice_failed(request, "no channel configuration or no customer email")
        return False
    with translation.override(document.locale or "en"):
        subject = pgettext("saypro_invoicing", "Your correction request for %(number)s") % {"number": document.number}
        body = pgettext(
            "saypro_invoicing",
            "We looked at your request to correct %(number)s (order %(order)s) and could not make the change.",
        ) % {"number": document.number, "order": document.order_number}
        if request.resolution_message:
            body += "\n\n" + request.resolution_message
        if config.support_contact:
            body += "\n\n" + pgettext("saypro_invoicing", "Questions? Contact %(contact)s.") % {
                "contact": config.support_contact}
    message = EmailMessage(subject, body, from_email=config.from_email or None, to=recipients,
                           reply_to=[config.reply_to] if config.reply_to else None,
                           headers={"Auto-Submitted": "auto-generated"})
    attempted = outbound.send_email(outbound.MessageKind.CORRECTION_REPLY, config, message)
    if not attempted.sent:
        _notice_failed(request, attempted.response)
        return False
    AuditEntry.objects.create(document=document, document_number=document.number or "",
                              action=AuditAction.CORRECTION_REJECTION_SENT, details={"request": str(request.id),
                                                                           "recipient": recipients[0]})
    return True


def _notice_failed(request: CorrectionRequest, error: str) -> None:
    document = request.document
    logger.error("saypro_invoicing: rejection notice for correction %s not sent: %s", request.id, error)
    AuditEntry.objects.create(document=document, document_number=document.number or "",
                              action=AuditAction.CORRECTION_REJECTION_FAILED, details={"request": str(request.id),
                                                                             "error": error[:500]})
    raise_alert(AlertKind.DELIVERY_FAILED, document,
                f"The rejection notice for correction request {request.id} ({document.number}) was not sent: "
                f"{error[:300]}. Tell the customer by hand.")
