"""The Saleor host: what the core asks of Saleor (configuration, orders, customers, callers, invoices)."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt
from saleor.core.db.connection import allow_writer
from saleor.order import OrderStatus
from saleor.order.models import Order
from saleor.permission.enums import OrderPermissions
from saleor.permission.utils import has_one_of_permissions
from saleor.plugins.models import PluginConfiguration

from ...conf import ChannelConfig, ConfigValidationError
from ...errors import DocumentNotFound
from ...snapshot import DocumentType, OrderSnapshot
from ..protocol import ANONYMOUS, OrderRef, Requestor
from .adapters import load_order, order_snapshot, user_key
from .plugin import MANUAL_INVOICE_MARK, PLUGIN_ID, channel_config_from, fill_invoice

if TYPE_CHECKING:
    from ...models import BillingDocument

logger = logging.getLogger("saypro_invoicing.saleor")


class SaleorHost:
    name = "saleor"

    # --- configuration --------------------------------------------------------------------------

    def channel_config(self, channel: str) -> ChannelConfig | None:
        row = (PluginConfiguration.objects.filter(identifier=PLUGIN_ID, channel__slug=channel)
               .only("configuration", "active").first())
        if row is None or not row.active:
            return None
        try:
            return channel_config_from(row.configuration, channel=channel, active=True)
        except ConfigValidationError:
            # pluginUpdate validates what it saves; a row broken some other way must not issue wrong documents.
            logger.exception("saypro_invoicing: the plugin configuration of channel %s is invalid", channel)
            return None

    def active_channels(self) -> list[str]:
        return sorted(PluginConfiguration.objects.filter(identifier=PLUGIN_ID, active=True, channel__isnull=False)
                      .values_list("channel__slug", flat=True))

    # --- orders ---------------------------------------------------------------------------------

    def snapshot(self, order_id: str) -> OrderSnapshot:
        return order_snapshot(load_order(order_id))

    def orders_changed(self, channel: str, since: datetime, until: datetime) -> Iterable[OrderRef]:
        rows = (Order.objects.filter(channel__slug=channel, updated_at__gte=since, updated_at__lt=until)
                .exclude(status=OrderStatus.DRAFT).order_by("updated_at", "id").values_list("id", "updated_at"))
        for order_id, updated_at in rows.iterator(chunk_size=500):
            yield OrderRef(str(order_id), channel, updated_at)

    def customer_emails(self, order_id: str) -> list[str]:
        pk = _uuid(order_id)
        order = Order.objects.select_related("user").only("user_email", "user__email").filter(pk=pk).first() \
            if pk is not None else None
        if order is None:
            raise DocumentNotFound(f"Order {order_id} does not exist.")
        emails: list[str] = []
        for email in (order.user_email, order.user.email if order.user_id else ""):
            if email and email.lower() not in {e.lower() for e in emails}:
                emails.append(email)
        return emails

    # --- callers --------------------------------------------------------------------------------

    def requestor(self, request: Any) -> Requestor:
        """A Saleor JWT user or an app token, from a GraphQL context or a plain request (plugin path)."""
        from saleor.graphql.app.dataloaders import get_app_promise
        from saleor.graphql.context import get_context_value

        if not hasattr(request, "dataloaders"):
            request = get_context_value(request)
        try:
            app = get_app_promise(request).get()
            if app is not None:
                if not app.is_active:
                    return ANONYMOUS
                return Requestor(app_id=str(app.pk), channels=None,
                                 can_manage_orders=has_one_of_permissions(app, [OrderPermissions.MANAGE_ORDERS]))
            user = request.user
            if user is None or not getattr(user, "is_active", False):
                return ANONYMOUS
            user = getattr(user, "_wrapped", user)
        except jwt.PyJWTError:
            return ANONYMOUS
        manage = has_one_of_permissions(user, [OrderPermissions.MANAGE_ORDERS])
        return Requestor(user_id=user_key(user.pk), email=user.email, can_manage_orders=manage,
                         channels=_accessible_channels(user) if manage else frozenset())

    # --- invoices -------------------------------------------------------------------------------

    def document_issued(self, document: BillingDocument) -> None:
        """Auto-issued invoices appear in Saleor's invoices card and ``order.invoices`` too."""
        from saleor.invoice.models import Invoice
        from saleor.order import events as order_events

        # A "Generate invoice" request fills the row Saleor created for it (plugin.invoice_request).
        if document.type != DocumentType.INVOICE or MANUAL_INVOICE_MARK in document.trigger_key:
            return
        order = Order.objects.filter(pk=document.order_id).only("id").first()
        if order is None:
            return
        invoice = Invoice(order=order)
        fill_invoice(invoice, document, render=False)
        order_events.invoice_generated_event(order=order, user=None, app=None, invoice_number=document.number or "")

    def graphql_order(self, order_id: str, info: Any) -> Any:
        """Saleor's Order for BillingDocument.order, as Saleor's Order type expects it."""
        from saleor.graphql.core.context import SyncWebhookControlContext
        from saleor.graphql.order.dataloaders import OrderByIdLoader

        pk = _uuid(order_id)
        if pk is None:
            return None
        return OrderByIdLoader(info.context).load(pk).then(
            lambda order: SyncWebhookControlContext(order) if order is not None else None)

    # --- runtime --------------------------------------------------------------------------------

    def writer(self) -> contextlib.AbstractContextManager:
        """Saleor routes reads to replicas: task code that writes declares it (core tasks call this)."""
        return allow_writer()

    def ready(self) -> None:
        from .schema import install

        install()


def _accessible_channels(user: Any) -> frozenset[str] | None:
    """Channels a staff user may act on (Saleor's restricted access permission groups); None for all."""
    if getattr(user, "is_superuser", False):
        return None
    groups = list(user.groups.all().prefetch_related("channels"))
    if any(not group.restricted_access_to_channels for group in groups):
        return None
    return frozenset(channel.slug for group in groups for channel in group.channels.all())


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None

