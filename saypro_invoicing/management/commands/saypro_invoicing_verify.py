"""Recompute every stored PDF's SHA-256; exit non-zero on any mismatch or missing file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...archive.verify import stored_documents, verify
from ..progress import Progress, raw_stream
from ._common import run


class Command(BaseCommand):
    help = "Check that every stored PDF still has the SHA-256 recorded when it was issued."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", default="")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = options["channel"] or None
        total = stored_documents(channel).count()
        with Progress("verify", total, stream=raw_stream(self.stderr), enabled=not options["no_progress"]) as bar:
            result = run(lambda: verify(channel, progress=bar.update))
        for problem in result.problems:
            self.stdout.write(f"{problem.problem}: {problem.number or problem.document_id} "
                              f"expected {problem.expected or '-'} actual {problem.actual or '-'}")
        self.stdout.write(f"{result.checked} PDFs checked, {len(result.problems)} problems.")
        if not result.ok:
            raise CommandError(f"{len(result.problems)} stored PDFs do not match their recorded SHA-256.")
