from __future__ import annotations

from django.apps import AppConfig


class SayproInvoicingConfig(AppConfig):
    name = "saypro_invoicing"
    label = "saypro_invoicing"
    verbose_name = "SayPro Invoicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .hosts import get_host

        # The host installs what it needs at start-up (Saleor: our fields in its GraphQL schema).
        host = get_host()
        ready = getattr(host, "ready", None)
        if ready is not None:
            ready()
