"""The accountant's zip: PDFs plus ledger.csv for documents issued in a date range."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...archive.export import documents_to_export, export
from ...sla.periods import date_range
from ..progress import Progress, raw_stream
from ._common import run


class Command(BaseCommand):
    help = "Write the PDFs and a CSV ledger of documents issued between --from and --to into a zip file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="First issue day (YYYY-MM-DD, UTC).")
        parser.add_argument("--to", dest="last", required=True, help="Last issue day, included.")
        parser.add_argument("--out", required=True, help="The zip file to write.")
        parser.add_argument("--channel", default="")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = run(lambda: date_range(options["first"], options["last"]))
        channel = options["channel"] or None
        total = documents_to_export(start, end, channel).count()
        with Progress("export", total, stream=raw_stream(self.stderr), enabled=not options["no_progress"]) as bar:
            result = run(lambda: export(options["out"], start, end, channel=channel, progress=bar.update))
        self.stdout.write(f"{result.documents} documents ({result.files} PDFs) written to {result.path}.")
