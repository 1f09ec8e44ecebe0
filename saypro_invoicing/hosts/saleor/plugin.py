"""The Saleor plugin: configuration per channel, order hooks, Saleor's invoice hooks, the HTTP path.

Order hooks only record: one ``OrderEvent`` row and one queued task per order and mutation
(saypro_invoicing.inbox); a worker issues the documents. Hooks never break Saleor's own flow: a
failure is logged, recorded as a staff alert and left for the sweeper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone
from saleor.core import JobStatus
from saleor.core.db.connection import allow_writer
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField

from ... import inbox
from ...alerts import raise_alert
from ...conf import CONFIG_FIELDS, ChannelConfig
from ...issuing import issue
from ...models.records import AlertKind
from ...snapshot import DocumentType
from ...triggers import Planned
from . import configuration, invoices
from .adapters import load_order, order_snapshot
from .configuration import PLUGIN_ID, channel_config_from, configuration_values
from .invoices import document_for_invoice, fill_invoice, manual_invoice_key

logger = logging.getLogger("saypro_invoicing.saleor")

# Re-exported: the host and the tests name them through this module.
__all__ = ["PLUGIN_ID", "SayproInvoicingPlugin", "channel_config_from", "configuration_values",
           "document_for_invoice", "fill_invoice", "manual_invoice_key"]

_FIELD_TYPES = {
    "String": ConfigurationTypeField.STRING,
    "Multiline": ConfigurationTypeField.MULTILINE,
    "Boolean": ConfigurationTypeField.BOOLEAN,
    "Secret": ConfigurationTypeField.SECRET,
    "SecretMultiline": ConfigurationTypeField.SECRET_MULTILINE,
    "Password": ConfigurationTypeField.PASSWORD,
}


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
        """pluginUpdate: activation needs every required field, after Saleor's site settings filled in."""
        configuration.validate_activation(plugin_configuration)

    @classmethod
    def pre_save_plugin_configuration(cls, plugin_configuration: Any) -> None:
        configuration.record_activation(plugin_configuration)

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

    def order_bulk_created(self, orders: list[Any], previous_value: Any, webhooks: Any = None) -> Any:
        # orderBulkCreate imports orders (with their payments) without calling order_created per order.
        if self.active:
            for order in orders:
                if order.channel_id == getattr(self.channel, "pk", order.channel_id):
                    self._order_changed(order, "order_created", previous_value)
        return previous_value

    def _order_changed(self, order: Any, hook: str, previous_value: Any) -> Any:
        """Record the event and queue its processing: the request pays one INSERT, the worker the rest."""
        if not self.active:
            return previous_value
        try:
            # Saleor mostly calls its order hooks after the commit (autocommit); inside a transaction
            # a savepoint keeps a failed INSERT from breaking Saleor's own.
            savepoint = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
            with allow_writer(), savepoint:
                inbox.record(str(order.pk), hook, channel=self.channel.slug if self.channel is not None else "")
        except Exception as exc:  # noqa: BLE001 (Saleor's flow must go on; the sweeper repairs)
            logger.exception("saypro_invoicing: could not record %s for order %s", hook,
                             getattr(order, "number", order))
            self._alert(hook, order, exc)
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
        """Dashboard "Generate invoice": issue now (or reuse the active invoice) and show it in this row."""
        if not self.active:
            return previous_value

        def work() -> Any:
            snapshot = order_snapshot(load_order(order.pk))
            plan = Planned(DocumentType.INVOICE, manual_invoice_key(order.pk, invoice.pk), timezone.now(),
                           amount=snapshot.total_gross)
            document = issue(snapshot, self.config, plan, unless_active_invoice=True).document
            invoices.take_over(invoice, document)
            return invoice

        filled = self._guarded("invoice_request", order, work)
        if filled is None:
            with allow_writer():
                invoice.status = JobStatus.FAILED
                invoice.message = "SayPro Invoicing could not issue the invoice; staff were alerted."
                invoice.save(update_fields=["status", "message", "updated_at"])
        return invoice

    def invoice_delete(self, invoice: Any, previous_value: Any) -> Any:
        """invoiceRequestDelete: our document is voided by a credit note (never deleted); Saleor's row goes
        once Saleor has recorded the request (hosts/saleor/invoices.py)."""
        if not self.active or invoice.order_id is None:
            return previous_value
        def void_and_mark() -> bool:
            invoices.requested_deletion(invoice, self.config)
            return True

        done = self._guarded("invoice_delete", invoice.order, void_and_mark)
        if done is None:
            with allow_writer():
                invoice.status = JobStatus.FAILED
                invoice.message = "SayPro Invoicing could not void the invoice; staff were alerted."
                invoice.save(update_fields=["status", "message", "updated_at"])
        return previous_value

    def invoice_sent(self, invoice: Any, email: str, previous_value: Any) -> Any:
        """Dashboard "Send invoice": the same delivery pipeline and record as every other send."""
        if not self.active:
            return previous_value

        def work() -> None:
            from ...actions import resend

            document = document_for_invoice(invoice)
            if document is not None:
                resend(document, email=email, actor="saleor:invoice_sent")

        self._guarded("invoice_sent", invoice.order, work)
        return previous_value

    # --- HTTP -----------------------------------------------------------------------------------

    def webhook(self, request: Any, path: str, previous_value: Any) -> Any:
        from ...http import dispatch

        return dispatch(request, path or "")
