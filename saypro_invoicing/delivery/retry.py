"""Retry policy: which failures are worth another try, and when the next try is due.

Transient: the server or the network may be fine later (connection refused, timeout, a dropped
connection, SMTP 4xx, an ESP's 5xx or 429). Permanent: the same message will be refused again
(SMTP 5xx, an ESP's 4xx). A refused *recipient* is a bounce, which also suppresses the address.
"""

from __future__ import annotations

import random
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..conf import ChannelConfig

# Every retry of a document fits in this window after its first attempt (the 24-hour promise).
DELIVERY_WINDOW = timedelta(hours=24)
# Jitter only ever shortens a delay, so a configured maximum is a true maximum and delays still grow.
JITTER_FRACTION = 0.15


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    BOUNCE = "bounce"  # the recipient was refused for good: BOUNCED, and the address is suppressed
    REJECTED = "rejected"  # this message was refused for good, but not the address
    PERMANENT = "permanent"  # anything else that will not get better by retrying


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    text: str
    smtp_code: int | None = None

    @property
    def is_transient(self) -> bool:
        return self.kind == FailureKind.TRANSIENT


def _reply_text(code: int | None, message: bytes | str | None) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message or "")
    return f"{code} {text}".strip() if code is not None else text


def _by_code(code: int | None, text: str, permanent: FailureKind) -> Failure:
    if code is not None and 500 <= code < 600:
        return Failure(permanent, text, code)
    return Failure(FailureKind.TRANSIENT, text, code)


def classify(exc: BaseException) -> Failure:
    """Sort an exception raised while sending into transient, bounce, rejected or permanent."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message: the first reply is the one that counts.
        code, message = next(iter(exc.recipients.values()), (None, b""))
        return _by_code(code, _reply_text(code, message), FailureKind.BOUNCE)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # Our From address was refused: not the customer's fault, never a reason to suppress them.
        return _by_code(exc.smtp_code, _reply_text(exc.smtp_code, exc.smtp_error), FailureKind.PERMANENT)
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(exc.smtp_code, _reply_text(exc.smtp_code, exc.smtp_error), FailureKind.REJECTED)
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        # A server that will not talk to us now (busy, greylisting, restarting) may well later.
        return Failure(FailureKind.TRANSIENT, _reply_text(exc.smtp_code, exc.smtp_error), exc.smtp_code)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Credentials are fixed by staff; retrying lets the document go out once they are.
        return Failure(FailureKind.TRANSIENT, _reply_text(exc.smtp_code, exc.smtp_error), exc.smtp_code)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, _reply_text(exc.smtp_code, exc.smtp_error), FailureKind.PERMANENT)
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPException, socket.timeout, TimeoutError,
                        ConnectionError, OSError)):
        return Failure(FailureKind.TRANSIENT, f"{name}: {exc}")
    anymail = _classify_anymail(exc)
    if anymail is not None:
        return anymail
    # Unknown errors are retried: the attempt limit bounds them, and giving up early loses a document.
    return Failure(FailureKind.TRANSIENT, f"{name}: {exc}")


def _classify_anymail(exc: BaseException) -> Failure | None:
    try:
        from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency, but keep the core importable
        return None
    if isinstance(exc, AnymailRecipientsRefused):
        return Failure(FailureKind.BOUNCE, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            return Failure(FailureKind.PERMANENT, f"ESP HTTP {status}: {exc}")
        return Failure(FailureKind.TRANSIENT, f"ESP HTTP {status}: {exc}")
    return None


def backoff_seconds(config: ChannelConfig, attempt_number: int, rng: random.Random | None = None) -> int:
    """Delay after the given (1-based) failed attempt: base * 2^(n-1), capped, minus up to 15% jitter."""
    exponent = max(attempt_number - 1, 0)
    delay = min(config.retry_base_seconds * (2 ** min(exponent, 30)), config.retry_max_seconds)
    jitter = (rng or random).uniform(0, JITTER_FRACTION)
    return max(1, int(delay * (1 - jitter)))


def next_retry_at(config: ChannelConfig, attempt_number: int, *, now: datetime, first_attempt_at: datetime,
                  rng: random.Random | None = None) -> datetime | None:
    """When to try again, or None when the attempts or the delivery window are used up."""
    if attempt_number >= config.retry_max_attempts:
        return None
    due = now + timedelta(seconds=backoff_seconds(config, attempt_number, rng))
    deadline = first_attempt_at + DELIVERY_WINDOW
    if now >= deadline:
        return None
    return min(due, deadline)
