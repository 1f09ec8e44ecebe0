"""Inside Saleor: order hooks only record an event and queue one task; a worker issues the documents.

Also the Saleor host's channel configuration cache and its invalidation by pluginUpdate.
"""

from __future__ import annotations

from decimal import Decimal

import graphene
import pytest
from celery.signals import task_prerun
from saleor.core.db.connection import allow_writer
from saleor.graphql.tests.utils import get_graphql_content

from saypro_invoicing import inbox
from saypro_invoicing.dispatch import TaskName
from saypro_invoicing.hosts import get_host
from saypro_invoicing.models import BillingDocument, OrderEvent

from .test_saleor_issuing import MARK_AS_PAID, TRANSACTION_CREATE

pytestmark = [pytest.mark.saleor]

BROKER = "redis://127.0.0.1:6379/5"
PLUGIN_UPDATE = """
mutation ($channel: ID!, $configuration: [ConfigurationItemInput!]) {
  pluginUpdate(id: "saypro.invoicing", channelId: $channel, input: {active: true, configuration: $configuration}) {
    errors { field code message }
  }
}
"""


def _documents(order) -> dict[str, BillingDocument]:
    return {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.pk))}


def _kinds(order) -> list[str]:
    return list(OrderEvent.objects.filter(order_id=str(order.pk)).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def task_runs():
    """Our task's runs in this process (Saleor's test settings run Celery eagerly)."""
    runs: list[tuple] = []

    def seen(sender=None, args=None, **kwargs):
        if sender is not None and sender.name == TaskName.PROCESS_ORDER_EVENTS:
            runs.append(tuple(args or ()))

    task_prerun.connect(seen, weak=False)
    yield runs
    task_prerun.disconnect(seen)


@pytest.fixture
def saleor_celery_to_broker():
    """Saleor's Celery app publishes to Redis (no worker): what the request queued stays visible there."""
    redis = pytest.importorskip("redis")
    from kombu import pools
    from saleor.celeryconf import app

    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {BROKER}")
    client.flushdb()
    # Saleor's app reads Django's CELERY_* settings: the namespaced keys are the ones that count.
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")
    saved = {key: app.conf.get(key) for key in keys}

    def forget() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        pools.reset()

    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=BROKER)
    forget()
    assert not app.conf.task_always_eager and app.conf.broker_url == BROKER
    yield client
    forget()
    app.conf.update(saved)
    client.flushdb()
    client.close()


@pytest.mark.django_db(transaction=True)
def test_mark_as_paid_records_two_events_queues_one_task_and_issues_nothing_in_the_request(
    order_with_lines, saypro_channel, orders_staff_api_client, saleor_celery_to_broker,
):
    """A live-like request: Saleor commits, then calls order_fully_paid and order_updated one by one."""
    order = order_with_lines
    response = orders_staff_api_client.post_graphql(MARK_AS_PAID, {"id": graphene.Node.to_global_id("Order", order.pk)})
    assert get_graphql_content(response)["data"]["orderMarkAsPaid"]["errors"] == []

    assert _kinds(order) == ["order_fully_paid", "order_updated"]
    assert set(OrderEvent.objects.values_list("channel", flat=True)) == {saypro_channel.slug}
    assert saleor_celery_to_broker.llen("saypro_invoicing") == 1  # one task for the order's two hooks
    assert not _documents(order)  # the request did not snapshot, gate, number or render

    # What the worker does with that task:
    with allow_writer():
        assert inbox.process_order(str(order.pk)) == inbox.Processed(events=2, documents=2)
    documents = _documents(order)
    assert set(documents) == {"invoice", "receipt"}
    assert documents["invoice"].total == documents["receipt"].total == order.total_gross_amount
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists()
    order.refresh_from_db()
    assert order.invoices.get().number == documents["invoice"].number  # Saleor's invoices card


def test_an_app_charge_calls_three_hooks_and_one_task_issues_both_documents(
    order_with_lines, saypro_channel, app_api_client, permission_manage_payments, task_runs,
):
    order = order_with_lines
    response = app_api_client.post_graphql(TRANSACTION_CREATE, {
        "id": graphene.Node.to_global_id("Order", order.pk),
        "transaction": {"name": "Credit Card", "pspReference": "psp-1", "availableActions": ["REFUND"],
                        "amountCharged": {"amount": order.total_gross_amount, "currency": order.currency}},
    }, permissions=[permission_manage_payments], check_no_permissions=False)
    assert get_graphql_content(response)["data"]["transactionCreate"]["errors"] == []

    assert sorted(_kinds(order)) == ["order_fully_paid", "order_paid", "order_updated"]
    assert task_runs == [(str(order.pk),)]
    assert set(_documents(order)) == {"invoice", "receipt"}
    assert not OrderEvent.objects.filter(processed_at__isnull=True).exists()


def test_invoice_keeps_the_time_of_payment_not_of_processing(
    order_with_lines, saypro_channel, orders_staff_api_client, saleor_celery_to_broker,
):
    from datetime import timedelta

    from saleor.channel import MarkAsPaidStrategy

    order = order_with_lines
    saypro_channel.order_mark_as_paid_strategy = MarkAsPaidStrategy.TRANSACTION_FLOW
    saypro_channel.save(update_fields=["order_mark_as_paid_strategy"])
    response = orders_staff_api_client.post_graphql(MARK_AS_PAID, {"id": graphene.Node.to_global_id("Order", order.pk)})
    assert get_graphql_content(response)["data"]["orderMarkAsPaid"]["errors"] == []
    paid_event = OrderEvent.objects.get(order_id=str(order.pk), kind="order_fully_paid")

    # The worker was down for an hour; the sweeper picks the events up.
    from saypro_invoicing.sla.sweeper import sweep

    with allow_writer():
        result = sweep(paid_event.occurred_at + timedelta(hours=1), channels=[saypro_channel.slug])
    assert result.events_processed == 2
    invoice, receipt = _documents(order)["invoice"], _documents(order)["receipt"]
    charged_at = order.payment_transactions.get().events.filter(type="charge_success").get().created_at
    # Both documents are dated by the payment, before the hook recorded it, not by their processing.
    assert receipt.event_at == invoice.event_at == charged_at
    assert charged_at <= paid_event.occurred_at <= invoice.issued_at


def test_hooks_record_nothing_where_the_plugin_is_off(order_with_lines, saypro_plugins, orders_staff_api_client):
    order = order_with_lines
    response = orders_staff_api_client.post_graphql(MARK_AS_PAID, {"id": graphene.Node.to_global_id("Order", order.pk)})
    assert get_graphql_content(response)["data"]["orderMarkAsPaid"]["errors"] == []
    assert not OrderEvent.objects.exists() and not BillingDocument.objects.exists()


def test_a_refund_records_its_hooks_and_issues_the_credit_note(
    order_with_lines, saypro_channel, app_api_client, permission_manage_payments,
):
    from .test_saleor_issuing import EVENT_REPORT, _charge

    order = order_with_lines
    transaction_id = _charge(app_api_client, permission_manage_payments, order, order.total_gross_amount)
    response = app_api_client.post_graphql(EVENT_REPORT, {
        "id": transaction_id, "type": "REFUND_SUCCESS", "amount": Decimal("5.00"), "psp": "refund-1"})
    assert get_graphql_content(response)["data"]["transactionEventReport"]["errors"] == []
    assert "order_refunded" in _kinds(order)
    credit_note = _documents(order)["credit_note"]
    assert credit_note.total == Decimal("5.00") and credit_note.number


# --- the channel configuration cache ---------------------------------------------------------------


def test_channel_configuration_is_parsed_once_per_process(saypro_channel, django_assert_num_queries):
    host = get_host()
    first = host.channel_config(saypro_channel.slug)
    assert first is not None and first.shop_name == "SayPro Test Shop"
    with django_assert_num_queries(0):
        for _ in range(5):
            assert host.channel_config(saypro_channel.slug) is first


def test_plugin_update_invalidates_the_cached_configuration(
    saypro_channel, staff_api_client, permission_manage_plugins,
):
    host = get_host()
    assert host.channel_config(saypro_channel.slug).shop_name == "SayPro Test Shop"

    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    response = staff_api_client.post_graphql(PLUGIN_UPDATE, {
        "channel": graphene.Node.to_global_id("Channel", saypro_channel.pk),
        "configuration": [{"name": "shop_name", "value": "Renamed Shop"}]})
    assert get_graphql_content(response)["data"]["pluginUpdate"]["errors"] == []
    assert host.channel_config(saypro_channel.slug).shop_name == "Renamed Shop"

    # Switching the plugin off in the dashboard takes effect at once too.
    from saleor.plugins.models import PluginConfiguration

    row = PluginConfiguration.objects.get(identifier="saypro.invoicing", channel=saypro_channel)
    row.active = False
    row.save()
    assert host.channel_config(saypro_channel.slug) is None


def test_a_configuration_broken_outside_plugin_update_is_reported(saypro_channel):
    from saleor.plugins.models import PluginConfiguration

    row = PluginConfiguration.objects.get(identifier="saypro.invoicing", channel=saypro_channel)
    row.configuration = [*row.configuration, {"name": "invoice_number_format", "value": "INV-{nope}"}]
    row.save()  # a manual edit: the model's save skips pluginUpdate's validation
    host = get_host()
    assert host.channel_config(saypro_channel.slug) is None
    assert "invoice_number_format" in host.channel_config_problem(saypro_channel.slug)
