"""Install (or update) the dashboard pages as a Saleor app: idempotent, run it after every upgrade.

    python manage.py saypro_install_dashboard_app [--channel default-channel] [--manifest-url URL]

The manifest is the plugin's own (served at <PUBLIC_URL>/plugins/channel/<channel>/saypro.invoicing/
dashboard/manifest); Saleor's API must be running and reachable at that URL, because Saleor fetches it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import links
from ...hosts import get_host


class Command(BaseCommand):
    help = "Install or update the SayPro Invoicing dashboard app in Saleor (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", help="Channel whose plugin path serves the app (default: the first "
                                              "channel where the plugin is active).")
        parser.add_argument("--manifest-url", help="Manifest URL (default: from PUBLIC_URL and PLUGIN_PATH).")

    def handle(self, *args: Any, **options: Any) -> None:
        host = get_host()
        install = getattr(host, "install_dashboard_app", None)
        if install is None:
            raise CommandError(f"The {host.name} host has no app registry; the pages are served at "
                               f"{links.plugin_url('<channel>', 'dashboard/app')}.")
        manifest_url = options.get("manifest_url")
        if not manifest_url:
            channel = options.get("channel") or next(iter(host.active_channels()), None)
            if not channel:
                raise CommandError("The plugin is active in no channel: activate it, or pass --channel.")
            manifest_url = links.plugin_url(channel, "dashboard/manifest")
        try:
            installed = install(manifest_url)
        except (ValueError, OSError) as exc:
            raise CommandError(f"Could not install the app from {manifest_url}: {exc}") from exc
        verb = "Installed" if installed.created else "Updated"
        self.stdout.write(f"{verb} app {installed.name!r} (id {installed.app_id}) with {installed.extensions} "
                          f"extensions from {manifest_url}")
