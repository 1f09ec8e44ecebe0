"""The Saleor host's answers to the core: callers (Saleor JWTs, app tokens), customer addresses, changed orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from saleor.account.models import Group
from saleor.core.db.connection import allow_writer
from saleor.core.jwt import create_access_token

from saypro_invoicing.errors import DocumentNotFound
from saypro_invoicing.hosts.protocol import ANONYMOUS
from saypro_invoicing.hosts.saleor.host import SaleorHost

pytestmark = [pytest.mark.saleor]


def _request(authorization: str = ""):
    # A plain request, as Saleor hands it to the plugin's webhook() on /plugins/...
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return RequestFactory().get("/plugins/channel/main/saypro.invoicing/download/x/", **extra)


def test_requestor_from_saleor_jwts(customer_user, orders_staff, staff_user, channel_PLN, channel_USD):
    host = SaleorHost()
    customer = host.requestor(_request(f"JWT {create_access_token(customer_user)}"))
    assert customer.user_id == str(customer_user.pk) and customer.email == customer_user.email
    assert not customer.can_manage_orders and customer.channels == frozenset()

    staff = host.requestor(_request(f"JWT {create_access_token(orders_staff)}"))
    assert staff.can_manage_orders and staff.channels is None

    # Restricted access permission groups narrow what staff may see.
    Group.objects.filter(user=staff_user).update(restricted_access_to_channels=True)
    Group.objects.get(user=staff_user).channels.add(channel_PLN)
    staff = host.requestor(_request(f"JWT {create_access_token(staff_user)}"))
    assert staff.channels == frozenset({channel_PLN.slug}) and not staff.may_see_channel(channel_USD.slug)


def test_requestor_refuses_bad_tokens_and_inactive_accounts(customer_user):
    host = SaleorHost()
    assert host.requestor(_request()) == ANONYMOUS
    token = create_access_token(customer_user)
    assert host.requestor(_request(f"JWT {token[:-4]}abcd")) == ANONYMOUS
    customer_user.is_active = False
    customer_user.save(update_fields=["is_active"])
    assert host.requestor(_request(f"JWT {token}")) == ANONYMOUS


def test_requestor_from_app_tokens(app, permission_manage_orders):
    host = SaleorHost()
    _, token = app.tokens.create(name="Invoices")
    app_caller = host.requestor(_request(f"Bearer {token}"))
    assert app_caller.app_id == str(app.pk) and not app_caller.can_manage_orders

    app.permissions.add(permission_manage_orders)
    assert host.requestor(_request(f"Bearer {token}")).can_manage_orders
    app.is_active = False
    app.save(update_fields=["is_active"])
    assert host.requestor(_request(f"Bearer {token}")) == ANONYMOUS


def test_customer_emails_order_address_first_then_account(order_with_lines, customer_user):
    order = order_with_lines
    order.user_email = "orders@customer.example"
    order.save(update_fields=["user_email"])
    assert SaleorHost().customer_emails(str(order.pk)) == ["orders@customer.example", customer_user.email]

    order.user_email = customer_user.email.upper()
    order.save(update_fields=["user_email"])
    assert SaleorHost().customer_emails(str(order.pk)) == [customer_user.email.upper()]
    with pytest.raises(DocumentNotFound):
        SaleorHost().customer_emails("not-a-uuid")


def test_orders_changed_window_and_snapshot_errors(order_with_lines):
    host = SaleorHost()
    order, slug = order_with_lines, order_with_lines.channel.slug
    now = timezone.now()
    window = (now - timedelta(hours=1), now + timedelta(seconds=1))
    assert [ref.order_id for ref in host.orders_changed(slug, *window)] == [str(order.pk)]
    assert list(host.orders_changed(slug, now + timedelta(hours=1), now + timedelta(hours=2))) == []
    order.status = "draft"  # drafts are not orders yet
    order.save(update_fields=["status"])
    assert list(host.orders_changed(slug, *window)) == []
    with pytest.raises(DocumentNotFound):
        host.snapshot("00000000-0000-0000-0000-000000000000")


def test_writer_is_saleors_allow_writer():
    with SaleorHost().writer():
        from django.db import connection

        assert getattr(connection, "_allow_writer", False) is True
    assert type(SaleorHost().writer()) is type(allow_writer())


def test_payment_method_text_from_saleors_transaction_items(order_with_lines):
    from saleor.payment.models import TransactionItem

    from saypro_invoicing.hosts.saleor.movements import _method

    item = TransactionItem(order_id=order_with_lines.pk, currency="USD", name="Adyen")
    # Before Saleor 3.22 a TransactionItem has no card or payment-method fields: its name is the method.
    assert _method(item) == "Adyen"
    if any(f.name == "cc_brand" for f in TransactionItem._meta.get_fields()):
        item.payment_method_name = "iDEAL"
        assert _method(item) == "iDEAL"
        item.cc_brand, item.cc_last_digits = "visa", "4242"
        assert _method(item) == "Visa •••• 4242"
