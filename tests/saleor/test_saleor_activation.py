"""Activation in Saleor: required fields (after Saleor's site settings), the activation time, and a shop's
history issued only through the backfill command, following each order's history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from django.utils import timezone
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.models import PluginConfiguration

from saypro_invoicing.hosts import get_host
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.sla.backfill import backfill

from .saleor_setup import SELLER_CONFIGURATION

pytestmark = [pytest.mark.saleor]

PLUGIN_UPDATE = """
mutation ($channel: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: "saypro.invoicing", channelId: $channel, input: $input) {
    plugin { channelConfigurations { active channel { slug } configuration { name value } } }
    errors { field code message }
  }
}
"""
TRANSACTION_CREATE = """
mutation ($id: ID!, $transaction: TransactionCreateInput!) {
  transactionCreate(id: $id, transaction: $transaction) { transaction { id } errors { field code message } }
}
"""
EVENT_REPORT = """
mutation ($id: ID!, $type: TransactionEventTypeEnum!, $amount: PositiveDecimal!, $psp: String!) {
  transactionEventReport(id: $id, type: $type, amount: $amount, pspReference: $psp, availableActions: [REFUND]) {
    errors { field code message }
  }
}
"""


def _update(client, channel, *, active=None, values=None) -> dict:
    payload: dict = {"configuration": [{"name": k, "value": v} for k, v in (values or {}).items()]}
    if active is not None:  # as the dashboard's form: "active" only when the switch moved
        payload["active"] = active
    variables = {"channel": graphene.Node.to_global_id("Channel", channel.pk), "input": payload}
    return get_graphql_content(client.post_graphql(PLUGIN_UPDATE, variables))["data"]["pluginUpdate"]


@pytest.fixture
def plugins_staff(saypro_plugins, staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


def test_bare_activation_is_refused_with_each_missing_field(plugins_staff, channel_USD, site_settings):
    site_settings.default_mail_sender_address = None
    site_settings.save(update_fields=["default_mail_sender_address"])

    data = _update(plugins_staff, channel_USD, active=True)

    assert {(e["field"], e["code"]) for e in data["errors"]} == {
        ("sellerLegalName", "REQUIRED"), ("sellerAddress", "REQUIRED"), ("fromEmail", "REQUIRED")}
    assert all("Required to activate" in e["message"] for e in data["errors"])
    assert not PluginConfiguration.objects.filter(identifier="saypro.invoicing", active=True).exists()
    assert get_host().channel_config(channel_USD.slug) is None

    # The site's default sender counts: with it, only the seller is missing.
    site_settings.default_mail_sender_address = "shop@example.com"
    site_settings.save(update_fields=["default_mail_sender_address"])
    data = _update(plugins_staff, channel_USD, active=True, values={"smtp_host": "127.0.0.1"})
    assert {(e["field"], e["code"]) for e in data["errors"]} == {
        ("sellerLegalName", "REQUIRED"), ("sellerAddress", "REQUIRED")}


def test_site_settings_fill_seller_and_sender_and_the_activation_time_is_recorded(
    plugins_staff, channel_USD, site_settings, address,
):
    address.company_name = "ACME Handels GmbH"
    address.save(update_fields=["company_name"])
    site_settings.company_address = address
    site_settings.default_mail_sender_name = "ACME Billing"
    site_settings.default_mail_sender_address = "billing@acme.example"
    site_settings.save()
    before = timezone.now()

    data = _update(plugins_staff, channel_USD, active=True, values={"smtp_host": "127.0.0.1"})

    assert data["errors"] == []
    config = get_host().channel_config(channel_USD.slug)
    assert config.seller.legal_name == "ACME Handels GmbH"
    seller_address = config.seller.address
    assert (seller_address.street_address_1, seller_address.postal_code, seller_address.city,
            seller_address.country) == (address.street_address_1, address.postal_code, address.city,
                                        address.country.code)
    assert config.from_email == "ACME Billing <billing@acme.example>"
    assert before <= config.activated_at <= timezone.now()
    # Kept in the row, never shown in the dashboard's form.
    usd = next(c for c in data["plugin"]["channelConfigurations"] if c["channel"]["slug"] == channel_USD.slug)
    assert "activated_at" not in {item["name"] for item in usd["configuration"]}

    # The channel's own values win; saving an active configuration is no new activation.
    data = _update(plugins_staff, channel_USD, values={"seller_legal_name": "ACME Channel Ltd"})
    assert data["errors"] == []
    again = get_host().channel_config(channel_USD.slug)
    assert again.seller.legal_name == "ACME Channel Ltd" and again.activated_at == config.activated_at

    # A change of the site settings reaches the channels that fall back to them at once (no stale cache).
    site_settings.default_mail_sender_name = "ACME Accounts"
    site_settings.save(update_fields=["default_mail_sender_name"])
    assert get_host().channel_config(channel_USD.slug).from_email == "ACME Accounts <billing@acme.example>"

    # Switched off and on again: a new activation time.
    assert _update(plugins_staff, channel_USD, active=False)["errors"] == []
    assert _update(plugins_staff, channel_USD, active=True)["errors"] == []
    assert get_host().channel_config(channel_USD.slug).activated_at > config.activated_at


def _charge(app_api_client, permission_manage_payments, order, amount, psp):
    response = app_api_client.post_graphql(TRANSACTION_CREATE, {
        "id": graphene.Node.to_global_id("Order", order.pk),
        "transaction": {"name": "Credit Card", "pspReference": psp, "availableActions": ["REFUND"],
                        "amountCharged": {"amount": amount, "currency": order.currency}},
    }, permissions=[permission_manage_payments], check_no_permissions=False)
    data = get_graphql_content(response)["data"]["transactionCreate"]
    assert data["errors"] == []
    return data["transaction"]["id"]


def _refund(app_api_client, transaction_id, amount, psp):
    response = app_api_client.post_graphql(EVENT_REPORT, {"id": transaction_id, "type": "REFUND_SUCCESS",
                                                          "amount": amount, "psp": psp})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []


def _types(order) -> list[str]:
    return sorted(BillingDocument.objects.filter(order_id=str(order.pk)).values_list("type", flat=True))


def _activate(client, channel, smtp_server):
    values = {**SELLER_CONFIGURATION, "smtp_port": str(smtp_server.port)}
    values = {name: str(value) if isinstance(value, bool) else value for name, value in values.items()}
    data = _update(client, channel, active=True, values=values)
    assert data["errors"] == []


def test_history_before_activation_is_left_to_backfill_which_follows_each_order(
    plugins_staff, channel_USD, order_with_lines, app_api_client, permission_manage_payments, smtp_server,
):
    from saypro_invoicing import events
    from saypro_invoicing.sla.sweeper import sweep

    order = order_with_lines
    # Before activation: paid in full, then 10.00 refunded.
    transaction_id = _charge(app_api_client, permission_manage_payments, order, order.total_gross_amount, "old-1")
    _refund(app_api_client, transaction_id, Decimal("10.00"), "old-refund-1")
    assert _types(order) == []

    _activate(plugins_staff, channel_USD, smtp_server)

    # Hooks and the sweeper see the order again but its events predate activation: nothing.
    assert events.order_changed(str(order.pk)) == []
    sweep(lookback_days=1, channels=[channel_USD.slug], now=timezone.now() + timedelta(hours=1))
    assert _types(order) == []

    result = backfill(timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1),
                      channel=channel_USD.slug)
    assert result.finished and result.issued == 3
    assert _types(order) == ["credit_note", "invoice", "receipt"]
    credit_note = BillingDocument.objects.get(order_id=str(order.pk), type="credit_note")
    assert credit_note.total == Decimal("10.00") and credit_note.corrects.type == "invoice"

    # After activation every event counts again: a second refund gets its credit note at once.
    _refund(app_api_client, transaction_id, Decimal("5.00"), "new-refund-2")
    assert sorted(BillingDocument.objects.filter(order_id=str(order.pk), type="credit_note")
                  .values_list("total", flat=True)) == [Decimal("5.00"), Decimal("10.00")]


def test_a_charge_refunded_before_activation_without_an_invoice_gets_no_receipt(
    plugins_staff, channel_USD, order_with_lines, app_api_client, permission_manage_payments, smtp_server,
):
    order = order_with_lines
    # A partial charge, refunded in full: never invoiced (the trigger is "fully paid"), so no credit note.
    transaction_id = _charge(app_api_client, permission_manage_payments, order, Decimal("20.00"), "old-2")
    _refund(app_api_client, transaction_id, Decimal("20.00"), "old-refund-2")
    _activate(plugins_staff, channel_USD, smtp_server)

    backfill(timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1), channel=channel_USD.slug)
    assert _types(order) == []  # neither the receipt nor a credit note

    # A charge after activation is the hooks' to issue, at once.
    _charge(app_api_client, permission_manage_payments, order, Decimal("15.00"), "new-3")
    receipt = BillingDocument.objects.get(order_id=str(order.pk))
    assert receipt.type == "receipt" and receipt.total == Decimal("15.00")


def test_a_receipt_held_for_a_missing_seller_is_released_after_the_fix(
    plugins_staff, channel_USD, order_with_lines, activate_plugin, app_api_client, permission_manage_payments,
    smtp_server, django_capture_on_commit_callbacks,
):
    from saypro_invoicing.models.documents import DocumentStatus
    from saypro_invoicing.release import release

    # Active from before activation was checked: no seller name, so every document is held.
    activate_plugin(channel_USD, seller_legal_name="")
    order = order_with_lines
    _charge(app_api_client, permission_manage_payments, order, Decimal("20.00"), "partial-1")
    receipt = BillingDocument.objects.get(order_id=str(order.pk), type="receipt")
    assert receipt.status == DocumentStatus.NEEDS_REVIEW and not receipt.number
    assert "seller.legal_name" in {reason["field"] for reason in receipt.review_reasons}
    assert smtp_server.to(order.user_email) == []

    assert _update(plugins_staff, channel_USD, values={"seller_legal_name": "SayPro Test Shop Inc."})["errors"] == []
    with django_capture_on_commit_callbacks(execute=True):
        released = release(receipt, get_host().channel_config(channel_USD.slug)).document

    assert released.status == DocumentStatus.ISSUED and released.number.startswith("RCT-")
    assert released.document_content.seller.legal_name == "SayPro Test Shop Inc."
    [mail] = smtp_server.to(order.user_email)
    assert released.number in mail.pdf_text() and "SayPro Test Shop Inc." in mail.pdf_text()
