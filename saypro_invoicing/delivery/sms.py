"""SMS, the fallback channel: a short text with a signed link to the document, through ``outbound``.

Backends live in ``sms_backends`` and are re-exported here, the dotted path merchants configure
(``saypro_invoicing.delivery.sms.HttpJsonSmsBackend``, ``...TwilioSmsBackend``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import pgettext

from .. import links
from ..conf import ChannelConfig
from ..hosts import get_host
from ..models import BillingDocument, DeliveryAttempt
from ..models.delivery import AttemptPurpose, Channel
from ..models.documents import DeliveryStatus
from ..rendering.files import ensure_pdf
from . import outbound, status
from .attempts import chain_start, claim, record
from .email import language_of, type_label
from .sms_backends import BaseSmsBackend, HttpJsonSmsBackend, SmsError, SmsResult, TwilioSmsBackend, get_backend

__all__ = ["BaseSmsBackend", "HttpJsonSmsBackend", "SmsError", "SmsResult", "TwilioSmsBackend", "deliver_sms",
           "get_backend", "phone_of", "sms_text"]

logger = logging.getLogger(__name__)


def phone_of(document: BillingDocument) -> str:
    order = document.document_content.order
    phone = order.customer_phone or (order.billing_address.phone if order.billing_address else "")
    return "".join(phone.split())


def sms_text(document: BillingDocument, config: ChannelConfig) -> str:
    with translation.override(language_of(document)):
        return pgettext("saypro_invoicing", "%(shop)s: your %(kind)s %(number)s for order #%(order)s: %(link)s") % {
            "shop": config.display_shop_name, "kind": type_label(document.type), "number": document.number,
            "order": document.order_number,
            "link": links.download_url(document.id, document.channel, guest=True),
        }


def deliver_sms(document_id: str, phone: str, *, now: datetime | None = None) -> str:
    """Send the fallback SMS for a document once; returns the attempt's status or "skipped"."""
    document = BillingDocument.objects.filter(pk=document_id).first()
    if document is None or not document.is_sendable:
        return "skipped"
    config = get_host().channel_config(document.channel)
    if config is None or not config.sms_backend:
        return "skipped"
    now = now or timezone.now()
    attempt = claim(document, Channel.SMS, AttemptPurpose.FALLBACK, phone, now=now)
    if not isinstance(attempt, DeliveryAttempt):
        return attempt.status
    number, first = attempt.attempt_number, chain_start(attempt)
    try:
        ensure_pdf(document)  # the link must work the moment the customer taps it
        text = sms_text(document, config)
    except Exception as exc:  # noqa: BLE001 - recorded on the attempt like a failed send
        attempted = outbound.failure_of(outbound.MessageKind.SMS, config, exc, phone, attempt_number=number,
                                        first_attempt_at=first)
    else:
        attempted = outbound.send_sms(config, phone, text, attempt_number=number,
                                      first_attempt_at=first)
    record(attempt, attempted)
    if attempted.sent:
        status.advance(document, DeliveryStatus.SENT)
    return attempt.status
