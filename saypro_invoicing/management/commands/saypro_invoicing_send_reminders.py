"""Send the reminders that are due for unpaid invoices (for cron; Celery beat runs the same task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saypro_invoicing.delivery.queue import retry_due
from saypro_invoicing.delivery.reminders import send_due_reminders
from saypro_invoicing.hosts import writer


class Command(BaseCommand):
    help = "Send due payment reminders for unpaid invoices (and, with --retries, due delivery retries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retries", action="store_true",
                            help="Also send deliveries whose retry time has come (for installs without beat).")

    def handle(self, *args: Any, **options: Any) -> None:
        with writer():
            sent = send_due_reminders()
            self.stdout.write(f"Reminders sent: {sent}")
            if options["retries"]:
                self.stdout.write(f"Retries queued: {retry_due()}")
