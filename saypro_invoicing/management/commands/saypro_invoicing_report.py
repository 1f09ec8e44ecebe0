"""The SLA report on the command line: table, CSV or JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...sla.formatting import FORMATS
from ...sla.periods import PERIOD_HELP, parse_period
from ...sla.report import build_report
from ._common import run


class Command(BaseCommand):
    help = "Delivery within 24 h, delivery times and rates, accuracy, corrections, reminders, ageing, breaches, " \
           "reconciliation for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help=PERIOD_HELP)
        parser.add_argument("--channel", default="", help="Channel slug; default: every active channel together.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        def report() -> str:
            start, end = parse_period(options["period"])
            return FORMATS[options["format"]](build_report(options["channel"] or None, start, end))

        self.stdout.write(run(report))
