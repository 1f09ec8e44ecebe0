"""Generated host data: paid orders whose texts (any str field, however deep) carry NUL bytes, controls,
lone surrogates or absurd lengths, and whose times may be naive, through the single entry point.

Each order goes through ``events.snapshot_changed`` as a host hook would send it. Allowed: documents
issued or held for review with cleaned texts, or the order refused with a coded error; never a
database error or another exception.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from saypro_invoicing import events
from saypro_invoicing.errors import SayproInvoicingError
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.snapshot import Address, OrderSnapshot, Payment
from tests.fuzz import oracle, values
from tests.fuzz.conftest import fuzz_settings

pytestmark = pytest.mark.django_db

EXAMPLES = 150
AREA = "host_snapshots"
_BAD = ("\x00", "\ud800", "\x1b", "\x7f", "\x85")


def _paid(snapshot: OrderSnapshot) -> OrderSnapshot:
    at = timezone.now() - timedelta(minutes=1)
    payment = Payment(reference="txn-1", amount=snapshot.total_gross, captured_at=at, method="Visa", gateway="sandbox")
    return dataclasses.replace(snapshot, order_id=str(uuid.uuid4()), order_number=f"F-{uuid.uuid4().hex[:8]}",
                               status="unfulfilled", charge_status="full", total_charged=snapshot.total_gross,
                               payments=(payment,), paid_at=at, confirmed_at=at)


def _str_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths (field names and tuple indexes) of every str field of a dataclass tree."""
    found = []
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            child = getattr(value, field.name)
            if isinstance(child, str):
                found.append((*path, field.name))
            else:
                found.extend(_str_paths(child, (*path, field.name)))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            found.extend(_str_paths(item, (*path, index)))
    return found


def _set(value: Any, path: tuple, new: Any) -> Any:
    head, rest = path[0], path[1:]
    if isinstance(value, tuple):
        items = list(value)
        items[head] = _set(items[head], rest, new) if rest else new
        return tuple(items)
    current = getattr(value, head)
    return dataclasses.replace(value, **{head: _set(current, rest, new) if rest else new})


@st.composite
def host_snapshots(draw: Any) -> OrderSnapshot:
    name = draw(values.hostile_text(40))
    snapshot = _paid(sample.build_snapshot(
        email=draw(st.sampled_from(["jane@example.com", "x" * 300 + "@example.com", "ja\x00ne@example.com"])),
        billing_address=Address(first_name=name, last_name="Doe", street_address_1="Main 5", city="Berlin",
                                country="DE"),
        lines=[(draw(values.hostile_text(30)), "SKU-1", 1, "10.00", "0.19")]))
    paths = _str_paths(snapshot)
    for path in draw(st.lists(st.sampled_from(paths), max_size=6)):
        if path in (("channel",),) and draw(st.integers(0, 3)):
            continue  # mostly keep the channel (else nothing is issued at all)
        snapshot = _set(snapshot, path, draw(st.one_of(values.hostile_text(40), st.sampled_from(_BAD))))
    if draw(st.integers(0, 4)) == 0:
        snapshot = dataclasses.replace(snapshot, created_at=snapshot.created_at.replace(tzinfo=None))
    return snapshot


def _stored_text_is_clean(document: BillingDocument) -> bool:
    fields = (document.order_id, document.order_number, document.customer_email, document.customer_name,
              document.channel, document.currency, str(document.content))
    return not any(bad in text for text in fields for bad in _BAD[:2])


def test_generated_host_snapshots(fuzz_shop):
    @fuzz_settings(EXAMPLES)
    @given(snapshot=host_snapshots())
    def run(snapshot):
        before = BillingDocument.objects.count()
        try:
            results = events.snapshot_changed(snapshot, send=False)
        except SayproInvoicingError as error:
            oracle.record(AREA, f"refused_{error.code.value}")
            return
        except Exception as exc:  # noqa: BLE001 - anything else out of the entry point is the finding
            oracle.classify_exception(AREA, exc)
            raise
        created = [r.document for r in results if r.created]
        for document in created:
            document.refresh_from_db()
            if not _stored_text_is_clean(document):
                oracle.record(AREA, "server_error", f"stored uncleaned text in {document.pk}")
        held = any(d.status == DocumentStatus.NEEDS_REVIEW for d in created)
        outcome = "held" if held else "issued" if created else "nothing_issued"
        assert BillingDocument.objects.count() == before + len(created)
        oracle.record(AREA, outcome)

    run()
    assert oracle.total(AREA) >= EXAMPLES * oracle.SCALE
