"""What Saleor's own root conftest.py does (fixture modules, replica DB trick), plus the suite's fixtures.

Saleor's root conftest lives outside its package, so a plugin's tests cannot load it; the lines
below mirror it (saleor 3.23: /conftest.py) using only modules that ship with the package.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django.test
import pytest
from django.conf import settings as django_settings
from saleor.tests.utils import prepare_test_db_connections

from tests import smtp

# Django's test cases use both the writer and the (mirrored) replica, as in Saleor's own suite.
_TEST_DATABASES = {django_settings.DATABASE_CONNECTION_DEFAULT_NAME, django_settings.DATABASE_CONNECTION_REPLICA_NAME}
django.test.TransactionTestCase.databases = _TEST_DATABASES
django.test.TestCase.databases = _TEST_DATABASES
prepare_test_db_connections()

pytest_plugins = [
    "saleor.tests.fixtures",
    "saleor.app.tests.fixtures",
    "saleor.plugins.tests.fixtures",
    "saleor.graphql.tests.fixtures",
    "saleor.webhook.tests.fixtures",
    "saleor.tax.tests.fixtures",
    "saleor.channel.tests.fixtures",
    "saleor.page.tests.fixtures",
    "saleor.menu.tests.fixtures",
    "saleor.warehouse.tests.fixtures",
    "saleor.thumbnail.tests.fixtures",
    "saleor.order.tests.fixtures",
    "saleor.product.tests.fixtures",
    "saleor.site.tests.fixtures",
    "saleor.shipping.tests.fixtures",
    "saleor.permission.tests.fixtures",
    "saleor.giftcard.tests.fixtures",
    "saleor.discount.tests.fixtures",
    "saleor.checkout.tests.fixtures",
    "saleor.attribute.tests.fixtures",
    "saleor.account.tests.fixtures",
    "saleor.graphql.account.tests.fixtures",
    "saleor.payment.tests.fixtures",
    "saleor.webhook.tests.circuit_breaker.fixtures",
]

smtp_server = smtp.smtp_server  # a real SMTP server on loopback

PLUGIN_PATH = "saypro_invoicing.hosts.saleor.plugin.SayproInvoicingPlugin"
PUBLIC_URL = "http://testserver"

SELLER_CONFIGURATION: dict[str, Any] = {
    "shop_name": "SayPro Test Shop",
    "seller_legal_name": "SayPro Test Shop Inc.",
    "seller_address": "1 Market Street\nSan Francisco\nUS",
    "seller_tax_id": "US-99-1234567",
    "from_email": "SayPro Test Shop <billing@shop.example>",
    "reply_to": "support@shop.example",
    "staff_alert_email": "staff@shop.example",
    "smtp_use_tls": False,
    "smtp_use_ssl": False,
    "email_backend": "smtp",
    "smtp_host": "127.0.0.1",
    "smtp_port": "1",  # replaced by the smtp_server fixture's port where a test sends mail
}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Overrides tests/conftest.py's: Saleor's settings have no SAYPRO_INVOICING of their own."""
    from tests.conftest import isolated_storage

    yield from isolated_storage(settings, tmp_path, {"PUBLIC_URL": PUBLIC_URL})


@pytest.fixture
def saypro_plugins(settings):
    """Saleor's test settings load no plugins: load ours."""
    settings.PLUGINS = [PLUGIN_PATH]
    return settings.PLUGINS


def configuration_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, "value": value} for name, value in values.items()]


@pytest.fixture
def activate_plugin(saypro_plugins, smtp_server):  # noqa: F811 (the fixture above)
    """activate_plugin(channel, **overrides) -> the PluginConfiguration row, SMTP pointed at the loopback server."""
    from saleor.plugins.models import PluginConfiguration

    from saypro_invoicing.hosts.saleor.plugin import PLUGIN_ID

    def activate(channel: Any, **overrides: Any) -> PluginConfiguration:
        values = {**SELLER_CONFIGURATION, "smtp_port": str(smtp_server.port), **overrides}
        row, _ = PluginConfiguration.objects.update_or_create(
            identifier=PLUGIN_ID, channel=channel,
            defaults={"active": True, "configuration": configuration_rows(values)},
        )
        return row

    return activate


@pytest.fixture
def saypro_channel(activate_plugin, channel_USD):
    activate_plugin(channel_USD)
    return channel_USD


@pytest.fixture
def orders_staff(staff_user, permission_manage_orders):
    """A staff member with MANAGE_ORDERS in a group with access to every channel (Saleor's usual set-up)."""
    from saleor.account.models import Group

    group = Group.objects.create(name="SayPro order managers", restricted_access_to_channels=False)
    group.permissions.add(permission_manage_orders)
    group.user_set.add(staff_user)
    return staff_user


@pytest.fixture
def orders_staff_api_client(orders_staff):
    from saleor.graphql.tests.fixtures import ApiClient

    return ApiClient(user=orders_staff)


def assert_totals_add_up(order: Any) -> None:
    """The fixture order is a real Saleor order: its lines and shipping make its total."""
    lines = sum((line.total_price_gross_amount for line in order.lines.all()), Decimal(0))
    assert lines + order.shipping_price_gross_amount == order.total_gross_amount
