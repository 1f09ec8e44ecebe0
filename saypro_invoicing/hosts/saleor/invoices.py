"""Saleor's Invoice rows show our invoices: one row per document, FAILED while it is held, never one
number in two rows, and no row deleted without our document being voided by a credit note.

Saleor 3.23.28 reaches us three ways here:
- ``invoiceRequest`` creates a row and calls ``invoice_request``; the plugin fills it (``take_over``).
- ``invoiceRequestDelete`` sets the row PENDING, calls ``invoice_delete`` (at once, or on commit inside
  a transaction) and then records an ``InvoiceEvent`` pointing at the row. Deleting the row inside the
  hook breaks that insert (IntegrityError), so the hook voids and marks the row DELETED, and the row is
  removed once Saleor's event exists (``_deletion_recorded``).
- ``invoiceDelete`` deletes the row and calls no plugin hook: a ``post_delete`` receiver voids our
  document once the deletion commits (``_row_deleted``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from saleor.core import JobStatus
from saleor.core.db.connection import allow_writer
from saleor.invoice import InvoiceEvents
from saleor.invoice.models import Invoice, InvoiceEvent
from saleor.order.models import Order
from saleor.plugins.models import PluginConfiguration

from ... import links
from ...alerts import raise_alert
from ...conf import ChannelConfig
from ...models import BillingDocument
from ...models.documents import DocumentStatus
from ...models.records import AlertKind
from ...snapshot import DocumentType
from ...trigger_keys import TriggerKey
from ..protocol import get_host
from .configuration import PLUGIN_ID, channel_config_from

logger = logging.getLogger("saypro_invoicing.saleor")

# Set on a row we delete ourselves (a duplicate, or a deletion Saleor asked for): no second void.
_OURS = "_saypro_invoicing_deletes"


def manual_invoice_key(order_id: Any, invoice_pk: Any) -> TriggerKey:
    return TriggerKey.manual_invoice(order_id, invoice_pk)


# --- showing a document in a row ----------------------------------------------------------------


def fill_invoice(invoice: Any, document: BillingDocument, *, render: bool = True) -> None:
    """The row shows the document: number, signed link, SUCCESS; or FAILED with the reasons while held.

    ``render`` makes the PDF now, for the dashboard's "Generate invoice" that opens it next.
    """
    from ...rendering import ensure_pdf

    if document.is_sendable:
        if render:
            ensure_pdf(document)
        invoice.number = document.number
        invoice.external_url = links.download_url(document.id, document.channel, guest=True)
        invoice.created = document.issued_at
        invoice.status = JobStatus.SUCCESS
        invoice.message = ""
    else:
        reasons = "; ".join(r.get("message", "") for r in document.review_reasons or [])
        invoice.number = None
        invoice.external_url = None
        invoice.status = JobStatus.FAILED
        invoice.message = (f"Held for review: {reasons}" if reasons else f"Document is {document.status}.")[:255]
    invoice.save()
    if document.host_invoice_id != str(invoice.pk):
        BillingDocument.objects.filter(pk=document.pk).update(host_invoice_id=str(invoice.pk))
        document.host_invoice_id = str(invoice.pk)


def document_for_invoice(invoice: Any) -> BillingDocument | None:
    """Our document behind a row: by its number, else by the row it shows or was requested for."""
    documents = BillingDocument.objects.filter(order_id=str(invoice.order_id), type=DocumentType.INVOICE)
    if invoice.number:
        found = documents.filter(number=invoice.number).first()
        if found is not None:
            return found
    return documents.filter(host_invoice_id=str(invoice.pk)).first() or documents.filter(
        trigger_key=str(manual_invoice_key(invoice.order_id, invoice.pk))).first()


def take_over(invoice: Any, document: BillingDocument) -> None:
    """A second "Generate invoice" for an order with an active invoice: the new row shows it, the older
    rows that showed it go, so that each number stays in one row."""
    others = Q(pk=int(document.host_invoice_id)) if document.host_invoice_id.isdigit() else Q(pk__in=[])
    if document.number:
        others |= Q(number=document.number)
    fill_invoice(invoice, document)
    for row in Invoice.objects.filter(others, order_id=invoice.order_id).exclude(pk=invoice.pk):
        delete_row(row)


def mirror(document: BillingDocument) -> None:
    """Issued, held or released: the invoice's row shows its state (created for auto-issued invoices)."""
    if document.type != DocumentType.INVOICE:
        return
    if document.host_invoice_id:
        invoice = Invoice.objects.filter(pk=int(document.host_invoice_id)).first() \
            if document.host_invoice_id.isdigit() else None
        if invoice is None:
            return  # the row was deleted in Saleor, and the document voided then
    elif TriggerKey.parse(document.trigger_key).is_manual:
        return  # invoice_request fills the row Saleor created for the request
    else:
        order = Order.objects.filter(pk=document.order_id).only("id").first()
        if order is None:
            return
        invoice = Invoice(order=order)
    shown_before = invoice.status == JobStatus.SUCCESS
    fill_invoice(invoice, document, render=False)
    if document.is_sendable and not shown_before:
        from saleor.order import events as order_events

        order_events.invoice_generated_event(order=invoice.order, user=None, app=None,
                                             invoice_number=document.number or "")


def delete_row(invoice: Any) -> None:
    setattr(invoice, _OURS, True)
    invoice.delete()


# --- invoiceRequestDelete ------------------------------------------------------------------------


def requested_deletion(invoice: Any, config: ChannelConfig) -> None:
    """Void our document (a credit note), mark the row DELETED, remove it once Saleor recorded the request."""
    from ...actions import void

    document = document_for_invoice(invoice)
    message = "Deleted."
    if document is not None and document.status != DocumentStatus.VOID:
        credit_note = void(document, reason="Invoice deleted in the Saleor dashboard", actor="saleor:invoice_delete",
                           config=config)
        message = f"Voided by credit note {credit_note.number}." if credit_note is not None and credit_note.number \
            else "Voided."
    Invoice.objects.filter(pk=invoice.pk).update(status=JobStatus.DELETED, message=message)
    invoice.status, invoice.message = JobStatus.DELETED, message
    if InvoiceEvent.objects.filter(invoice_id=invoice.pk, type=InvoiceEvents.REQUESTED_DELETION).exists():
        # The hook ran on commit, after Saleor's event: nothing points at the row any more but that event.
        _after_commit(lambda: _delete_marked(invoice.pk))


def _deletion_recorded(sender: Any, instance: InvoiceEvent, created: bool, **kwargs: Any) -> None:
    """Saleor recorded an invoiceRequestDelete: a row our hook marked DELETED can go now."""
    if not created or instance.type != InvoiceEvents.REQUESTED_DELETION or instance.invoice_id is None:
        return
    invoice_pk = instance.invoice_id
    _after_commit(lambda: _delete_marked(invoice_pk))


def _delete_marked(invoice_pk: int) -> None:
    with allow_writer():
        for row in Invoice.objects.filter(pk=invoice_pk, status=JobStatus.DELETED):
            delete_row(row)  # Saleor's events keep their history; their link becomes NULL (SET_NULL)


def _after_commit(work: Callable[[], None]) -> None:
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(work)
    else:
        work()


# --- invoiceDelete -------------------------------------------------------------------------------


def _row_deleted(sender: Any, instance: Invoice, **kwargs: Any) -> None:
    """invoiceDelete (or any deletion of a row we did not ask for): void what the row showed."""
    if getattr(instance, _OURS, False) or instance.order_id is None:
        return
    order_id, invoice_pk, number = instance.order_id, instance.pk, instance.number
    # On commit: a deletion that rolls back voids nothing.
    transaction.on_commit(lambda: void_for_deleted_row(order_id, invoice_pk, number))


def void_for_deleted_row(order_id: Any, invoice_pk: Any, number: str | None) -> BillingDocument | None:
    """Void the document a deleted row showed, with a credit note; staff are alerted if that fails."""
    from ...actions import void

    row = Invoice(pk=invoice_pk, order_id=order_id, number=number)
    try:
        with allow_writer():
            document = document_for_invoice(row)
            if document is None or document.status == DocumentStatus.VOID:
                return None
            config = config_for_channel(document.channel)
            if config is None:
                raise RuntimeError(f"channel {document.channel} has no usable SayPro Invoicing configuration")
            return void(document, reason="Invoice deleted in Saleor (invoiceDelete)", actor="saleor:invoice_delete",
                        config=config)
    except Exception as exc:  # noqa: BLE001 (Saleor's deletion has committed; staff must hear of it)
        logger.exception("saypro_invoicing: could not void the invoice behind deleted row %s", invoice_pk)
        with allow_writer():
            raise_alert(AlertKind.HOOK_FAILED, None,
                        f"Saleor's invoice row {number or invoice_pk} was deleted but our invoice could not be "
                        f"voided: {exc}. Void it with billingDocumentVoid.")
        return None


def config_for_channel(channel: str) -> ChannelConfig | None:
    """The channel's configuration, also where the plugin was switched off since the invoice was issued."""
    config = get_host().channel_config(channel)
    if config is not None:
        return config
    row = PluginConfiguration.objects.filter(identifier=PLUGIN_ID, channel__slug=channel).first()
    return channel_config_from(row.configuration, channel=channel, active=True) if row is not None else None


def connect() -> None:
    post_delete.connect(_row_deleted, sender=Invoice, dispatch_uid="saypro_invoicing_invoice_deleted")
    post_save.connect(_deletion_recorded, sender=InvoiceEvent, dispatch_uid="saypro_invoicing_invoice_delete_req")
