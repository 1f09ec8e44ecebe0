"""The ``shop`` fixture (load with ``pytest_plugins = ["tests.graphql_fixtures"]``)."""

from __future__ import annotations

import pytest
from django.test import Client

from saypro_invoicing.hosts.sandbox.models import SandboxApp
from tests.graphql_support import Caller, Shop, documents_of, held_invoice, make_user, paid_order


@pytest.fixture
def shop(db, channel) -> Shop:
    users = {
        "customer_a": make_user("alice", "alice@example.com"),
        "customer_b": make_user("bob", "bob@example.com"),
        "staff_without": make_user("sam", "sam@shop.example", is_staff=True),
        "staff": make_user("olga", "olga@shop.example", is_staff=True, manage_orders=True),
    }
    SandboxApp.objects.create(name="reader", token="app-token-without", manage_orders=False)
    SandboxApp.objects.create(name="erp", token="app-token-with", manage_orders=True)
    callers = {"anonymous": Caller("anonymous", Client())}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        callers[role] = Caller(role, client, user=user)
    callers["app_without"] = Caller("app_without", Client(), token="app-token-without")
    callers["app"] = Caller("app", Client(), token="app-token-with")
    result = Shop(callers=callers, users=users)
    result.orders["a"] = paid_order(user=users["customer_a"], email="alice@example.com", number="A-100")
    result.orders["b"] = paid_order(user=users["customer_b"], email="bob@example.com", number="B-200")
    result.orders["guest"] = paid_order(email="guest@example.com", number="G-300")
    for key in ("a", "b", "guest"):
        for doc_type, document in documents_of(result.orders[key]).items():
            result.docs[f"{key}_{doc_type}"] = document
    result.docs["a_held"] = held_invoice(users["customer_a"], "alice@example.com")
    return result


