"""Who sees what. Every resolver starts from ``visible_documents``, so no path can skip the rules.

- staff or apps with MANAGE_ORDERS: every document of the channels they may access;
- a signed-in customer: their own documents (customer_user_id), never those held for review;
- anyone else (anonymous, staff or apps without MANAGE_ORDERS): nothing.
Guests reach their documents only through the signed link in their email.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..errors import PermissionDenied
from ..hosts import get_host
from ..hosts.protocol import Requestor
from ..models import BillingDocument, CorrectionRequest
from ..models.documents import DocumentStatus

_CACHE_ATTR = "_saypro_requestor"


def requestor(info: Any) -> Requestor:
    """The caller, authenticated once per request by the host."""
    context = info.context
    cached = getattr(context, _CACHE_ATTR, None)
    if cached is None:
        cached = get_host().requestor(context)
        try:
            setattr(context, _CACHE_ATTR, cached)
        except AttributeError:  # an immutable context: authenticate per call
            pass
    return cached


def is_staff(who: Requestor) -> bool:
    return who.can_manage_orders and not who.is_anonymous


def actor(who: Requestor) -> str:
    """How the caller is named in records (requested_by, resolved_by, audit)."""
    if who.app_id:
        return f"app:{who.app_id}"
    return who.user_id


def visible_documents(who: Requestor) -> QuerySet[BillingDocument]:
    documents = BillingDocument.objects.all()
    if is_staff(who):
        return documents if who.channels is None else documents.filter(channel__in=who.channels)
    if who.user_id:
        return documents.filter(customer_user_id=who.user_id).exclude(status=DocumentStatus.NEEDS_REVIEW)
    return documents.none()


def visible_corrections(who: Requestor) -> QuerySet[CorrectionRequest]:
    if not is_staff(who):
        return CorrectionRequest.objects.none()
    requests = CorrectionRequest.objects.all()
    return requests if who.channels is None else requests.filter(document__channel__in=who.channels)


def may_see(who: Requestor, document: BillingDocument) -> bool:
    if is_staff(who):
        return who.may_see_channel(document.channel)
    return bool(who.user_id) and document.customer_user_id == who.user_id \
        and document.status != DocumentStatus.NEEDS_REVIEW


def require_staff(who: Requestor) -> None:
    if not is_staff(who):
        raise PermissionDenied("You need the MANAGE_ORDERS permission to do this.")


def require_signed_in(who: Requestor) -> None:
    if who.is_anonymous:
        raise PermissionDenied("Sign in to see billing documents.")
