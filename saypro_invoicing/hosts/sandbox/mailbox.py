"""A loopback SMTP server that keeps every message as an .eml file (the demo's inbox)."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _SaveHandler:
    def __init__(self, folder: Path):
        self.folder = folder
        self.counter = itertools.count(1)
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        self.messages.append(data)
        (self.folder / f"{next(self.counter):03d}.eml").write_bytes(data)
        return "250 OK"


class Mailbox:
    def __init__(self, folder: Path):
        self.handler = _SaveHandler(folder)
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
