"""Retention: no deletion before the retention period ends; afterwards personal data and files go, the ledger stays."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from freezegun import freeze_time

from saypro_invoicing import events
from saypro_invoicing.archive.guards import RetentionError
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import AuditAction, AuditEntry, BillingDocument, DeliveryAttempt
from saypro_invoicing.models.delivery import AttemptStatus
from saypro_invoicing.rendering import ensure_pdf

ISSUED = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def issued(db):
    sample.ensure_channel(email_backend="django")
    with freeze_time(ISSUED):
        order = sample.create_order(notify=False, email="private@example.com", user_id="42")
        sample.pay(str(order.id), notify=False)
        events.order_changed(str(order.id), send=False)
    documents = [ensure_pdf(d) for d in BillingDocument.objects.filter(order_id=order.id).order_by("type")]
    DeliveryAttempt.objects.create(document=documents[0], recipient="private@example.com",
                                   status=AttemptStatus.SENT, started_at=ISSUED)
    return documents


def test_retention_end_is_set_and_early_deletion_refused(issued):
    invoice = issued[0]
    invoice.refresh_from_db()
    assert invoice.retain_until == ISSUED.replace(year=2036)
    # Django deletes inside an atomic block without a savepoint: a caller that goes on after the
    # refusal needs its own (as any caller catching a database-side error does).
    with pytest.raises(RetentionError) as caught, transaction.atomic():
        invoice.delete()
    assert caught.value.code == "retention_active"
    with freeze_time(datetime(2036, 2, 9, tzinfo=UTC)), pytest.raises(RetentionError), transaction.atomic():
        BillingDocument.objects.filter(pk=invoice.pk).delete()  # queryset deletes are guarded too
    assert BillingDocument.objects.count() == 2


def test_retention_command_anonymises_after_the_period(issued, django_capture_on_commit_callbacks):
    invoice, receipt = issued
    before = (invoice.number, invoice.total, invoice.pdf_sha256, invoice.type, invoice.content["order"]["lines"])
    path = invoice.pdf.path

    with freeze_time(datetime(2036, 2, 9, tzinfo=UTC)):  # one day early
        out = StringIO()
        call_command("saypro_invoicing_retention", "--dry-run", stdout=out)
        assert "0 documents are past retention" in out.getvalue()

    with freeze_time(datetime(2036, 2, 11, tzinfo=UTC)):
        out = StringIO()
        call_command("saypro_invoicing_retention", "--dry-run", stdout=out)
        assert "2 documents are past retention" in out.getvalue() and invoice.number in out.getvalue()
        invoice.refresh_from_db()
        assert invoice.customer_email == "private@example.com" and invoice.anonymised_at is None

        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):  # files go once the anonymisation commits
            call_command("saypro_invoicing_retention", stdout=out, stderr=StringIO())
    assert "2 documents anonymised, 2 PDF files removed." in out.getvalue()

    invoice.refresh_from_db()
    assert (invoice.number, invoice.total, invoice.pdf_sha256, invoice.type, invoice.content["order"]["lines"]) \
        == before
    assert (invoice.customer_email, invoice.customer_name, invoice.customer_user_id, invoice.pdf.name) == \
        ("", "", "", "")
    order = invoice.content["order"]
    assert (order["customer_email"], order["billing_address"], order["shipping_address"]) == ("", None, None)
    assert "private@example.com" not in str(invoice.content) and "Main Street" not in str(invoice.content)
    assert invoice.anonymised_at is not None
    assert not os.path.exists(path)
    assert list(DeliveryAttempt.objects.values_list("recipient", flat=True)) == [""]
    entry = AuditEntry.objects.get(document=invoice, action=AuditAction.ANONYMISED)
    assert entry.document_number == invoice.number and entry.details["sha256"] == invoice.pdf_sha256

    # Nothing left to do, and the files that are gone are not reported as tampering.
    out = StringIO()
    with freeze_time(datetime(2036, 3, 1, tzinfo=UTC)):
        call_command("saypro_invoicing_retention", stdout=out, stderr=StringIO())
    assert "0 documents anonymised" in out.getvalue()
    out = StringIO()
    call_command("saypro_invoicing_verify", stdout=out, stderr=StringIO())
    assert "0 PDFs checked, 0 problems." in out.getvalue()


def test_retention_years_come_from_the_setting(issued, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "RETENTION_YEARS": 1}
    with freeze_time(ISSUED + timedelta(days=1)):
        order = sample.create_order(notify=False)
        sample.pay(str(order.id), notify=False)
        events.order_changed(str(order.id), send=False)
    document = BillingDocument.objects.get(order_id=order.id, type="invoice")
    assert document.retain_until == (ISSUED + timedelta(days=1)).replace(year=2027)
