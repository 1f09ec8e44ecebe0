"""Shared bits of the plugin's management commands: errors with codes, the host's write context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from ...errors import SayproInvoicingError
from ...hosts import writer


def run(action: Callable[[], Any]) -> Any:
    """Run inside the host's write context; our errors become CommandError with their code."""
    try:
        with writer():
            return action()
    except SayproInvoicingError as exc:
        raise CommandError(str(exc)) from exc
