"""A small textual progress bar on stderr (tqdm is not a dependency).

On a terminal it redraws one line; elsewhere (cron, CI, logs) it prints a line at most every
10 % so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def raw_stream(wrapper: Any) -> TextIO:
    """The text stream under a command's ``self.stderr``: its ``write`` would end every redraw with a newline."""
    stream: TextIO = wrapper._out
    return stream


class Progress:
    def __init__(self, label: str, total: int | None, *, stream: TextIO | None = None, width: int = 30,
                 enabled: bool = True):
        self.label, self.total, self.width, self.enabled = label, total, width, enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1

    def update(self, step: int = 1) -> None:
        self.done += step
        if not self.enabled:
            return
        if self._tty:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            return
        decile = (10 * self.done // self.total) if self.total else self.done // 100
        if decile != self._last_decile:
            self._last_decile = decile
            self.stream.write(self.line() + "\n")

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = f"{self.done / elapsed:.1f}/s"
        if not self.total:
            return f"{self.label}: {self.done} done ({rate})"
        filled = min(self.width, self.width * self.done // self.total)
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total} ({100 * self.done // self.total}%, {rate})"

    def close(self) -> None:
        if self.enabled:
            if self._tty:
                self.stream.write("\n")
            elif self._last_decile != (10 if self.total else self.done // 100) or self.done == 0:
                self.stream.write(self.line() + "\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
