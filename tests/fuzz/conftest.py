"""The fuzz suite's shared pieces: the shop with every kind of record to aim at, and the outcome report."""

from __future__ import annotations

from typing import Any

import pytest
from graphql_relay import to_global_id
from hypothesis import HealthCheck, settings

from saypro_invoicing import corrections
from tests.fuzz import oracle
from tests.fuzz.documents import Pools

FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,  # nothing written into the working tree
    "suppress_health_check": list(HealthCheck),
    "print_blob": True,
}


def fuzz_settings(examples: int) -> settings:
    """``examples`` in the normal run (derandomized: the same cases every time); ``SAYPRO_FUZZ_SCALE``
    times as many, freshly random, under ``make fuzz``."""
    return settings(max_examples=examples * oracle.SCALE, derandomize=oracle.SCALE == 1, **FUZZ_SETTINGS)


@pytest.fixture
def fuzz_shop(shop) -> Any:
    """The GraphQL shop plus an open correction request, and pools of the real ids in it."""
    corrections.request_correction(shop.docs["a_invoice"], reason="Wrong company name.",
                                   company_name="Alice GmbH", requested_by=str(shop.users["customer_a"].pk))
    from saypro_invoicing.models import CorrectionRequest

    shop.pools = Pools(
        documents=[to_global_id("BillingDocument", str(d.id)) for d in shop.docs.values()],
        corrections=[to_global_id("BillingDocumentCorrectionRequest", str(r.id))
                     for r in CorrectionRequest.objects.all()],
        orders=[*shop.orders.values(), *(to_global_id("Order", o) for o in shop.orders.values())],
        emails=["alice@example.com", "bob@example.com", "guest@example.com", "other@example.org"],
    )
    shop.matrix = oracle.Matrix(shop.users)
    return shop


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not oracle.COUNTS:
        return
    terminalreporter.section("fuzz outcomes")
    grand = 0
    for area, counts in sorted(oracle.COUNTS.items()):
        grand += sum(counts.values())
        figures = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        terminalreporter.write_line(f"{area}: {sum(counts.values())} cases ({figures})")
    failures = sum(counts[f] for counts in oracle.COUNTS.values() for f in oracle.FAILURES)
    terminalreporter.write_line(f"total: {grand} generated cases, {failures} failures "
                                "(server errors, tracebacks, database errors, leaks)")
