"""Staff alerts: one row per (kind, document), logged at once and emailed after commit."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from .dispatch import TaskName, enqueue
from .models import BillingDocument, StaffAlert

logger = logging.getLogger("saypro_invoicing.alerts")


def raise_alert(kind: str, document: BillingDocument | None, message: str, *, channel: str = "") -> StaffAlert:
    """Record an alert (at most once per kind and document) and email it to staff after commit."""
    if document is not None:
        existing = StaffAlert.objects.filter(kind=kind, document=document).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            alert = StaffAlert.objects.create(kind=kind, document=document, message=message,
                                              channel=channel or (document.channel if document else ""))
    except IntegrityError:
        return StaffAlert.objects.get(kind=kind, document=document)
    logger.error("saypro_invoicing alert [%s] %s", kind, message)
    enqueue(TaskName.SEND_STAFF_ALERT, alert.pk)
    return alert
