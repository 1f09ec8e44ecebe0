"""Gapless, unique numbering under concurrency, on real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from saypro_invoicing import issuing, numbering
from saypro_invoicing.conf import ChannelConfig
from saypro_invoicing.hosts.sandbox.sample import DEMO_CONFIGURATION, build_snapshot
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.snapshot import DocumentType
from saypro_invoicing.trigger_keys import TriggerKey
from saypro_invoicing.triggers import Planned

CONFIG = ChannelConfig.from_mapping(DEMO_CONFIGURATION, channel="default-channel")


def test_format_number_pads_and_names_year():
    assert numbering.format_number("INV-{year}-{number:06d}", year=2026, number=123) == "INV-2026-000123"
    assert numbering.format_number("R{number}", year=2026, number=7) == "R7"


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        numbering.allocate("c", DocumentType.INVOICE, 2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_exactly_1_to_n():
    """240 receipts from 8 threads, each on its own connection, with a duplicate trigger for every 4th."""
    snapshot = build_snapshot(number="1000")
    total, workers = 240, 8
    barrier = threading.Barrier(workers)
    from dataclasses import replace

    from django.utils import timezone

    now = timezone.now()

    def work(worker: int) -> list[str]:
        barrier.wait()
        numbers = []
        try:
            for i in range(worker, total, workers):
                order = replace(snapshot, order_id=f"order-{i}", order_number=str(1000 + i))
                # Every trigger is issued twice (by two different workers) to race idempotency as well.
                for key_index in (i, (i + 1) % total):
                    plan = Planned(DocumentType.RECEIPT, TriggerKey.receipt(f"order-{key_index}", "p1"), now,
                                   payment=_payment(order.total_gross, now), amount=order.total_gross)
                    result = issuing.issue(order, CONFIG, plan, send=False)
                    numbers.append(result.document.number)
        finally:
            connection.close()
        return numbers

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))

    documents = BillingDocument.objects.filter(type=DocumentType.RECEIPT)
    sequences = sorted(documents.values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    assert documents.values("trigger_key").distinct().count() == total
    assert len(set(documents.values_list("number", flat=True))) == total


def _payment(amount, at):
    from saypro_invoicing.snapshot import Payment

    return Payment(reference="p1", amount=amount, captured_at=at, method="Card")
