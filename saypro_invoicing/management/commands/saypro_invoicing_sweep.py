"""Cron equivalent of the sweeper's beat entry: repair missed documents and stalled deliveries, check deadlines."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...actions import sweep
from ._common import run


class Command(BaseCommand):
    help = "Issue documents the hooks missed, re-queue stalled deliveries, raise deadline warnings and breaches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", action="append", help="Only this channel (repeatable). Default: all active.")
        parser.add_argument("--lookback-days", type=int, default=None,
                            help="How far back to look (default SAYPRO_INVOICING['SLA_LOOKBACK_DAYS'], 7).")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run(lambda: sweep(channels=options["channel"], lookback_days=options["lookback_days"]))
        self.stdout.write(result.summary())
        for error in result.errors:
            self.stderr.write(error)
