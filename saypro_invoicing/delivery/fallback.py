"""Fallback after a bounce or a final failure: another address of the customer, then an SMS.

One step at a time: each fallback delivery that fails in turn calls this again, which then picks
the next address not yet tried, and finally the SMS.
"""

from __future__ import annotations

import logging

from ..conf import ChannelConfig
from ..errors import SayproInvoicingError
from ..hosts import get_host
from ..models import BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, Channel
from .queue import enqueue_delivery, enqueue_sms
from .sms import phone_of
from .suppression import is_suppressed, normalise

logger = logging.getLogger(__name__)


def candidate_addresses(document: BillingDocument) -> list[str]:
    """Addresses known for the customer that were not tried for this document and are not suppressed."""
    try:
        known = get_host().customer_emails(document.order_id)
    except SayproInvoicingError:
        known = []
    tried = set(DeliveryAttempt.objects.filter(
        document=document, channel=Channel.EMAIL,
        purpose__in=(AttemptPurpose.DOCUMENT, AttemptPurpose.FALLBACK)).values_list("recipient", flat=True))
    tried.add(normalise(document.customer_email))
    result: list[str] = []
    for address in known:
        address = normalise(address)
        if address and address not in tried and address not in result and not is_suppressed(address):
            result.append(address)
    return result


def run_fallback(document: BillingDocument, config: ChannelConfig) -> str | None:
    """Queue the next fallback delivery; returns "email", "sms" or None when nothing is left to try."""
    addresses = candidate_addresses(document)
    if addresses:
        logger.info("saypro_invoicing: falling back to %s for %s", addresses[0], document)
        enqueue_delivery(document.id, AttemptPurpose.FALLBACK, addresses[0])
        return "email"
    phone = phone_of(document)
    if config.sms_backend and phone and not DeliveryAttempt.objects.filter(
            document=document, channel=Channel.SMS).exists():
        logger.info("saypro_invoicing: falling back to SMS for %s", document)
        enqueue_sms(document.id, phone)
        return "sms"
    return None
