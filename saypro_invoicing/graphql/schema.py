"""The standalone schema (tests, demo): the same fields Saleor's schema gets, plus a tiny ``me``.

Built on first use, after a host had the chance to swap in its own shared types (shared.py).
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from ..hosts.protocol import Requestor
from .dashboard import DashboardQueries
from .dashboard_sla import DashboardSlaQueries
from .mutations import BillingDocumentMutations
from .permissions import requestor
from .queries import BillingDocumentQueries, billing_documents_field, resolve_user_billing_documents
from .sla import SlaQueries
from .types import BillingDocumentCorrectionRequest
from .variables import harden_scalars


class Me(graphene.ObjectType):
    """The signed-in user of the standalone host; in Saleor, Saleor's User carries billingDocuments."""

    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    billing_documents = billing_documents_field("The user's billing documents.")

    @staticmethod
    def resolve_id(root: Requestor, _info: Any) -> str:
        return root.user_id

    @staticmethod
    def resolve_billing_documents(root: Requestor, info: Any, **arguments: Any) -> relay.Connection:
        return resolve_user_billing_documents(root.user_id, info, **arguments)


class Query(BillingDocumentQueries, SlaQueries, DashboardQueries, DashboardSlaQueries, graphene.ObjectType):
    me = graphene.Field(Me, description="The signed-in user.")

    @staticmethod
    def resolve_me(_root: Any, info: Any) -> Requestor | None:
        who = requestor(info)
        return who if who.user_id else None


class Mutation(BillingDocumentMutations, graphene.ObjectType):
    pass


_schema: graphene.Schema | None = None


def get_schema() -> graphene.Schema:
    global _schema
    if _schema is None:
        _schema = graphene.Schema(query=Query, mutation=Mutation, types=[BillingDocumentCorrectionRequest])
        harden_scalars(_schema)
    return _schema


def reset_schema() -> None:
    global _schema
    _schema = None
