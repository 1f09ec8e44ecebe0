"""A local SMTP server in its own process that accepts everything and counts what it received.

Its own process, so that the server's work does not share the sender's GIL. Protocol on stdin/stdout:
it prints ``READY <port>``; a line ``stats`` on stdin answers one JSON line; end of stdin stops it
after a last JSON line. Stats: message count, bytes, and how often each attached file name arrived
(a document's PDF file name carries its number, so a repeat is a duplicate delivery).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FILENAME = re.compile(rb'filename="?([^";\r\n]+\.pdf)', re.IGNORECASE)


class CountingHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.bytes = 0
        self.attachments: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content or b""
        names = {m.decode("utf-8", "replace") for m in FILENAME.findall(data[:200_000])}
        with self.lock:
            self.messages += 1
            self.bytes += len(data)
            self.attachments.update(names)
        return "250 OK: queued"

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"messages": self.messages, "bytes": self.bytes, "attachments": dict(self.attachments)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve() -> None:
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    print(f"READY {port}", flush=True)
    for line in sys.stdin:
        if line.strip() == "stats":
            print(json.dumps(handler.stats()), flush=True)
    controller.stop()
    print(json.dumps(handler.stats()), flush=True)


class SMTPServerProcess:
    """The server above as a subprocess: ``with SMTPServerProcess() as smtp: smtp.port ...``."""

    def __enter__(self) -> SMTPServerProcess:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.smtp"], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            raise RuntimeError(f"SMTP server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def stats(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def __exit__(self, *exc: object) -> None:
        try:
            self.final = self.stats()
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a stuck server must not hang the benchmark
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    serve()
