"""Retention: documents are kept SAYPRO_INVOICING["RETENTION_YEARS"] (default 10) and cannot be deleted before.

After that, ``apply()`` anonymises each document instead of deleting it: personal data goes
(customer name, email, user id, phone, addresses and note inside the frozen content, delivery
recipients, correction addresses), the PDF file is removed, and the ledger row stays (number,
type, dates, totals, SHA-256 of the file that was sent) with an AuditEntry saying what was done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import AuditAction, AuditEntry, BillingDocument, CorrectionRequest, DeliveryAttempt, DeliveryEvent
from .guards import RetentionError, add_years, retention_end, retention_years

logger = logging.getLogger(__name__)

_ORDER_PERSONAL = {"customer_email": "", "customer_user_id": "", "customer_phone": "", "customer_note": "",
                   "billing_address": None, "shipping_address": None}

__all__ = ["RetentionError", "RetentionResult", "apply", "due_for_anonymisation", "retention_end"]


@dataclass(frozen=True)
class RetentionResult:
    candidates: int
    anonymised: int
    files_removed: int
    dry_run: bool
    numbers: tuple[str, ...]


def due_for_anonymisation(now: datetime | None = None, channel: str | None = None) -> QuerySet[BillingDocument]:
    now = now or timezone.now()
    expired = Q(retain_until__lte=now) | Q(retain_until__isnull=True,
                                          created_at__lte=add_years(now, -retention_years()))
    documents = BillingDocument.objects.filter(expired, anonymised_at__isnull=True)
    if channel:
        documents = documents.filter(channel=channel)
    return documents.order_by("retain_until", "created_at")


def apply(now: datetime | None = None, *, dry_run: bool = False, channel: str | None = None,
          progress: Callable[[int], None] | None = None) -> RetentionResult:
    now = now or timezone.now()
    candidates = list(due_for_anonymisation(now, channel).values_list("pk", "number"))
    anonymised = files = 0
    if not dry_run:
        for pk, _number in candidates:
            removed = anonymise(pk, now=now)
            if removed is not None:
                anonymised += 1
                files += int(removed)
            if progress:
                progress(1)
    return RetentionResult(candidates=len(candidates), anonymised=anonymised, files_removed=files, dry_run=dry_run,
                           numbers=tuple(number or str(pk) for pk, number in candidates))


def anonymise(pk: Any, *, now: datetime | None = None, actor: str = "retention") -> bool | None:
    """Anonymise one document whose retention ended; None if it is not (or no longer) due."""
    now = now or timezone.now()
    with transaction.atomic():
        document = BillingDocument.objects.select_for_update().filter(pk=pk, anonymised_at__isnull=True).first()
        if document is None:
            return None
        if retention_end(document) > now:
            raise RetentionError(f"{document} is kept until {retention_end(document):%Y-%m-%d}.")
        content = dict(document.content)
        content["order"] = {**content.get("order", {}), **_ORDER_PERSONAL}
        if isinstance(content.get("model"), dict):
            # The document model repeats the buyer (name, address, contact): it goes the same way.
            buyer = content["model"].get("buyer") or {}
            content["model"] = {**content["model"], "buyer": {
                **buyer, "name": "", "company": "", "address": {}, "email": "", "phone": "", "vat_id": "",
                "electronic_address": "", "contact_name": ""}}
        file_name = document.pdf.name if document.pdf else ""
        storage = document.pdf.storage
        document.content = content
        document.customer_email = document.customer_name = document.customer_user_id = ""
        document.pdf = ""
        document.anonymised_at = now
        document.save(update_fields=["content", "customer_email", "customer_name", "customer_user_id", "pdf",
                                     "anonymised_at"])
        DeliveryAttempt.objects.filter(document=document).update(recipient="", response="")
        DeliveryEvent.objects.filter(document=document).update(recipient="", payload={}, description="")
        CorrectionRequest.objects.filter(document=document).update(billing_address=None, company_name="", vat_id="")
        AuditEntry.objects.create(
            document=document, document_number=document.number or "", action=AuditAction.ANONYMISED, actor=actor,
            details={"retain_until": retention_end(document).isoformat(), "sha256": document.pdf_sha256,
                     "file_removed": bool(file_name), "type": document.type, "total": str(document.total),
                     "currency": document.currency})
        if file_name:
            # Only once the anonymisation is committed: a rolled-back run must not lose the file.
            transaction.on_commit(lambda: _delete_file(storage, file_name))
    return bool(file_name)


def _delete_file(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("saypro_invoicing retention: could not delete %s; delete it by hand", name)
