"""The dashboard pages' app in real Saleor: the install command installs it from the manifest the plugin
serves on a live server (Saleor fetches it and posts the app token to tokenTargetUrl), a second run
updates it in place, and the token Saleor's dashboard hands an extension reads the pages' GraphQL."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.saleor]

DASHBOARD_LIST = "{ billingDocumentDashboardList(first: 5) { totalCount } billingDocumentChannels }"


@pytest.mark.django_db(transaction=True)
def test_install_command_installs_then_updates_the_app(live_server, settings, saypro_channel, orders_staff,
                                                       client):
    from saleor.app.models import App
    from saleor.core.jwt import create_access_token_for_app_extension

    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "PUBLIC_URL": live_server.url}
    root = f"{live_server.url}/plugins/channel/{saypro_channel.slug}/saypro.invoicing/dashboard/"
    out = io.StringIO()
    call_command("saypro_install_dashboard_app", "--channel", saypro_channel.slug, stdout=out)
    assert out.getvalue().startswith("Installed app 'SayPro Invoicing'")

    app = App.objects.get(identifier="saypro.invoicing")
    assert app.is_active and app.is_installed and app.app_url == root + "app"
    assert app.manifest_url == root + "manifest"
    assert [p.codename for p in app.permissions.all()] == ["manage_orders"]
    assert app.tokens.count() == 1  # posted to our tokenTargetUrl, which answered 200
    extensions = {(e.mount, e.target, e.url) for e in app.extensions.all()}
    assert extensions == {
        ("navigation_orders", "app_page", "/documents"), ("navigation_orders", "app_page", "/review"),
        ("navigation_orders", "app_page", "/corrections"), ("navigation_orders", "app_page", "/sla"),
        ("order_details_widgets", "widget", root + "app/order-widget"),
        ("order_details_more_actions", "popup", root + "app/order-documents"),
    }
    widget = app.extensions.get(mount="order_details_widgets")
    assert widget.http_target_method == "GET" and widget.settings == {"widgetTarget": {"method": "GET"}}

    # An older install lost an extension: a second run restores it in place, no second app.
    app.extensions.filter(mount="order_details_more_actions").delete()
    out = io.StringIO()
    call_command("saypro_install_dashboard_app", "--channel", saypro_channel.slug, stdout=out)
    assert out.getvalue().startswith("Updated app 'SayPro Invoicing'")
    assert App.objects.filter(identifier="saypro.invoicing").count() == 1
    assert app.extensions.count() == 6

    widget = app.extensions.get(mount="order_details_widgets")  # recreated by the update
    # The token the dashboard gives an extension (a JWT for the signed-in staff member, limited to the
    # app's permissions) is what the pages send to /graphql/.
    token = create_access_token_for_app_extension(
        widget, widget.permissions.all(), orders_staff, app)
    response = client.post("/graphql/", data=json.dumps({"query": DASHBOARD_LIST}), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    data = response.json()
    assert "errors" not in data, data
    assert data["data"]["billingDocumentDashboardList"]["totalCount"] == 0
    assert data["data"]["billingDocumentChannels"] == []

    page = client.get(f"/plugins/channel/{saypro_channel.slug}/saypro.invoicing/dashboard/app/documents")
    assert page.status_code == 200 and b"dashboard/assets/app.js" in page.content
