"""Staff query ``billingDocumentSlaReport(channel, period)``: the SLA report (sla/report.py) over GraphQL.

Errors carry a code in ``extensions.code`` (PERMISSION_DENIED, INVALID_DATE_RANGE, REQUIRED), like every
query of the package (graphql/errors.py).
Type names start with BillingDocumentSla so that they cannot clash with Saleor's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from prices import Money as MoneyValue

from ..errors import ErrorCode, PermissionDenied, ValidationError
from ..sla.periods import PERIOD_HELP
from ..sla.report import SlaReport, build_report
from . import validation
from .errors import coded
from .permissions import requestor, require_staff
from .shared import host_type


def _money(field_name: str) -> graphene.Field:
    def resolve(root: Any, _info: Any) -> MoneyValue:
        return MoneyValue(Decimal(getattr(root, field_name)), root.currency)

    return graphene.Field(lambda: host_type("Money"), required=True, resolver=resolve)


MAX_CHANNEL_LENGTH = 128


class BillingDocumentSlaDocumentFigures(graphene.ObjectType):
    type = graphene.String(required=True)
    documents = graphene.Int(required=True, description="Documents whose event time is in the period.")
    issued = graphene.Int(required=True, description="Of those, numbered (not held by the accuracy gate).")
    held_for_review = graphene.Int(required=True)
    due = graphene.Int(required=True, description="Deadline passed, or delivered.")
    delivered_within_24h = graphene.Int(required=True)
    missed = graphene.Int(required=True)
    pending = graphene.Int(required=True, description="Still inside their 24 h and not delivered yet.")
    percent_within_24h = graphene.Float(description="delivered_within_24h / due, in percent; null without due ones.")


class BillingDocumentSlaDurations(graphene.ObjectType):
    count = graphene.Int(required=True)
    average_seconds = graphene.Float()
    p50_seconds = graphene.Float()
    p95_seconds = graphene.Float()
    max_seconds = graphene.Float()


class BillingDocumentSlaDeliveryChannel(graphene.ObjectType):
    channel = graphene.String(required=True, description="email or sms.")
    attempts = graphene.Int(required=True)
    accepted = graphene.Int(required=True)
    bounced = graphene.Int(required=True)
    failed = graphene.Int(required=True)
    deferred = graphene.Int(required=True)
    success_rate = graphene.Float()
    bounce_rate = graphene.Float()


class BillingDocumentSlaAccuracy(graphene.ObjectType):
    gate_checks = graphene.Int(required=True)
    passed = graphene.Int(required=True)
    accuracy_rate = graphene.Float()
    held_for_review = graphene.Int(required=True)
    still_held = graphene.Int(required=True)


class BillingDocumentSlaCorrections(graphene.ObjectType):
    requested = graphene.Int(required=True)
    resolved = graphene.Int(required=True)
    resolved_within_48h = graphene.Int(required=True)
    open = graphene.Int(required=True)
    percent_resolved_within_48h = graphene.Float()


class BillingDocumentSlaAgingBucket(graphene.ObjectType):
    label = graphene.String(required=True, description="Days past due: 0-7, 8-30, 31-60, 61+.")
    count = graphene.Int(required=True)
    amounts = graphene.List(graphene.NonNull(lambda: host_type("Money")), required=True)

    @staticmethod
    def resolve_amounts(root: Any, _info: Any) -> list[MoneyValue]:
        return [MoneyValue(a.amount, a.currency) for a in root.amounts]


class BillingDocumentSlaBreach(graphene.ObjectType):
    document_id = graphene.String(required=True)
    document_number = graphene.String(required=True)
    type = graphene.String(required=True)
    order_number = graphene.String(required=True)
    event_at = graphene.DateTime(required=True)
    deadline_at = graphene.DateTime(required=True)
    cause = graphene.String(required=True)
    detail = graphene.String(required=True)


class BillingDocumentSlaBreachCause(graphene.ObjectType):
    cause = graphene.String(required=True)
    count = graphene.Int(required=True)


class BillingDocumentSlaMismatch(graphene.ObjectType):
    kind = graphene.String(required=True, description=(
        "charged_without_receipt, invoiced_unpaid_past_terms, refunded_without_credit_note, overcharged, "
        "undercharged or payment_pending_too_long."))
    channel = graphene.String(required=True)
    order_id = graphene.String(required=True)
    order_number = graphene.String(required=True)
    total = _money("total")
    charged = _money("charged")
    invoiced = _money("invoiced")
    receipted = _money("receipted")
    refunded = _money("refunded")
    credited = _money("credited")
    difference = _money("difference")
    detail = graphene.String(required=True)


class BillingDocumentSlaReport(graphene.ObjectType):
    channel = graphene.String(required=True, description="Empty for every channel together.")
    start = graphene.DateTime(required=True)
    end = graphene.DateTime(required=True, description="Exclusive.")
    generated_at = graphene.DateTime(required=True)
    definition = graphene.String(required=True, description="What 'delivered within 24 h' means here.")
    orders_at_trigger = graphene.Int(required=True)
    orders_at_trigger_without_invoice = graphene.Int(required=True)
    invoices = graphene.Field(BillingDocumentSlaDocumentFigures, required=True)
    receipts = graphene.Field(BillingDocumentSlaDocumentFigures, required=True)
    delivery_time = graphene.Field(BillingDocumentSlaDurations, required=True)
    delivery_channels = graphene.List(graphene.NonNull(BillingDocumentSlaDeliveryChannel), required=True)
    accuracy = graphene.Field(BillingDocumentSlaAccuracy, required=True)
    corrections = graphene.Field(BillingDocumentSlaCorrections, required=True)
    reminders_sent = graphene.Int(required=True)
    unpaid_as_of = graphene.DateTime(required=True)
    unpaid_invoices = graphene.List(graphene.NonNull(BillingDocumentSlaAgingBucket), required=True)
    breaches = graphene.List(graphene.NonNull(BillingDocumentSlaBreach), required=True)
    breach_causes = graphene.List(graphene.NonNull(BillingDocumentSlaBreachCause), required=True)
    mismatches = graphene.List(graphene.NonNull(BillingDocumentSlaMismatch), required=True)


class SlaQueries(graphene.ObjectType):
    billing_document_sla_report = graphene.Field(
        BillingDocumentSlaReport,
        channel=graphene.String(description="Channel slug; omitted: every channel together."),
        period=graphene.String(required=True, description=PERIOD_HELP),
        description="Delivery within 24 h and the other billing figures for a period. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    @coded
    def resolve_billing_document_sla_report(_root: Any, info: Any, period: str,
                                            channel: str | None = None) -> SlaReport:
        who = requestor(info)
        require_staff(who)
        channel = validation.optional_text(channel, "channel", limit=MAX_CHANNEL_LENGTH)
        start, end = validation.period(period)
        if channel and not who.may_see_channel(channel):
            raise PermissionDenied(f"You have no access to channel {channel!r}.", field="channel")
        if not channel and who.channels is not None:
            raise ValidationError("Choose one of the channels you may access.", code=ErrorCode.REQUIRED,
                                  field="channel")
        return build_report(channel or None, start, end)
