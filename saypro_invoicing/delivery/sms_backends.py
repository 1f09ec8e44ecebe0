"""SMS backends: pluggable by dotted class path (ChannelConfig.sms_backend).

- ``HttpJsonSmsBackend``: POSTs ``{"to", "from", "text"}`` as JSON with a Bearer token to
  ``sms_api_url``; fits most SMS gateways' REST APIs, or a small adapter in front of one.
- ``TwilioSmsBackend``: Twilio's Messages API through the ``twilio`` package (the ``sms`` extra);
  ``sms_account`` is ``<account SID>:<sender number>``, ``sms_token`` the auth token, and
  ``sms_api_url`` (optional) replaces Twilio's API base URL.

Merchants name them as ``saypro_invoicing.delivery.sms.<class>``; that module re-exports them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.utils.module_loading import import_string

from ..conf import ChannelConfig
from ..errors import ConfigurationError

SMS_TIMEOUT_SECONDS = 10


class SmsError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class SmsResult:
    message_id: str
    response: str = ""


class BaseSmsBackend:
    def __init__(self, config: ChannelConfig):
        self.config = config

    def send(self, to: str, text: str) -> SmsResult:
        """Send one SMS; raise SmsError(transient=...) when the provider did not take it."""
        raise NotImplementedError


def _is_transient_status(code: int) -> bool:
    return code >= 500 or code in (408, 429)


class HttpJsonSmsBackend(BaseSmsBackend):
    def send(self, to: str, text: str) -> SmsResult:
        if not self.config.sms_api_url:
            raise ConfigurationError("Set sms_api_url for the HTTP SMS backend.", field="sms_api_url")
        body = json.dumps({"to": to, "from": self.config.sms_account, "text": text}).encode()
        request = urllib.request.Request(self.config.sms_api_url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json",
            **({"Authorization": f"Bearer {self.config.sms_token}"} if self.config.sms_token else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
                raw = response.read().decode("utf-8", "replace")
                code = response.status
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise SmsError(f"HTTP {exc.code}: {detail}", transient=_is_transient_status(exc.code)) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"{type(exc).__name__}: {exc}", transient=True) from exc
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        message_id = next((str(payload[k]) for k in ("id", "message_id", "messageId", "sid") if k in payload), "")
        return SmsResult(message_id=message_id, response=f"HTTP {code}")


class TwilioSmsBackend(BaseSmsBackend):
    def send(self, to: str, text: str) -> SmsResult:
        try:
            from twilio.base.exceptions import TwilioException, TwilioRestException
            from twilio.rest import Client
        except ImportError as exc:
            raise ConfigurationError("Install the sms extra (pip install saypro-invoicing[sms]) for Twilio.",
                                     field="sms_backend") from exc
        sid, _, sender = self.config.sms_account.partition(":")
        if not (sid and sender and self.config.sms_token):
            raise ConfigurationError("Twilio needs sms_account '<account SID>:<sender>' and sms_token.",
                                     field="sms_account")
        client = Client(sid, self.config.sms_token)
        if self.config.sms_api_url:
            client.api.base_url = self.config.sms_api_url.rstrip("/")
        try:
            message = client.messages.create(to=to, from_=sender, body=text)
        except TwilioRestException as exc:
            raise SmsError(f"Twilio HTTP {exc.status} ({exc.code}): {exc.msg}",
                           transient=_is_transient_status(exc.status)) from exc
        except (TwilioException, OSError) as exc:
            raise SmsError(f"{type(exc).__name__}: {exc}", transient=True) from exc
        except Exception as exc:  # requests' connection errors, without importing requests here
            raise SmsError(f"{type(exc).__name__}: {exc}", transient=True) from exc
        return SmsResult(message_id=message.sid or "", response=f"status {message.status}")


def get_backend(config: ChannelConfig) -> BaseSmsBackend:
    if not config.sms_backend:
        raise ConfigurationError(f"Channel {config.channel} has no SMS backend.", field="sms_backend")
    try:
        backend_class = import_string(config.sms_backend)
    except ImportError as exc:
        raise ConfigurationError(f"Cannot import SMS backend {config.sms_backend!r}.", field="sms_backend") from exc
    return backend_class(config)
