"""Trigger keys: one constructor per reason, one parser, and the stored text they round-trip through."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saypro_invoicing.snapshot import DocumentType
from saypro_invoicing.trigger_keys import TriggerKey, Variant

ORDER = "7f1c2e1a-0000-4000-8000-000000000001"


@pytest.mark.parametrize(("key", "text"), [
    (TriggerKey.invoice(ORDER), f"{ORDER}:invoice:auto"),
    (TriggerKey.manual_invoice(ORDER, 42), f"{ORDER}:invoice:manual:42"),
    (TriggerKey.corrected_invoice(ORDER, 5), f"{ORDER}:invoice:correction:5"),
    (TriggerKey.receipt(ORDER, "pay-1"), f"{ORDER}:receipt:pay-1"),
    (TriggerKey.refund_credit(ORDER, "ref-1"), f"{ORDER}:credit_note:refund:ref-1"),
    (TriggerKey.cancel_credit(ORDER), f"{ORDER}:credit_note:cancel"),
    (TriggerKey.void_credit(ORDER, uuid.UUID(int=1)), f"{ORDER}:credit_note:void:{uuid.UUID(int=1).hex}"),
    (TriggerKey.correction_credit(ORDER, 5), f"{ORDER}:credit_note:correction:5"),
])
def test_the_stored_text_is_unchanged_and_parses_back(key, text):
    # The text is what existing rows hold (a unique column): it must stay exactly as before.
    assert str(key) == text
    assert TriggerKey.parse(text) == key


def test_what_a_key_says():
    refund = TriggerKey.refund_credit(ORDER, "ref:with:colons")
    assert refund.is_refund_credit and not refund.is_manual
    assert refund.kind == DocumentType.CREDIT_NOTE and refund.cause == Variant.REFUND
    assert refund.reference == "ref:with:colons" and refund.order_id == ORDER
    assert TriggerKey.manual_invoice(ORDER, 1).is_manual
    assert not TriggerKey.invoice(ORDER).is_manual
    assert not TriggerKey.cancel_credit(ORDER).is_refund_credit
    # A payment reference that happens to start like a cause is still a receipt's reference.
    receipt = TriggerKey.receipt(ORDER, "refund:1")
    assert not receipt.is_refund_credit and receipt.reference == "refund:1"


@pytest.mark.parametrize("text", ["", "order-1", "order-1:bill:auto", ":invoice:auto"])
def test_text_that_is_not_a_key_is_refused(text):
    with pytest.raises(ValueError):
        TriggerKey.parse(text)


@given(order_id=st.text(min_size=1).filter(lambda s: ":" not in s), reference=st.text())
def test_any_reference_round_trips(order_id, reference):
    for key in (TriggerKey.receipt(order_id, reference), TriggerKey.refund_credit(order_id, reference),
                TriggerKey.manual_invoice(order_id, reference)):
        assert TriggerKey.parse(str(key)) == key
