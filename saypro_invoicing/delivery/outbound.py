"""The one way out: every message the plugin sends (document emails, reminders, delivery confirmations,
staff alerts, SLA reports, correction replies, SMS) leaves through ``send_email`` or ``send_sms``.

One try in, one ``Attempted`` out, decided by one set of rules: accepted is SENT; a transient failure
is DEFERRED until the channel's backoff says when (FAILED once the attempts or the 24-hour window are
used up); a refused recipient or message is BOUNCED; anything else permanent is FAILED. The caller
writes the try's record (a DeliveryAttempt for customer mail and SMS) and does what its kind of
message needs next (alerts, suppression, fallback), but never decides a status itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.core.mail import EmailMessage
from django.utils import timezone

from ..conf import ChannelConfig
from ..errors import ConfigurationError
from ..models.delivery import AttemptStatus
from . import connection
from .retry import Failure, FailureKind, backoff_seconds, classify, next_retry_at
from .sms_backends import SmsError, get_backend

logger = logging.getLogger(__name__)

INVALID_CONFIGURATION = "invalid_configuration"


class MessageKind(StrEnum):
    DOCUMENT = "document"
    RESEND = "resend"
    FALLBACK = "fallback"
    REMINDER = "reminder"
    CONFIRMATION = "confirmation"
    STAFF_ALERT = "staff_alert"
    SLA_REPORT = "sla_report"
    CORRECTION_REPLY = "correction_reply"
    SMS = "sms"


class OutboundFailed(Exception):
    """For callers that must fail loudly (a task, an atomic block to roll back) when a message did not leave."""


@dataclass(frozen=True)
class Attempted:
    status: AttemptStatus  # SENT, DEFERRED, BOUNCED or FAILED
    provider_message_id: str = ""
    response: str = ""
    error_code: str = ""
    failure: Failure | None = None
    retry_at: datetime | None = None  # DEFERRED: when the next try is due

    @property
    def sent(self) -> bool:
        return self.status == AttemptStatus.SENT

    @property
    def invalid_configuration(self) -> bool:
        return self.error_code == INVALID_CONFIGURATION


def check_email_config(config: ChannelConfig) -> None:
    if not config.from_email:
        raise ConfigurationError(f"Channel {config.channel} has no From address.", field="from_email")
    if config.email_backend == "smtp" and not config.smtp_host:
        raise ConfigurationError(f"Channel {config.channel} has no SMTP host.", field="smtp_host")


def send_email(kind: MessageKind, config: ChannelConfig, message: EmailMessage, *, attempt_number: int = 1,
               first_attempt_at: datetime | None = None, now: datetime | None = None) -> Attempted:
    """Hand one email to the channel's mail server, once; never raises for a failed send."""
    try:
        check_email_config(config)
        result = connection.send(config, message)
    except Exception as exc:  # noqa: BLE001 - every failure is classified and returned, none is lost
        return failure_of(kind, config, exc, message.to[0] if message.to else "", attempt_number, first_attempt_at,
                       now)
    return Attempted(AttemptStatus.SENT, provider_message_id=result.provider_message_id[:255],
                     response=result.response[:2000])


def send_sms(config: ChannelConfig, to: str, text: str, *, attempt_number: int = 1,
             first_attempt_at: datetime | None = None, now: datetime | None = None) -> Attempted:
    """Hand one SMS to the channel's SMS backend, once; never raises for a failed send."""
    try:
        result = get_backend(config).send(to, text)
    except Exception as exc:  # noqa: BLE001 - classified like an email failure
        return failure_of(MessageKind.SMS, config, exc, to, attempt_number, first_attempt_at, now)
    return Attempted(AttemptStatus.SENT, provider_message_id=result.message_id[:255], response=result.response[:2000])


def retry_in_seconds(config: ChannelConfig, attempt_number: int) -> int:
    """For messages without a delivery window (staff alerts): the channel's backoff after this try."""
    return backoff_seconds(config, attempt_number)


def _classify(exc: Exception) -> tuple[Failure, str]:
    if isinstance(exc, ConfigurationError):
        # Staff fix the settings; retrying lets the message go out once they have.
        return Failure(FailureKind.TRANSIENT, str(exc)), INVALID_CONFIGURATION
    if isinstance(exc, SmsError):
        return Failure(FailureKind.TRANSIENT if exc.transient else FailureKind.PERMANENT, str(exc)), ""
    failure = classify(exc)
    return failure, (f"smtp_{failure.smtp_code}" if failure.smtp_code else "")


def failure_of(kind: MessageKind, config: ChannelConfig, exc: Exception, recipient: str, attempt_number: int = 1,
               first_attempt_at: datetime | None = None, now: datetime | None = None) -> Attempted:
    """What a failed try means, by the one set of rules (also for a failure before the hand-over)."""
    failure, code = _classify(exc)
    logger.warning("saypro_invoicing: %s to %s failed (%s): %s", kind.value, recipient, failure.kind, failure.text)
    text, code = failure.text[:2000], code or failure.kind.value
    if failure.is_transient:
        now = now or timezone.now()
        retry_at = next_retry_at(config, attempt_number, now=now, first_attempt_at=first_attempt_at or now)
        status = AttemptStatus.DEFERRED if retry_at is not None else AttemptStatus.FAILED
        return Attempted(status, response=text, error_code=code, failure=failure, retry_at=retry_at)
    status = AttemptStatus.FAILED if failure.kind == FailureKind.PERMANENT else AttemptStatus.BOUNCED
    return Attempted(status, response=text, error_code=code, failure=failure)
