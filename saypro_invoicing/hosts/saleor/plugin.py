"""The Saleor plugin: configuration per channel, order hooks, Saleor's invoice hooks, the HTTP path.

Hooks never break Saleor's own flow: a failure is logged, recorded as a staff alert and left
for the sweeper, which walks the same path (events -> issuing.sync_order) later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from saleor.core import JobStatus
from saleor.core.db.connection import allow_writer
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.error_codes import PluginErrorCode

from ... import links
from ...alerts import raise_alert
from ...conf import CONFIG_FIELDS, ChannelConfig, ConfigValidationError
from ...errors import ErrorCode
from ...issuing import issue, sync_order, void
from ...models import BillingDocument
from ...models.documents import DocumentStatus
from ...models.records import AlertKind
from ...snapshot import DocumentType
from ...triggers import Planned
from .adapters import load_order, order_snapshot

logger = logging.getLogger("saypro_invoicing.saleor")

PLUGIN_ID = "saypro.invoicing"
MANUAL_INVOICE_MARK = ":invoice:manual:"

_FIELD_TYPES = {
    "String": ConfigurationTypeField.STRING,
    "Multiline": ConfigurationTypeField.MULTILINE,
    "Boolean": ConfigurationTypeField.BOOLEAN,
    "Secret": ConfigurationTypeField.SECRET,
    "SecretMultiline": ConfigurationTypeField.SECRET_MULTILINE,
    "Password": ConfigurationTypeField.PASSWORD,
}
_REQUIRED_CODES = {ErrorCode.REQUIRED}


def configuration_values(configuration: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Saleor's stored [{name, value}, ...] as a mapping (unknown names are ignored by ChannelConfig)."""
    return {item["name"]: item.get("value") for item in configuration or [] if "name" in item}


def channel_config_from(configuration: list[dict[str, Any]] | None, *, channel: str, active: bool) -> ChannelConfig:
    """The one place a Saleor plugin configuration becomes our ChannelConfig (raises ConfigValidationError)."""
    return ChannelConfig.from_mapping(configuration_values(configuration), channel=channel, active=active)


def manual_invoice_key(order_id: Any, invoice_pk: Any) -> str:
    return f"{order_id}{MANUAL_INVOICE_MARK}{invoice_pk}"


class SayproInvoicingPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "SayPro Invoicing"
    PLUGIN_DESCRIPTION = (
        "Issues invoices, receipts and credit notes as gapless-numbered PDFs, delivers them by email "
        "and proves delivery within 24 hours."
    )
    CONFIGURATION_PER_CHANNEL = True
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = [{"name": f.name, "value": f.default} for f in CONFIG_FIELDS]
    CONFIG_STRUCTURE = {
        f.name: {"type": _FIELD_TYPES[f.type], "label": f.label, "help_text": f.help_text} for f in CONFIG_FIELDS
    }

    # --- configuration --------------------------------------------------------------------------

    @cached_property
    def config(self) -> ChannelConfig:
        """This channel's configuration, validated; raises ConfigValidationError when it is broken."""
        slug = self.channel.slug if self.channel is not None else "default"
        return channel_config_from(self.configuration, channel=slug, active=self.active)

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration: Any, **kwargs: Any) -> None:
        if not plugin_configuration.active:
            # As Saleor's email plugins do: switching off always works; values are checked on activation.
            return
        channel = getattr(plugin_configuration, "channel", None)
        try:
            channel_config_from(plugin_configuration.configuration, channel=channel.slug if channel else "default",
                                active=plugin_configuration.active)
        except ConfigValidationError as exc:
            raise ValidationError({
                name: ValidationError(message, code=(PluginErrorCode.REQUIRED if code in _REQUIRED_CODES
                                                     else PluginErrorCode.INVALID).value)
                for name, (message, code) in exc.errors.items()
            }) from exc

    # --- order hooks ----------------------------------------------------------------------------

    def order_created(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_created", previous_value)

    def order_confirmed(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_confirmed", previous_value)

    def order_paid(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_paid", previous_value)

    def order_fully_paid(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_fully_paid", previous_value)

    def order_fulfilled(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_fulfilled", previous_value)

    def order_refunded(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_refunded", previous_value)

    def order_fully_refunded(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_fully_refunded", previous_value)

    def order_cancelled(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        return self._order_changed(order, "order_cancelled", previous_value)

    def order_updated(self, order: Any, previous_value: Any, webhooks: Any = None) -> Any:
        # Partial charges and refunds reported without their own hook arrive here.
        return self._order_changed(order, "order_updated", previous_value)

    def _order_changed(self, order: Any, hook: str, previous_value: Any) -> Any:
        if not self.active:
            return previous_value
        self._guarded(hook, order, lambda: sync_order(order_snapshot(load_order(order.pk)), self.config))
        return previous_value

    def _guarded(self, hook: str, order: Any, work: Callable[[], Any]) -> Any:
        """Run our work in its own savepoint; on failure log, alert staff and let the sweeper repair."""
        try:
            with allow_writer(), transaction.atomic():
                return work()
        except Exception as exc:  # noqa: BLE001 (Saleor's flow must go on whatever broke here)
            logger.exception("saypro_invoicing: %s failed for order %s; the sweeper will retry", hook,
                             getattr(order, "number", order))
            self._alert(hook, order, exc)
            return None

    def _alert(self, hook: str, order: Any, exc: Exception) -> None:
        slug = self.channel.slug if self.channel is not None else ""
        try:
            with allow_writer():
                raise_alert(AlertKind.HOOK_FAILED, None,
                            f"{hook} failed for order {getattr(order, 'number', order)}: {exc}. "
                            "The sweeper will issue what is missing.", channel=slug)
        except Exception:  # noqa: BLE001
            logger.exception("saypro_invoicing: could not record the staff alert for %s", hook)

    # --- Saleor's invoices ----------------------------------------------------------------------

    def invoice_request(self, order: Any, invoice: Any, number: str | None, previous_value: Any) -> Any:
        """Dashboard "Generate invoice": issue now (or reuse the active invoice) and fill Saleor's row."""
        if not self.active:
            return previous_value

        def work() -> Any:
            snapshot = order_snapshot(load_order(order.pk))
            plan = Planned(DocumentType.INVOICE, manual_invoice_key(order.pk, invoice.pk), timezone.now(),
                           amount=snapshot.total_gross)
            document = issue(snapshot, self.config, plan, unless_active_invoice=True).document
            fill_invoice(invoice, document)
            return invoice

        filled = self._guarded("invoice_request", order, work)
        if filled is None:
            with allow_writer():
                invoice.status = JobStatus.FAILED
                invoice.message = "SayPro Invoicing could not issue the invoice; staff were alerted."
                invoice.save(update_fields=["status", "message", "updated_at"])
        return invoice

    def invoice_delete(self, invoice: Any, previous_value: Any) -> Any:
        """Saleor deletes its row; our issued document is voided by a credit note, never deleted."""
        if not self.active or invoice.order_id is None:
            return previous_value

        def work() -> None:
            document = document_for_invoice(invoice)
            if document is not None and document.status != DocumentStatus.VOID:
                snapshot = order_snapshot(load_order(invoice.order_id))
                void(document, self.config, snapshot, reason="Invoice deleted in the Saleor dashboard")
            # invoiceRequestDelete leaves the row PENDING for the plugin to delete; the voided document
            # and its credit note remain ours, reachable through the API and the signed links.
            type(invoice).objects.filter(pk=invoice.pk).delete()

        self._guarded("invoice_delete", invoice.order, work)
        return previous_value

    def invoice_sent(self, invoice: Any, email: str, previous_value: Any) -> Any:
        """Dashboard "Send invoice": the same delivery pipeline and record as every other send."""
        if not self.active:
            return previous_value

        def work() -> None:
            from ...delivery.resend import resend

            document = document_for_invoice(invoice)
            if document is not None:
                resend(document, email=email, requested_by="saleor:invoice_sent")

        self._guarded("invoice_sent", invoice.order, work)
        return previous_value

    # --- HTTP -----------------------------------------------------------------------------------

    def webhook(self, request: Any, path: str, previous_value: Any) -> Any:
        from ...http import dispatch

        return dispatch(request, path or "")


def fill_invoice(invoice: Any, document: BillingDocument, *, render: bool = True) -> None:
    """Saleor's Invoice row shows our document: number, signed link, SUCCESS (or FAILED with the reasons).

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
        invoice.status = JobStatus.FAILED
        invoice.message = f"Held for review: {reasons}"[:255] if reasons else f"Document is {document.status}."
    invoice.save()
    if not document.host_invoice_id:
        BillingDocument.objects.filter(pk=document.pk, host_invoice_id="").update(host_invoice_id=str(invoice.pk))
        document.host_invoice_id = str(invoice.pk)


def document_for_invoice(invoice: Any) -> BillingDocument | None:
    """Our document behind a Saleor Invoice row: by its number, else by the row it was issued for."""
    documents = BillingDocument.objects.filter(order_id=str(invoice.order_id), type=DocumentType.INVOICE)
    if invoice.number:
        found = documents.filter(number=invoice.number).first()
        if found is not None:
            return found
    return documents.filter(host_invoice_id=str(invoice.pk)).first() or documents.filter(
        trigger_key=manual_invoice_key(invoice.order_id, invoice.pk)).first()
