"""What the core asks of the platform it runs in (Saleor, or the standalone sandbox)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.apps import apps
from django.utils.module_loading import import_string

from ..conf import ChannelConfig, setting

if TYPE_CHECKING:
    from ..models import BillingDocument
    from ..snapshot import OrderSnapshot


@dataclass(frozen=True)
class OrderRef:
    order_id: str
    channel: str
    updated_at: datetime


@dataclass(frozen=True)
class TriggerEvent:
    """A reason for a document: which order, which kind, and the event that called for it."""

    order_id: str
    channel: str
    type: str
    trigger_key: str
    event_at: datetime


@dataclass(frozen=True)
class Requestor:
    """Who is calling the API or the download view, as the host authenticated them."""

    user_id: str = ""
    email: str = ""
    can_manage_orders: bool = False
    app_id: str = ""
    channels: frozenset[str] | None = None  # None: every channel
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_anonymous(self) -> bool:
        return not (self.user_id or self.app_id)

    def may_see_channel(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


ANONYMOUS = Requestor()


@runtime_checkable
class Host(Protocol):
    name: str

    def channel_config(self, channel: str) -> ChannelConfig | None:
        """The channel's validated configuration, or None when the plugin is not active there."""

    def active_channels(self) -> list[str]: ...

    def snapshot(self, order_id: str) -> OrderSnapshot:
        """The order as it is now; raises DocumentNotFound for an unknown order."""

    def orders_changed(self, channel: str, since: datetime, until: datetime) -> Iterable[OrderRef]:
        """Orders of a channel created or updated in [since, until), oldest first."""

    def customer_emails(self, order_id: str) -> list[str]:
        """Every address known for the order's customer, the order's own first (for fallback)."""

    def requestor(self, request: Any) -> Requestor:
        """Authenticate an HTTP request or GraphQL context; ANONYMOUS when nobody is signed in."""

    def document_issued(self, document: BillingDocument) -> None:
        """Mirror a newly issued, held or released document into the host (Saleor: its Invoice row)."""


_host: Host | None = None


def default_host_path() -> str:
    if apps.is_installed("saleor.order") or apps.is_installed("saleor"):
        return "saypro_invoicing.hosts.saleor.host.SaleorHost"
    return "saypro_invoicing.hosts.sandbox.host.SandboxHost"


def get_host() -> Host:
    global _host
    if _host is None:
        _host = import_string(setting("HOST") or default_host_path())()
    return _host


def writer() -> contextlib.AbstractContextManager:
    """The host's write context: Saleor routes reads to replicas and wants code that writes to say so."""
    factory = getattr(get_host(), "writer", None)
    return factory() if callable(factory) else contextlib.nullcontext()


def reset_host() -> None:
    global _host
    _host = None
