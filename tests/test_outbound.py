"""One outbound pipeline: every kind of message leaves through ``outbound`` and gets one status by one set
of rules, against a real SMTP server on loopback."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.delivery import outbound
from saypro_invoicing.delivery.outbound import MessageKind
from saypro_invoicing.models.delivery import AttemptStatus

PACKAGE = Path(__file__).resolve().parent.parent / "saypro_invoicing"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def config(smtp_server) -> ChannelConfig:
    return ChannelConfig(channel="default-channel", active=True, from_email="billing@shop.example",
                         **{k: v for k, v in smtp_server.channel_config().items() if k != "from_email"})


def message(to: str = "jane@example.com") -> EmailMessage:
    return EmailMessage("Subject", "Body", "billing@shop.example", [to])


@pytest.mark.parametrize("kind", list(MessageKind))
def test_accepted_is_sent_whatever_the_kind(kind, config, smtp_server):
    attempted = outbound.send_email(kind, config, message())
    assert attempted.sent and attempted.status == AttemptStatus.SENT and attempted.response.startswith("250")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["jane@example.com"]]


def test_a_deferral_is_retried_with_the_channels_backoff(config, smtp_server):
    smtp_server.defer_all()
    attempted = outbound.send_email(MessageKind.STAFF_ALERT, config, message(), attempt_number=1,
                                    first_attempt_at=NOW, now=NOW)
    assert attempted.status == AttemptStatus.DEFERRED and attempted.error_code == "smtp_451"
    assert NOW < attempted.retry_at <= NOW + timedelta(seconds=config.retry_base_seconds)


def test_the_last_try_of_a_deferral_fails(config, smtp_server):
    smtp_server.defer_all()
    attempted = outbound.send_email(MessageKind.DOCUMENT, config, message(),
                                    attempt_number=config.retry_max_attempts, first_attempt_at=NOW, now=NOW)
    assert attempted.status == AttemptStatus.FAILED and attempted.retry_at is None


def test_a_refused_recipient_bounces(config, smtp_server):
    smtp_server.reject_all()
    attempted = outbound.send_email(MessageKind.CORRECTION_REPLY, config, message())
    assert attempted.status == AttemptStatus.BOUNCED and attempted.error_code == "smtp_550"


def test_a_server_that_is_down_is_transient(config, smtp_server):
    smtp_server.stop()
    attempted = outbound.send_email(MessageKind.SLA_REPORT, config, message(), now=NOW, first_attempt_at=NOW)
    assert attempted.status == AttemptStatus.DEFERRED and attempted.failure.is_transient


def test_missing_settings_wait_for_staff_to_fix_them(config, smtp_server):
    attempted = outbound.send_email(MessageKind.REMINDER, config.replace(from_email=""), message(), now=NOW,
                                    first_attempt_at=NOW)
    assert attempted.status == AttemptStatus.DEFERRED and attempted.invalid_configuration
    assert smtp_server.messages == []


def test_sms_follows_the_same_rules(config):
    attempted = outbound.send_sms(config.replace(sms_backend="no.such.Backend"), "+4915100000000", "text",
                                  now=NOW, first_attempt_at=NOW)
    assert attempted.status == AttemptStatus.DEFERRED and attempted.invalid_configuration


def test_nothing_else_hands_mail_to_a_server():
    """The connection (and the SMS backends) are used by ``outbound`` alone."""
    users = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("send_messages", "get_backend") or (
                    isinstance(node, ast.Attribute) and node.attr == "send"
                    and isinstance(node.value, ast.Name) and node.value.id == "connection"):
                users.add(str(path.relative_to(PACKAGE)))
    assert users <= {"delivery/outbound.py", "delivery/connection.py", "delivery/sms_backends.py"}
