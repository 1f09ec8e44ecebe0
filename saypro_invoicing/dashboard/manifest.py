"""The Saleor app manifest the plugin serves: what Saleor's appInstall reads.

Field names and rules follow Saleor 3.23 (saleor/app/manifest_schema.py, manifest_validations.py): id,
version, name, about and tokenTargetUrl are required; extension permissions must be among the app's.
An APP_PAGE extension's url is a path below appUrl: Saleor's dashboard opens it at
/apps/<id>/app/<path> and frames urlJoin(appUrl, <path>) (saleor-dashboard src/apps/urls.ts,
getAppCompleteUrlFromDashboardUrl). Widgets and popups get absolute URLs (Saleor would stitch a relative
popup path onto appUrl's parent).
"""

from __future__ import annotations

from typing import Any

APP_ID = "saypro.invoicing"
APP_NAME = "SayPro Invoicing"
PERMISSIONS = ["MANAGE_ORDERS"]
REQUIRED_SALEOR_VERSION = ">=3.21"
PAGES = ("documents", "review", "corrections", "sla", "order-widget", "order-documents")

# (label, mount, target, page): the pages staff reach from Saleor's dashboard.
EXTENSIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Billing documents", "NAVIGATION_ORDERS", "APP_PAGE", "documents"),
    ("Billing review queue", "NAVIGATION_ORDERS", "APP_PAGE", "review"),
    ("Billing corrections", "NAVIGATION_ORDERS", "APP_PAGE", "corrections"),
    ("Billing SLA report", "NAVIGATION_ORDERS", "APP_PAGE", "sla"),
    ("Billing documents", "ORDER_DETAILS_WIDGETS", "WIDGET", "order-widget"),
    ("Billing documents", "ORDER_DETAILS_MORE_ACTIONS", "POPUP", "order-documents"),
)


def app_root(plugin_root: str) -> str:
    """Absolute URL of the app's pages below the plugin's HTTP root (which ends with a slash)."""
    return plugin_root.rstrip("/") + "/dashboard/"


def app_url(plugin_root: str) -> str:
    return f"{app_root(plugin_root)}app"


def page_url(plugin_root: str, page: str) -> str:
    return f"{app_url(plugin_root)}/{page}"


def build_manifest(plugin_root: str, version: str) -> dict[str, Any]:
    root = app_root(plugin_root)
    extensions = []
    for label, mount, target, page in EXTENSIONS:
        url = f"/{page}" if target == "APP_PAGE" else page_url(plugin_root, page)
        extension: dict[str, Any] = {"label": label, "mount": mount, "target": target, "url": url,
                                     "permissions": list(PERMISSIONS)}
        if target == "WIDGET":
            # GET keeps the App Bridge handshake (a POST form would hand the token in the body instead).
            extension["options"] = {"widgetTarget": {"method": "GET"}}
        extensions.append(extension)
    return {
        "id": APP_ID,
        "version": version,
        "name": APP_NAME,
        "about": "Invoices, receipts and credit notes for every order: documents, deliveries, review and "
                 "correction queues, and the 24-hour delivery report.",
        "author": "SayPro",
        "permissions": list(PERMISSIONS),
        "appUrl": app_url(plugin_root),
        "tokenTargetUrl": f"{root}register",
        "requiredSaleorVersion": REQUIRED_SALEOR_VERSION,
        "extensions": extensions,
        "webhooks": [],
    }
