"""Helpers for the GraphQL and download tests: the seven kinds of caller and a small shop of documents.

Callers: anonymous, customer A, customer B, staff without and with MANAGE_ORDERS, an app token
without and with MANAGE_ORDERS. Documents come from sample orders through the real issuing path.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from saypro_invoicing import issuing
from saypro_invoicing.hosts import get_host
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.snapshot import DocumentType
from saypro_invoicing.trigger_keys import TriggerKey
from saypro_invoicing.triggers import Planned

ROLES = ("anonymous", "customer_a", "customer_b", "staff_without", "staff", "app_without", "app")
MANAGERS = frozenset({"staff", "app"})


class Caller:
    """One kind of caller talking to /graphql/ over HTTP, as a storefront or dashboard would."""

    def __init__(self, role: str, client: Client, token: str = "", user: Any = None):
        self.role, self.client, self.token, self.user = role, client, token, user

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def post(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return self.client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                                content_type="application/json", **self.headers())

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        assert response.status_code in (200, 400), response.content
        return response.json()

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(path, **self.headers(), **extra)


@dataclass
class Shop:
    callers: dict[str, Caller]
    users: dict[str, Any]
    docs: dict[str, BillingDocument] = field(default_factory=dict)
    orders: dict[str, str] = field(default_factory=dict)

    def caller(self, role: str) -> Caller:
        return self.callers[role]


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("exception", {}).get("code") for e in result.get("errors", [])]


def make_user(username: str, email: str, *, manage_orders: bool = False, is_staff: bool = False) -> Any:
    # No password: tests sign in with force_login, and hashing one costs a third of a second.
    user = get_user_model().objects.create_user(username=username, email=email, password=None, is_staff=is_staff)
    if manage_orders:
        user.user_permissions.add(Permission.objects.get(codename="manage_orders",
                                                         content_type__app_label="saypro_sandbox"))
    return user


def paid_order(*, user: Any = None, email: str = "guest@example.com", **kwargs: Any) -> str:
    """A paid sample order: the sandbox's events issue its invoice and receipt."""
    order = sample.create_order(user_id=str(user.pk) if user else "", email=email, **kwargs)
    sample.pay(str(order.id))
    return str(order.id)


def documents_of(order_id: str) -> dict[str, BillingDocument]:
    return {d.type: d for d in BillingDocument.objects.filter(order_id=order_id)}


def held_invoice(user: Any, email: str) -> BillingDocument:
    """An invoice the accuracy gate holds (its total does not add up): NEEDS_REVIEW, no number."""
    snapshot = sample.build_snapshot(user_id=str(user.pk), email=email, number="HELD-1")
    snapshot = dataclasses.replace(snapshot, order_id="held-order", total_gross=snapshot.total_gross + Decimal("1"))
    config = get_host().channel_config(snapshot.channel)
    plan = Planned(DocumentType.INVOICE, TriggerKey.invoice("held-order"), snapshot.created_at,
                   amount=snapshot.total_gross)
    document = issuing.issue(snapshot, config, plan, send=False).document
    assert document.status == DocumentStatus.NEEDS_REVIEW
    return document


def visible_keys(role: str) -> set[str]:
    """Which of the shop's documents each caller may see."""
    everything = {"a_invoice", "a_receipt", "b_invoice", "b_receipt", "guest_invoice", "guest_receipt", "a_held"}
    return {
        "anonymous": set(),
        "customer_a": {"a_invoice", "a_receipt"},
        "customer_b": {"b_invoice", "b_receipt"},
        "staff_without": set(),
        "staff": everything,
        "app_without": set(),
        "app": everything,
    }[role]


REQUEST = """
mutation($id: ID!, $input: BillingDocumentCorrectionInput!) {
  billingDocumentRequestCorrection(id: $id, input: $input) {
    document { number }
    correctionRequest { id status reason companyName vatId billingAddress { city country } requestedAt }
    errors { field message code }
  }
}"""
RESOLVE = """
mutation($id: ID!, $approve: Boolean!, $message: String) {
  billingDocumentCorrectionResolve(id: $id, approve: $approve, message: $message) {
    document { number status }
    correctionRequest { status resolvedAt resolutionMessage }
    errors { field message code }
  }
}"""

CORRECTION_INPUT = {"reason": "Our company name is missing.", "companyName": "Alice Trading GmbH",
                    "vatId": "DE811111111", "billingAddress": {"city": "Hamburg", "country": "de"}}
