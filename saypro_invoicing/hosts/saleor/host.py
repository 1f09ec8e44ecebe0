"""The Saleor host: what the core asks of Saleor (configuration, orders, customers, callers, invoices)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
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
from ...snapshot import OrderSnapshot
from ..protocol import ANONYMOUS, OrderRef, Requestor
from .adapters import load_order, order_snapshot, user_key
from .plugin import PLUGIN_ID, channel_config_from

if TYPE_CHECKING:
    from ...models import BillingDocument

logger = logging.getLogger("saypro_invoicing.saleor")

# Another process's save reaches this one's cache after at most this long (the saving process
# forgets at once, through the post_save signal); QuerySet.update() sends no signal either.
CONFIG_CACHE_SECONDS = 30.0


class SaleorHost:
    name = "saleor"

    def __init__(self) -> None:
        # channel -> (loaded at, parsed configuration or None, why an active configuration is unusable)
        self._configs: dict[str, tuple[float, ChannelConfig | None, str]] = {}
        self._configs_lock = threading.Lock()
        self._configs_generation = 0

    # --- configuration --------------------------------------------------------------------------

    def channel_config(self, channel: str) -> ChannelConfig | None:
        """The channel's parsed configuration, cached per process until Saleor saves a plugin configuration."""
        return self._cached_config(channel)[1]

    def channel_config_problem(self, channel: str) -> str:
        """Why the channel's active configuration cannot be used ("" when it can, or when inactive)."""
        return self._cached_config(channel)[2]

    def _cached_config(self, channel: str) -> tuple[float, ChannelConfig | None, str]:
        cached = self._configs.get(channel)
        if cached is not None and time.monotonic() - cached[0] < CONFIG_CACHE_SECONDS:
            return cached
        loaded_at, generation = time.monotonic(), self._configs_generation
        entry = (loaded_at, *self._load_channel_config(channel))
        with self._configs_lock:
            if generation == self._configs_generation:  # not forgotten while it was being read
                self._configs[channel] = entry
        return entry

    def forget_channel_configs(self) -> None:
        with self._configs_lock:
            self._configs_generation += 1
            self._configs.clear()

    def _load_channel_config(self, channel: str) -> tuple[ChannelConfig | None, str]:
        row = (PluginConfiguration.objects.filter(identifier=PLUGIN_ID, channel__slug=channel)
               .only("configuration", "active").first())
        if row is None or not row.active:
            return None, ""
        try:
            return channel_config_from(row.configuration, channel=channel, active=True), ""
        except ConfigValidationError as exc:
            # pluginUpdate validates what it saves; a row broken some other way must not issue wrong documents.
            logger.exception("saypro_invoicing: the plugin configuration of channel %s is invalid", channel)
            return None, f"the plugin configuration of channel {channel} is invalid: {exc}"

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
        """Invoices appear in Saleor's invoices card and ``order.invoices``: issued, held (FAILED) or released."""
        from .invoices import mirror

        mirror(document)

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

    def install_dashboard_app(self, manifest_url: str) -> Any:
        """Install or update the dashboard pages' app (command saypro_install_dashboard_app)."""
        from .dashboard_app import install

        return install(manifest_url)

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .schema import install

        install()
        from . import configuration, invoices

        invoices.connect()  # Saleor's invoiceDelete and invoiceRequestDelete reach us through signals
        configuration.connect()  # site settings the channels fall back to
        post_save.connect(_configuration_saved, sender=PluginConfiguration, dispatch_uid="saypro_invoicing_config")
        post_delete.connect(_configuration_saved, sender=PluginConfiguration,
                            dispatch_uid="saypro_invoicing_config_delete")


def _configuration_saved(sender: Any, instance: PluginConfiguration, **kwargs: Any) -> None:
    """pluginUpdate (or any save) of our configuration: forget the parsed copies, now and at commit."""
    if instance.identifier != PLUGIN_ID:
        return
    from django.db import transaction

    from .. import get_host

    host = get_host()
    forget = getattr(host, "forget_channel_configs", None)
    if forget is not None:
        forget()
        # A concurrent lookup between the save and the commit could cache the old row again.
        transaction.on_commit(forget)


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

