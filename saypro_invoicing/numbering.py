"""Gapless document numbers per (channel, type, fiscal year).

The sequence row is locked with SELECT ... FOR UPDATE inside the issuing transaction, so a
number is only consumed if the document that carries it commits: no gaps, no duplicates.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from .models import NumberSequence
from .snapshot import DocumentType


def fiscal_year(moment: datetime) -> int:
    return moment.year


def allocate(channel: str, doc_type: DocumentType, year: int) -> int:
    """The next number; must run inside the transaction that saves the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Numbers must be allocated inside the issuing transaction.")
    # Create the row without racing: concurrent first issuers must not both insert.
    NumberSequence.objects.bulk_create(
        [NumberSequence(channel=channel, type=doc_type, fiscal_year=year)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(channel=channel, type=doc_type, fiscal_year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def format_number(pattern: str, *, year: int, number: int) -> str:
    return pattern.format(year=year, number=number)
