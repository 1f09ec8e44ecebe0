"""The accountant's export: the zip's ledger.csv matches the documents and the PDFs beside it."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time
from pypdf import PdfReader

from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument

DAY = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def documents(db, django_capture_on_commit_callbacks):
    sample.ensure_channel(email_backend="django")
    with django_capture_on_commit_callbacks(execute=True):
        with freeze_time(DAY):
            full = sample.create_order(created_at=DAY, email="ana@example.com")
            sample.pay(str(full.id), at=DAY)
        with freeze_time(DAY + timedelta(days=1)):
            split = sample.create_order(created_at=DAY, email="ben@example.com")
            sample.pay(str(split.id), "30.00")  # a partial payment: a receipt for 30.00
            sample.pay(str(split.id))
            sample.refund(str(split.id), "10.00")
        with freeze_time(DAY + timedelta(days=40)):  # after --to
            later = sample.create_order(created_at=DAY)
            sample.pay(str(later.id))
    return BillingDocument.objects.filter(issued_at__lt=DAY + timedelta(days=30))


def test_export_csv_matches_documents_and_pdfs(documents, tmp_path):
    out = tmp_path / "export.zip"
    stdout, stderr = StringIO(), StringIO()
    call_command("saypro_invoicing_export", "--from", "2026-05-01", "--to", "2026-05-31", "--out", str(out),
                 stdout=stdout, stderr=stderr)
    assert documents.count() == 6  # invoice + receipt; invoice + 2 receipts + credit note
    assert "6 documents (6 PDFs)" in stdout.getvalue()
    assert "export [" in stderr.getvalue() and "6/6" in stderr.getvalue()

    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("ledger.csv").decode("utf-8-sig"))))
        files = {name: archive.read(name) for name in archive.namelist() if name.endswith(".pdf")}
    assert list(rows[0])[:8] == ["number", "type", "reference", "date", "order", "customer", "currency", "net"]
    assert list(rows[0])[8:] == ["tax_7%", "tax_19%", "gross", "status", "sha256", "channel", "file"]
    assert len(rows) == 6 and len(files) == 6

    by_number = {(d.type, d.number): d for d in documents}
    for row in rows:
        document = by_number[(row["type"], row["number"])]
        assert row["date"] == document.issued_at.date().isoformat()
        assert row["order"] == document.order_number
        assert row["customer"] == "Jane Doe"  # the billing name of the sample orders
        assert row["currency"] == "EUR"
        assert Decimal(row["gross"]) == document.total
        if row["type"] == "receipt":
            # A receipt is a payment against its invoice: VAT is counted on the invoice only.
            assert (row["net"], row["tax_7%"], row["tax_19%"]) == ("", "", "")
            assert row["reference"] == by_number.get(("invoice", row["reference"])).number
        else:
            assert Decimal(row["net"]) == document.total_net
            # Per-rate tax adds up to the document's own tax.
            taxes = Decimal(row["tax_7%"] or 0) + Decimal(row["tax_19%"] or 0)
            assert taxes == document.total - document.total_net == document.tax_total
        assert row["status"] == document.status
        data = files[row["file"]]
        assert row["sha256"] == document.pdf_sha256 == hashlib.sha256(data).hexdigest()
        assert document.number in PdfReader(io.BytesIO(data)).pages[0].extract_text()

    # Worked by hand for the sample order: 2 x 19.99 at 19 % (net 33.60) + shipping 4.90 at 19 % (net 4.12)
    # -> tax 6.38 + 0.78 = 7.16; coffee 24.50 at 7 % (net 22.90) -> 1.60.
    invoice = next(r for r in rows if r["type"] == "invoice" and r["customer"] and r["gross"] == "69.38"
                   and by_number[("invoice", r["number"])].customer_email == "ana@example.com")
    assert (invoice["tax_19%"], invoice["tax_7%"], invoice["net"]) == ("7.16", "1.60", "60.62")
    # Summing the period's tax columns counts VAT once: invoices minus credit notes.
    vat = sum((Decimal(r["tax_7%"] or 0) + Decimal(r["tax_19%"] or 0)) * (-1 if r["type"] == "credit_note" else 1)
              for r in rows)
    assert vat == sum((d.tax_total * (-1 if d.type == "credit_note" else 1) for d in documents
                       if d.type != "receipt"), Decimal(0))
    credit = next(r for r in rows if r["type"] == "credit_note")
    assert credit["reference"] and by_number[("invoice", credit["reference"])]
    assert {r["type"] for r in rows} == {"invoice", "receipt", "credit_note"}


def test_export_renders_missing_pdfs_and_writes_atomically(documents, tmp_path):
    BillingDocument.objects.update(pdf="", pdf_sha256="", rendered_at=None)
    out = tmp_path / "again.zip"
    call_command("saypro_invoicing_export", "--from", "2026-05-01", "--to", "2026-05-31", "--out", str(out),
                 "--no-progress", stdout=StringIO())
    assert all(d.pdf and d.pdf_sha256 for d in documents.all())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.zip", "private"]
