from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from ...conf import ChannelConfig
from ...errors import DocumentNotFound
from ...snapshot import OrderSnapshot, from_json
from ..protocol import ANONYMOUS, OrderRef, Requestor
from .models import SandboxApp, SandboxChannel, SandboxOrder

if TYPE_CHECKING:
    from ...models import BillingDocument

MANAGE_ORDERS = "saypro_sandbox.manage_orders"


class SandboxHost:
    name = "sandbox"

    def channel_config(self, channel: str) -> ChannelConfig | None:
        row = SandboxChannel.objects.filter(slug=channel, active=True).first()
        if row is None:
            return None
        return ChannelConfig.from_mapping(row.configuration, channel=channel, active=row.active)

    def active_channels(self) -> list[str]:
        return list(SandboxChannel.objects.filter(active=True).order_by("slug").values_list("slug", flat=True))

    def snapshot(self, order_id: str) -> OrderSnapshot:
        row = SandboxOrder.objects.filter(pk=order_id).first()
        if row is None:
            raise DocumentNotFound(f"Order {order_id} does not exist.")
        return from_json(OrderSnapshot, row.data)

    def orders_changed(self, channel: str, since: datetime, until: datetime) -> Iterable[OrderRef]:
        rows = (SandboxOrder.objects.filter(channel=channel, updated_at__gte=since, updated_at__lt=until)
                .order_by("updated_at", "id").values_list("id", "channel", "updated_at"))
        for order_id, slug, updated_at in rows.iterator(chunk_size=500):
            yield OrderRef(str(order_id), slug, updated_at)

    def customer_emails(self, order_id: str) -> list[str]:
        snapshot = self.snapshot(order_id)
        emails = [snapshot.customer_email] if snapshot.customer_email else []
        if snapshot.customer_user_id:
            user = get_user_model().objects.filter(pk=snapshot.customer_user_id).first()
            if user is not None and user.email and user.email.lower() not in {e.lower() for e in emails}:
                emails.append(user.email)
        return emails

    def requestor(self, request: Any) -> Requestor:
        header = request.META.get("HTTP_AUTHORIZATION", "") if hasattr(request, "META") else ""
        if header.lower().startswith("bearer "):
            app = SandboxApp.objects.filter(token=header[7:].strip()).first()
            if app is None:
                return ANONYMOUS
            return Requestor(app_id=str(app.pk), can_manage_orders=app.manage_orders)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return ANONYMOUS
        return Requestor(user_id=str(user.pk), email=user.email, can_manage_orders=user.has_perm(MANAGE_ORDERS))

    def document_issued(self, document: BillingDocument) -> None:
        # The sandbox has no invoice table of its own to mirror into.
        return None
