"""The plugin is found the way Saleor finds plugins, and its configuration is Saleor's dashboard form."""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest
from django.apps import apps
from django.conf import settings

from .saleor_setup import PLUGIN_PATH

pytestmark = [pytest.mark.saleor]


def test_entry_point_is_discovered_by_saleor_settings():
    entry_points = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="saleor.plugins")}
    assert entry_points["saypro_invoicing"] == "saypro_invoicing.hosts.saleor.plugin:SayproInvoicingPlugin"

    # saleor/settings.py turns the entry point into an installed app and a plugin path.
    saleor_settings = importlib.import_module("saleor.settings")
    assert "saypro_invoicing" in saleor_settings.INSTALLED_APPS
    assert PLUGIN_PATH in saleor_settings.PLUGINS
    # The test settings (from ..settings import *) keep the app: our models are in Saleor's test database.
    assert "saypro_invoicing" in settings.INSTALLED_APPS
    assert apps.get_app_config("saypro_invoicing").get_model("BillingDocument") is not None


def test_the_saleor_host_is_chosen_inside_saleor():
    from saypro_invoicing.hosts import get_host
    from saypro_invoicing.hosts.saleor.host import SaleorHost

    assert isinstance(get_host(), SaleorHost)


PLUGINS = """
query { plugins(first: 50, filter: {search: "SayPro"}) { edges { node {
  id name
  channelConfigurations { active channel { slug } configuration { name type value } }
} } } }
"""
PLUGIN_UPDATE = """
mutation ($channel: ID!, $active: Boolean, $configuration: [ConfigurationItemInput!]) {
  pluginUpdate(id: "saypro.invoicing", channelId: $channel, input: {active: $active, configuration: $configuration}) {
    plugin { channelConfigurations { active channel { slug } configuration { name value } } }
    errors { field code message }
  }
}
"""


def _channel_id(channel):
    import graphene

    return graphene.Node.to_global_id("Channel", channel.pk)


def test_dashboard_lists_the_plugin_per_channel_with_its_form(saypro_plugins, staff_api_client,
                                                              permission_manage_plugins, channel_USD):
    from saleor.graphql.tests.utils import get_graphql_content

    from saypro_invoicing.conf import CONFIG_FIELDS

    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    nodes = [e["node"] for e in get_graphql_content(staff_api_client.post_graphql(PLUGINS))["data"]["plugins"]["edges"]]
    assert [(n["id"], n["name"]) for n in nodes] == [("saypro.invoicing", "SayPro Invoicing")]
    usd = next(c for c in nodes[0]["channelConfigurations"] if c["channel"]["slug"] == channel_USD.slug)
    assert usd["active"] is False  # off until the merchant turns it on
    types = {item["name"]: item["type"] for item in usd["configuration"]}
    assert set(types) == {f.name for f in CONFIG_FIELDS}
    assert types["smtp_password"] == "PASSWORD" and types["issue_receipts"] == "BOOLEAN"
    assert types["seller_address"] == "MULTILINE" and types["invoice_trigger"] == "STRING"


def test_plugin_update_validates_each_field_with_a_code(saypro_plugins, staff_api_client, permission_manage_plugins,
                                                        channel_USD):
    from saleor.graphql.tests.utils import get_graphql_content
    from saleor.plugins.models import PluginConfiguration

    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    bad = [{"name": "invoice_trigger", "value": "sometimes"}, {"name": "invoice_number_format", "value": "INV-{oops}"},
           {"name": "from_email", "value": "not-an-address"}]
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {"channel": _channel_id(channel_USD), "active": True,
                                                             "configuration": bad})
    errors = get_graphql_content(response)["data"]["pluginUpdate"]["errors"]
    # Keyed by field (Saleor camel-cases the names), every bad field at once.
    assert {(e["field"], e["code"]) for e in errors} == {
        ("invoiceTrigger", "INVALID"), ("invoiceNumberFormat", "INVALID"), ("fromEmail", "INVALID"),
        ("smtpHost", "REQUIRED"), ("sellerLegalName", "REQUIRED"), ("sellerAddress", "REQUIRED")}
    assert not PluginConfiguration.objects.filter(identifier="saypro.invoicing", active=True).exists()

    missing = [{"name": "from_email", "value": "billing@shop.example"}, {"name": "smtp_host", "value": ""}]
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {"channel": _channel_id(channel_USD), "active": True,
                                                             "configuration": missing})
    errors = get_graphql_content(response)["data"]["pluginUpdate"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("smtpHost", "REQUIRED"), ("sellerLegalName", "REQUIRED"), ("sellerAddress", "REQUIRED")}

    good = [{"name": "seller_legal_name", "value": "Shop Inc."},
            {"name": "seller_address", "value": "1 Main St\nBerlin\nDE"},
            {"name": "from_email", "value": "billing@shop.example"},
            {"name": "smtp_host", "value": "127.0.0.1"}, {"name": "invoice_trigger", "value": "confirmed"}]
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {"channel": _channel_id(channel_USD), "active": True,
                                                             "configuration": good})
    data = get_graphql_content(response)["data"]["pluginUpdate"]
    assert data["errors"] == []

    from saypro_invoicing.hosts import get_host

    config = get_host().channel_config(channel_USD.slug)
    assert config is not None and config.invoice_trigger == "confirmed" and config.seller.legal_name == "Shop Inc."
    assert get_host().active_channels() == [channel_USD.slug]


def test_saleors_celery_app_registers_our_tasks():
    # saleor/celeryconf.py autodiscovers "<plugin package>.tasks" for every entry of PLUGINS; Celery's own
    # lookup (find_related_module) is used here because the test settings empty PLUGINS.
    from celery.loaders.base import find_related_module
    from saleor.celeryconf import app
    from saleor.plugins import discover_plugins_modules

    saleor_settings = importlib.import_module("saleor.settings")
    for package in discover_plugins_modules(saleor_settings.PLUGINS):
        find_related_module(package, "tasks")
    names = {name for name in app.tasks if name.startswith("saypro_invoicing.")}
    assert {"saypro_invoicing.deliver_document", "saypro_invoicing.send_staff_alert",
            "saypro_invoicing.sweep", "saypro_invoicing.process_order_events"} <= names


def test_switching_off_always_works(saypro_plugins, staff_api_client, permission_manage_plugins, activate_plugin,
                                    channel_USD):
    from saleor.graphql.tests.utils import get_graphql_content

    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    row = activate_plugin(channel_USD)
    type(row).objects.filter(pk=row.pk).update(configuration=[{"name": "paper_size", "value": "A3"}])
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {"channel": _channel_id(channel_USD), "active": False})
    assert get_graphql_content(response)["data"]["pluginUpdate"]["errors"] == []
    row.refresh_from_db()
    assert row.active is False

    # Turning it on again checks every value.
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {"channel": _channel_id(channel_USD), "active": True})
    errors = get_graphql_content(response)["data"]["pluginUpdate"]["errors"]
    assert ("paperSize", "INVALID") in {(e["field"], e["code"]) for e in errors}
