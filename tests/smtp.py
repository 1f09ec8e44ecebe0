"""A real SMTP server on loopback (aiosmtpd) that tests can tell to accept, defer (4xx), reject (5xx) or be down.

Use the ``smtp_server`` fixture (import it into the test module). Received messages are parsed
with the standard ``email`` package.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from io import BytesIO

import pytest
from aiosmtpd.controller import Controller

ACCEPT, DEFER, REJECT = "accept", "defer", "reject"
DEFER_REPLY = "451 4.3.0 Mailbox temporarily unavailable, try again later"
REJECT_REPLY = "550 5.1.1 Recipient address rejected: User unknown"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.get_filename():
                return part.get_content()
        raise AssertionError(f"No {content_type} part in {self.subject!r}")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
                for part in self.message.walk() if part.get_filename()]

    def pdf_text(self) -> str:
        from pypdf import PdfReader

        pdfs = [data for _name, ctype, data in self.attachments() if ctype == "application/pdf"]
        assert len(pdfs) == 1, f"expected one PDF attachment, found {len(pdfs)}"
        return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdfs[0])).pages)


@dataclass
class _Handler:
    mode: str = ACCEPT
    rules: dict[str, str] = field(default_factory=dict)
    defer_counts: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rcpt_log: list[tuple[str, str]] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)  # one entry per SMTP connection that sent a RCPT
    lock: threading.Condition = field(default_factory=threading.Condition)

    def _action(self, address: str) -> str:
        address = address.lower()
        with self.lock:
            if self.defer_counts.get(address, 0) > 0:
                self.defer_counts[address] -= 1
                return DEFER
            return self.rules.get(address, self.mode)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        action = self._action(address)
        with self.lock:
            self.rcpt_log.append((address.lower(), action))
            if id(session) not in self.sessions:
                self.sessions.append(id(session))
        if action == REJECT:
            return REJECT_REPLY
        if action == DEFER:
            return DEFER_REPLY
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            number = len(self.received)
            self.lock.notify_all()
        return f"250 2.0.0 Ok: queued as TEST{number:05d}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """The controllable server. ``port`` stays the same across stop()/start()."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._controller: Controller | None = None

    # --- control
    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.handler, hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        """Down: the port refuses connections."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def accept_all(self) -> None:
        self.handler.mode = ACCEPT
        self.handler.rules.clear()

    def defer_all(self) -> None:
        self.handler.mode = DEFER

    def reject_all(self) -> None:
        self.handler.mode = REJECT

    def set_rule(self, address: str, action: str) -> None:
        self.handler.rules[address.lower()] = action

    def defer_next(self, address: str, times: int) -> None:
        """Answer 4xx to the next ``times`` deliveries to the address, then follow the rules."""
        with self.handler.lock:
            self.handler.defer_counts[address.lower()] = times

    # --- inspection
    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]

    @property
    def rcpt_log(self) -> list[tuple[str, str]]:
        with self.handler.lock:
            return list(self.handler.rcpt_log)

    @property
    def connections(self) -> int:
        with self.handler.lock:
            return len(self.handler.sessions)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """Block until at least ``count`` messages arrived (for tests with real worker processes)."""
        deadline = time.monotonic() + timeout
        with self.handler.lock:
            while len(self.handler.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.handler.lock.wait(remaining)
            return list(self.handler.received)

    def channel_config(self) -> dict[str, object]:
        """Overrides for sample.ensure_channel() pointing the channel at this server."""
        return {"smtp_host": self.host, "smtp_port": str(self.port), "smtp_use_tls": False, "smtp_use_ssl": False,
                "email_backend": "smtp"}


@pytest.fixture
def smtp_server():
    from saypro_invoicing.delivery.connection import close_connections

    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        close_connections()
        server.stop()
