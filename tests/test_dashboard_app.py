"""The Saleor app the plugin serves: manifest, install callback, page shell, assets, inline PDF.

Manifest rules are Saleor 3.23's (saleor/app/manifest_schema.py, manifest_validations.py): required id,
version, name, about, tokenTargetUrl; extension permissions among the app's. Saleor's dashboard frames an
APP_PAGE extension at urlJoin(appUrl, url) and other targets at their absolute url.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from saypro_invoicing import links
from saypro_invoicing.dashboard.views import ASSET_DIR

ROOT = "/plugins/channel/default-channel/saypro.invoicing/"
# Saleor 3.23's AppExtensionMount values used here and its AppExtensionTarget values.
SALEOR_MOUNTS = {"NAVIGATION_ORDERS", "ORDER_DETAILS_WIDGETS", "ORDER_DETAILS_MORE_ACTIONS"}
SALEOR_TARGETS = {"POPUP", "APP_PAGE", "NEW_TAB", "WIDGET"}

built = pytest.mark.skipif(not (ASSET_DIR / "index.html").is_file(),
                           reason="dashboard pages not built (make frontend)")


def test_manifest_follows_saleors_rules(client, db, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "PUBLIC_URL": "http://shop.example:8000/"}
    # URLs come from PUBLIC_URL, not from the Host Saleor's HTTP client sends (an IP, no port).
    response = client.get(ROOT + "dashboard/manifest", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    manifest = response.json()
    for required in ("id", "version", "name", "about", "tokenTargetUrl"):
        assert manifest[required], required
    assert manifest["permissions"] == ["MANAGE_ORDERS"]
    assert manifest["tokenTargetUrl"] == f"http://shop.example:8000{ROOT}dashboard/register"
    app_url = manifest["appUrl"]
    assert app_url == f"http://shop.example:8000{ROOT}dashboard/app"
    mounts = {e["mount"] for e in manifest["extensions"]}
    assert mounts == SALEOR_MOUNTS
    for extension in manifest["extensions"]:
        assert extension["target"] in SALEOR_TARGETS
        assert set(extension["permissions"]) <= set(manifest["permissions"])
        url = urlsplit(extension["url"])
        if extension["target"] == "APP_PAGE":
            assert not url.scheme and extension["url"].startswith("/")
        else:
            assert url.scheme == "http" and url.netloc == "shop.example:8000"
    widget = next(e for e in manifest["extensions"] if e["mount"] == "ORDER_DETAILS_WIDGETS")
    assert widget["target"] == "WIDGET" and widget["options"] == {"widgetTarget": {"method": "GET"}}
    # Every extension URL, as the dashboard frames it, is a page the plugin serves.
    framed = [app_url.rstrip("/") + e["url"] if e["target"] == "APP_PAGE" else e["url"]
              for e in manifest["extensions"]] + [app_url]
    for url in framed:
        path = urlsplit(url).path
        assert path.startswith(ROOT + "dashboard/app"), url
        if (ASSET_DIR / "index.html").is_file():
            assert client.get(path + "?saleorApiUrl=x").status_code == 200, url


def test_register_accepts_saleors_token_post_only(client, db):
    url = ROOT + "dashboard/register"
    assert client.get(url).status_code == 405
    assert client.post(url, data="{}", content_type="application/json").status_code == 400
    response = client.post(url, data=json.dumps({"auth_token": "abc"}), content_type="application/json")
    assert response.status_code == 200 and response.json() == {"success": True}


@built
def test_pages_share_one_shell_with_absolute_asset_paths(client, db):
    for page in ("", "/", "/documents", "/review", "/corrections", "/sla", "/order-widget", "/order-documents"):
        response = client.get(ROOT + f"dashboard/app{page}?saleorApiUrl=http://x/graphql/")
        assert response.status_code == 200, page
        html = response.content.decode()
        assert f'src="{ROOT}dashboard/assets/app.js"' in html
        assert f'data-app-root="{ROOT}dashboard/app/"' in html
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response
    detail = client.get(ROOT + "dashboard/app/documents/QmlsbGluZ0RvY3VtZW50OjE=")
    assert detail.status_code == 200
    assert client.get(ROOT + "dashboard/app/unknown").status_code == 404


@built
def test_assets_are_served_and_names_are_checked(client, db):
    script = client.get(ROOT + "dashboard/assets/app.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert b"".join(script.streaming_content).startswith((b"(()=>", b"\"use strict\"", b"(function"))
    assert client.get(ROOT + "dashboard/assets/app.css")["Content-Type"].startswith("text/css")
    assert client.get(ROOT + "dashboard/assets/inter-var.woff2").status_code == 200
    assert client.get(ROOT + "dashboard/assets/..%2Fmanifest.py").status_code == 404
    assert client.get(ROOT + "dashboard/assets/missing.js").status_code == 404


def test_inline_pdf_needs_a_valid_signed_token(client, shop):
    invoice = shop.docs["a_invoice"]
    token = links.make_token(invoice.id)
    response = client.get(ROOT + f"dashboard/pdf/{token}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(ROOT + f"dashboard/pdf/{token[:-3]}xyz/").status_code == 403
    held = shop.docs["a_held"]
    assert client.get(ROOT + f"dashboard/pdf/{links.make_token(held.id)}/").status_code == 404


def test_install_command_explains_that_the_sandbox_has_no_app_registry(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no app registry"):
        call_command("saypro_install_dashboard_app")
