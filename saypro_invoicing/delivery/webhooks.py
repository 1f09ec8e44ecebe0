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
from datetime import datetime
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
from ..sanitize import clean_text
from . import service, status
from .suppression import normalise, suppress

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


class MalformedWebhook(Exception):
    """The body is not what the ESP sends: answer 400, never 500."""


class _Guarded:
    """Put in front of anymail's view: a body anymail's parser or signature check chokes on is malformed.

    Only exceptions raised while validating and parsing the body are turned into 400; our receiver
    runs after parsing, so a fault of ours is never disguised as the client's.
    """

    def run_validators(self, request: HttpRequest) -> None:
        from anymail.exceptions import AnymailWebhookValidationFailure

        try:
            super().run_validators(request)  # type: ignore[misc]
        except (AnymailWebhookValidationFailure, ImproperlyConfigured):
            raise
        except Exception as exc:  # noqa: BLE001 - anymail reads untrusted bodies with plain indexing
            raise MalformedWebhook(f"{type(exc).__name__}: {exc}") from exc

    def parse_events(self, request: HttpRequest) -> list[Any]:
        try:
            return list(super().parse_events(request))  # type: ignore[misc]
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # noqa: BLE001 - see run_validators
            raise MalformedWebhook(f"{type(exc).__name__}: {exc}") from exc


def _not_configured(esp: str, detail: object) -> HttpResponse:
    logger.warning("saypro_invoicing: configuration: the %s tracking webhook is refused until it is configured: %s",
                   esp, detail)
    return HttpResponseForbidden("Webhook authentication is not configured.")


def _view_class(esp: str) -> type | None:
    """Our own subclass of anymail's view, so that only events arriving here reach our receiver."""
    if esp in _views:
        return _views[esp]
    path = ESP_VIEWS.get(esp)
    if path is None:
        return None
    from anymail.signals import tracking

    base = import_string(path)
    view = type(f"Saypro{base.__name__}", (_Guarded, base), {"__module__": __name__})
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
        return _not_configured(esp, exc)
    if getattr(view, "warn_if_no_basic_auth", True) and not getattr(view, "basic_auth", None):
        return _not_configured(esp, "set ANYMAIL['WEBHOOK_SECRET']")
    token = _channel.set(getattr(request, "saypro_channel", "") or "")
    try:
        view.setup(request)
        with writer():
            return view.dispatch(request)
    except AnymailWebhookValidationFailure as exc:
        logger.warning("saypro_invoicing: rejected %s webhook: %s", esp, exc)
        return HttpResponse("Webhook validation failed.", status=400)
    except MalformedWebhook as exc:
        logger.warning("saypro_invoicing: malformed %s webhook body: %s", esp, str(exc)[:500])
        return HttpResponse("Malformed webhook body.", status=400)
    except ImproperlyConfigured as exc:  # a signing key anymail looks for only when a call arrives
        return _not_configured(esp, exc)
    finally:
        _channel.reset(token)


def _text(value: Any, limit: int) -> str:
    """An event's field as storable text: ESPs' JSON can put anything anywhere (lists, NUL bytes)."""
    if value is None:
        return ""
    return clean_text(value if isinstance(value, str) else str(value), limit)


def _find_attempt(event: Any) -> DeliveryAttempt | None:
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    attempt_id = _text(metadata.get("saypro_attempt"), 32)
    if attempt_id.isascii() and attempt_id.isdigit() and len(attempt_id) <= 18:  # a bigint at most
        found = DeliveryAttempt.objects.select_related("document").filter(pk=int(attempt_id)).first()
        if found is not None:
            return found
    message_id = _text(event.message_id, 255).strip()
    if not message_id:
        return None
    bare = message_id.strip("<>")
    return (DeliveryAttempt.objects.select_related("document")
            .filter(provider_message_id__in=[message_id, bare, f"<{bare}>"]).order_by("-started_at").first())


def _storable(value: Any) -> Any:
    """JSON PostgreSQL's jsonb accepts: no NUL (\\u0000) and no lone surrogates in keys or strings."""
    if isinstance(value, str):
        return clean_text(value, 4000)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _payload(event: Any) -> dict:
    raw = event.esp_event
    try:
        if isinstance(raw, (dict, list)):
            return _storable(json.loads(json.dumps(raw, default=str)))
    except (TypeError, ValueError, RecursionError):
        pass
    return {"raw": _text(raw, 4000)}


def _when(event: Any) -> Any:
    """The event's time if it is a sensible aware one; otherwise now (ESP clocks and parsers vary)."""
    moment = event.timestamp
    now = timezone.now()
    if isinstance(moment, datetime) and moment.tzinfo is not None and 2000 <= moment.year <= now.year + 1:
        return moment
    return now


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
    event_type, event_id = _text(event.event_type, 32), _text(event.event_id, 255)
    if event_id and DeliveryEvent.objects.filter(provider_event_id=event_id, attempt=attempt,
                                                 event_type=event_type).exists():
        return  # ESPs deliver webhooks at least once
    occurred = _when(event)
    description = " ".join(p for p in (_text(event.description, 2000), _text(event.mta_response, 2000)) if p)
    recipient = _text(event.recipient, 254)
    DeliveryEvent.objects.create(document=document, attempt=attempt, event_type=event_type, recipient=recipient,
                                 provider_message_id=_text(event.message_id, 255), provider_event_id=event_id,
                                 description=description[:4000], occurred_at=occurred, payload=_payload(event))
    if recipient and normalise(recipient) != normalise(attempt.recipient):
        # The attempt went to one address; an event naming another changes nothing: it would otherwise
        # suppress or bounce an address the plugin never mailed (forwarded bounce, forged event).
        logger.warning("saypro_invoicing: %s %s event names %s, but attempt %s was sent to another address; "
                       "recorded, nothing changed", esp_name, event_type, recipient, attempt.pk)
        return
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
    suppress(attempt.recipient, str(event.event_type), detail=description, document=document)
    config = get_host().channel_config(document.channel)
    if config is None:
        status.advance(document, DeliveryStatus.BOUNCED, at=occurred)
        return
    service.give_up(document, config, attempt, DeliveryStatus.BOUNCED, AlertKind.BOUNCED,
                    f"The {document.type.replace('_', ' ')} {document.number} to {attempt.recipient} "
                    f"{event.event_type}: {description or 'no details'}", at=occurred,
                    fallback=event.event_type != "complained")
