"""Install or update the dashboard pages' Saleor app from the manifest the plugin serves (idempotent).

A first run does what Saleor's own ``install_app`` command and ``appInstall`` mutation do
(saleor.app.installation_utils.install_app: fetch and validate the manifest, create the App with its
permissions and extensions, post a token to tokenTargetUrl). Later runs update the installed App in
place (name, about, version, URLs, permissions, extensions) instead of failing on the identifier that is
already taken, so the command can run on every deployment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.app.installation_utils import fetch_manifest, install_app
from saleor.app.management.commands.utils import clean_permissions
from saleor.app.manifest_validations import _clean_extensions, clean_manifest_url
from saleor.app.models import App, AppExtension, AppInstallation
from saleor.core import JobStatus
from saleor.core.db.connection import allow_writer


@dataclass(frozen=True)
class Installed:
    app_id: int
    name: str
    created: bool
    extensions: int


def _http_target_method(options: dict[str, Any]) -> str | None:
    # Saleor 3.23 still fills its deprecated column from the options, as install_app does.
    for key in ("newTabTarget", "widgetTarget"):
        target = options.get(key)
        if isinstance(target, dict) and "method" in target:
            return target["method"]
    return None


def _replace_extensions(app: App, manifest: dict[str, Any], permissions: list[Any]) -> int:
    errors: defaultdict[str, list[ValidationError]] = defaultdict(list)
    _clean_extensions(manifest, permissions, errors)
    if errors:
        raise ValidationError(dict(errors))
    app.extensions.all().delete()
    for data in manifest.get("extensions", []):
        options = data.get("options", {}) or {}
        extension = AppExtension.objects.create(
            app=app, label=data["label"], url=data["url"], mount=data["mount"], target=data["target"],
            http_target_method=_http_target_method(options), settings=options, identifier=data.get("identifier"))
        extension.permissions.set(data.get("permissions", []))
    return len(manifest.get("extensions", []))


def install(manifest_url: str, *, activate: bool = True) -> Installed:
    try:
        clean_manifest_url(manifest_url)
    except ValidationError as exc:
        raise ValueError(f"Not a valid manifest URL: {manifest_url}") from exc
    manifest = fetch_manifest(manifest_url, max_retries=2)
    permissions = list(clean_permissions(manifest.get("permissions", [])))
    with allow_writer():
        app = App.objects.not_removed().filter(identifier=manifest.get("id")).first()
        if app is None:
            installation = AppInstallation.objects.create(app_name=manifest["name"], manifest_url=manifest_url)
            installation.permissions.set(permissions)
            try:
                app, _token = install_app(installation, activate)
            except Exception:
                installation.status = JobStatus.FAILED
                installation.save(update_fields=["status"])
                raise
            app.is_installed = True
            app.save(update_fields=["is_installed"])
            installation.delete()
            return Installed(app.pk, app.name, True, app.extensions.count())
        with transaction.atomic():
            app.name = manifest["name"]
            app.about_app = manifest.get("about")
            app.version = manifest.get("version")
            app.app_url = manifest.get("appUrl")
            app.manifest_url = manifest_url
            app.author = manifest.get("author")
            app.save(update_fields=["name", "about_app", "version", "app_url", "manifest_url", "author"])
            app.permissions.set(permissions)
            count = _replace_extensions(app, manifest, permissions)
        return Installed(app.pk, app.name, False, count)
