"""verify recomputes each stored PDF's SHA-256: a tampered or missing file is reported, with a non-zero exit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saypro_invoicing.archive.verify import verify
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditAction, AuditEntry, BillingDocument
from saypro_invoicing.rendering import ensure_pdf


@pytest.fixture
def stored(db):
    sample.ensure_channel(email_backend="django")
    order = sample.create_order(notify=False)
    sample.pay(str(order.id), notify=False)
    from saypro_invoicing import events

    events.order_changed(str(order.id), send=False)
    documents = [ensure_pdf(d) for d in BillingDocument.objects.filter(order_id=order.id).order_by("type")]
    assert all(d.pdf_sha256 for d in documents)
    return documents


def test_untouched_files_pass(stored):
    out = StringIO()
    call_command("saypro_invoicing_verify", stdout=out, stderr=StringIO())
    assert "2 PDFs checked, 0 problems." in out.getvalue()


def test_tampered_file_is_detected(stored):
    invoice = stored[0]
    path = invoice.pdf.path
    with open(path, "r+b") as handle:  # change bytes in private storage, keep the length
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0xFF]))
    out = StringIO()
    with pytest.raises(CommandError, match="1 stored PDFs do not match"):
        call_command("saypro_invoicing_verify", stdout=out, stderr=StringIO())
    assert f"mismatch: {invoice.number} expected {invoice.pdf_sha256}" in out.getvalue()
    entry = AuditEntry.objects.get(action=AuditAction.VERIFY_FAILED)
    assert entry.document_id == invoice.id and entry.details["problem"] == "mismatch"


def test_missing_file_is_detected(stored):
    receipt = stored[1]
    receipt.pdf.storage.delete(receipt.pdf.name)
    result = verify(record=False)
    assert result.checked == 2
    assert [(p.number, p.problem) for p in result.problems] == [(receipt.number, "missing_file")]
