"""Anonymise documents whose retention period ended; the ledger row and an audit entry stay."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...archive.retention import apply, due_for_anonymisation
from ..progress import Progress, raw_stream
from ._common import run


class Command(BaseCommand):
    help = "After SAYPRO_INVOICING['RETENTION_YEARS'], remove personal data and PDF files of documents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be anonymised; change nothing.")
        parser.add_argument("--channel", default="")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = options["channel"] or None
        total = due_for_anonymisation(channel=channel).count()
        enabled = not (options["no_progress"] or options["dry_run"])
        with Progress("retention", total, stream=raw_stream(self.stderr), enabled=enabled) as bar:
            result = run(lambda: apply(dry_run=options["dry_run"], channel=channel, progress=bar.update))
        if result.dry_run:
            self.stdout.write(f"{result.candidates} documents are past retention and would be anonymised:")
            for number in result.numbers:
                self.stdout.write(f"  {number}")
            return
        self.stdout.write(f"{result.anonymised} documents anonymised, {result.files_removed} PDF files removed.")
