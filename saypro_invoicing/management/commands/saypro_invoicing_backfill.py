"""Issue documents for past orders, in batches, resumable; no email unless --send."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...sla.backfill import backfill, remaining
from ...sla.periods import date_range
from ..progress import Progress, raw_stream
from ._common import run


class Command(BaseCommand):
    help = "Issue the documents orders changed between --from and --to call for. Re-run with the same options " \
           "to continue an interrupted run; documents are never issued twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="First day (YYYY-MM-DD, UTC).")
        parser.add_argument("--to", dest="last", required=True, help="Last day, included (YYYY-MM-DD, UTC).")
        parser.add_argument("--channel", default="", help="Channel slug; default: every active channel.")
        parser.add_argument("--send", action="store_true", help="Email the documents (default: issue only).")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--max-batches", type=int, default=None, help="Stop after this many batches.")
        parser.add_argument("--restart", action="store_true", help="Forget the saved cursor and start over.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = run(lambda: date_range(options["first"], options["last"]))
        channel, send = options["channel"] or None, options["send"]
        total = None if options["restart"] else run(lambda: remaining(start, end, channel, send))
        with Progress("backfill", total, stream=raw_stream(self.stderr), enabled=not options["no_progress"]) as bar:
            result = run(lambda: backfill(start, end, channel=channel, send=send, batch_size=options["batch_size"],
                                          max_batches=options["max_batches"], restart=options["restart"],
                                          progress=bar.update))
        state = "finished" if result.finished else "paused (run the same command again to continue)"
        self.stdout.write(f"{result.processed} orders processed, {result.issued} documents issued in "
                          f"{result.batches} batches; {result.total_processed} orders in this run so far; {state}.")
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} orders failed; fix them and run the command with --restart.")
