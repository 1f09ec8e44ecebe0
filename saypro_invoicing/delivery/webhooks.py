"""ESP tracking webhooks through django-anymail's normalized events, under the plugin's own path.

``tracking/<esp>/`` (Saleor: /plugins/channel/<channel>/saypro.invoicing/tracking/<esp>/) runs
anymail's tracking view for that ESP, so the ESP's payload format and signature checks are
anymail's. Authentication is anymail's too: HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``
("user:password", put into the URL given to the ESP) and, where the ESP signs its webhooks, the
signing key anymail asks for. An endpoint with neither configured refuses every call: a forged
bounce would suppress a customer's address.

bounced / rejected / complained -> the attempt and the document BOUNCED, the address suppressed,
staff alerted and the fallback started (not for a complaint: that mail did arrive);
delivered -> DELIVERED; failed -> FAILED; opened, clicked, deferred and the rest are only recorded.
"""

from __future__ import annotations

import contextvars
import json
import logging
import warnings
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.utils import timezone
from django.utils.module_loading import import_string

from ..hosts import get_host, writer
from ..models import DeliveryAttempt, DeliveryEvent
from ..models.delivery import AttemptStatus
from ..models.documents import DeliveryStatus
from ..models.records import AlertKind
from . import service, status
from .suppression import suppress

logger = logging.getLogger(__name__)

ESP_VIEWS: dict[str, str] = {
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESTrackingWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoTrackingWebhookView",
    "mailersend": "anymail.webhooks.mailersend.MailerSendTrackingWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunTrackingWebhookView",
    "mailjet": "anymail.webhooks.mailjet.MailjetTrackingWebhookView",
    "mailtrap": "anymail.webhooks.mailtrap.MailtrapTrackingWebhookView",
    "mandrill": "anymail.webhooks.mandrill.MandrillCombinedWebhookView",
    "postal": "anymail.webhooks.postal.PostalTrackingWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkTrackingWebhookView",
    "resend": "anymail.webhooks.resend.ResendTrackingWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridTrackingWebhookView",
    "sparkpost": "anymail.webhooks.sparkpost.SparkPostTrackingWebhookView",
    "unisender_go": "anymail.webhooks.unisender_go.UnisenderGoTrackingWebhookView",
}

BOUNCE_EVENTS = ("bounced", "rejected", "complained")
_channel: contextvars.ContextVar[str] = contextvars.ContextVar("saypro_webhook_channel", default="")
_views: dict[str, type] = {}


def _view_class(esp: str) -> type | None:
    """Our own subclass of anymail's view, so that only events arriving here reach our receiver."""
    if esp in _views:
        return _views[esp]
    path = ESP_VIEWS.get(esp)
    if path is None:
        return None
    from anymail.signals import tracking

    base = import_string(path)
    view = type(f"Saypro{base.__name__}", (base,), {"__module__": __name__})
    tracking.connect(_on_tracking, sender=view, weak=False, dispatch_uid=f"saypro_invoicing.tracking.{esp}")
    _views[esp] = view
    return view


def tracking_view(request: HttpRequest, esp: str) -> HttpResponse:
    from anymail.exceptions import AnymailWebhookValidationFailure

    view_class = _view_class(esp)
    if view_class is None:
        return HttpResponseNotFound(f"Unknown ESP {esp!r}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # anymail warns about missing auth; we refuse instead, below
            view = view_class()
    except ImproperlyConfigured as exc:
        logger.error("saypro_invoicing: %s tracking webhook is not configured: %s", esp, exc)
        return HttpResponseForbidden("Webhook authentication is not configured.")
    if getattr(view, "warn_if_no_basic_auth", True) and not getattr(view, "basic_auth", None):
        logger.error("saypro_invoicing: refusing %s webhook: set ANYMAIL['WEBHOOK_SECRET']", esp)
        return HttpResponseForbidden("Webhook authentication is not configured.")
    token = _channel.set(getattr(request, "saypro_channel", "") or "")
    try:
        view.setup(request)
        with writer():
            return view.dispatch(request)
    except AnymailWebhookValidationFailure as exc:
        logger.warning("saypro_invoicing: rejected %s webhook: %s", esp, exc)
        return HttpResponse("Webhook validation failed.", status=400)
    finally:
        _channel.reset(token)


def _find_attempt(event: Any) -> DeliveryAttempt | None:
    metadata = event.metadata or {}
    attempt_id = str(metadata.get("saypro_attempt", "") or "")
    if attempt_id.isdigit():
        found = DeliveryAttempt.objects.select_related("document").filter(pk=int(attempt_id)).first()
        if found is not None:
            return found
    message_id = (event.message_id or "").strip()
    if not message_id:
        return None
    bare = message_id.strip("<>")
    return (DeliveryAttempt.objects.select_related("document")
            .filter(provider_message_id__in=[message_id, bare, f"<{bare}>"]).order_by("-started_at").first())


def _payload(event: Any) -> dict:
    raw = event.esp_event
    try:
        return json.loads(json.dumps(raw, default=str)) if isinstance(raw, (dict, list)) else {"raw": str(raw)[:4000]}
    except (TypeError, ValueError):
        return {"raw": str(raw)[:4000]}


def _on_tracking(sender: type, event: Any, esp_name: str, **kwargs: Any) -> None:
    attempt = _find_attempt(event)
    if attempt is None:
        logger.info("saypro_invoicing: %s event %s for unknown message %s ignored", esp_name, event.event_type,
                    event.message_id)
        return
    document = attempt.document
    channel = _channel.get()
    if channel and document.channel != channel:
        logger.warning("saypro_invoicing: %s event for a document of channel %s arrived on channel %s; ignored",
                       esp_name, document.channel, channel)
        return
    if event.event_id and DeliveryEvent.objects.filter(provider_event_id=str(event.event_id), attempt=attempt,
                                                       event_type=event.event_type).exists():
        return  # ESPs deliver webhooks at least once
    occurred = event.timestamp or timezone.now()
    description = " ".join(p for p in (event.description or "", event.mta_response or "") if p)
    DeliveryEvent.objects.create(document=document, attempt=attempt, event_type=str(event.event_type)[:32],
                                 recipient=(event.recipient or "")[:254],
                                 provider_message_id=(event.message_id or "")[:255],
                                 provider_event_id=str(event.event_id or "")[:255], description=description[:4000],
                                 occurred_at=occurred, payload=_payload(event))
    if event.event_type == "delivered":
        status.advance(document, DeliveryStatus.DELIVERED, at=occurred)
    elif event.event_type in BOUNCE_EVENTS:
        _bounced(attempt, event, description, occurred)
    elif event.event_type == "failed":
        DeliveryAttempt.objects.filter(pk=attempt.pk, status__in=(AttemptStatus.SENT, AttemptStatus.SENDING)).update(
            status=AttemptStatus.FAILED)
        config = get_host().channel_config(document.channel)
        if config is not None:
            service.give_up(document, config, attempt, DeliveryStatus.FAILED, AlertKind.DELIVERY_FAILED,
                            f"The ESP could not send the {document.type.replace('_', ' ')} {document.number} to "
                            f"{attempt.recipient}: {description or 'failed'}", at=occurred)


def _bounced(attempt: DeliveryAttempt, event: Any, description: str, occurred: Any) -> None:
    document = attempt.document
    DeliveryAttempt.objects.filter(pk=attempt.pk, status__in=(AttemptStatus.SENT, AttemptStatus.SENDING,
                                                              AttemptStatus.DEFERRED)).update(
        status=AttemptStatus.BOUNCED, error_code=str(event.event_type)[:32])
    suppress(event.recipient or attempt.recipient, str(event.event_type), detail=description, document=document)
    config = get_host().channel_config(document.channel)
    if config is None:
        status.advance(document, DeliveryStatus.BOUNCED, at=occurred)
        return
    service.give_up(document, config, attempt, DeliveryStatus.BOUNCED, AlertKind.BOUNCED,
                    f"The {document.type.replace('_', ' ')} {document.number} to {attempt.recipient} "
                    f"{event.event_type}: {description or 'no details'}", at=occurred,
                    fallback=event.event_type != "complained")
