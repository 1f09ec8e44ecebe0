"""The accountant's export: every issued document's PDF plus ledger.csv, in one zip.

ledger.csv (UTF-8 with BOM, so spreadsheet programs read the accents) has one row per document:
number, type (invoice, receipt, credit_note), reference (a credit note's corrected invoice; a receipt's
invoice), date (issue date, UTC), order, customer, currency, net, one tax column per rate present in the
export (``tax_19%``, ``tax_7%``...; empty where a document has no tax at that rate), gross, status,
sha256 (of the stored PDF), channel, file (its path in the zip; empty once retention removed it),
and, where the export holds any, einvoice_files (the paths of its e-invoice XML files in the zip, space
separated; their SHA-256 are in the database and checked by ``verify``).
Every figure is the document model's (document.model), as printed, credit notes included, unsigned.
VAT is counted once: invoices and credit notes carry it; a receipt is a payment against its invoice and
carries no net and no tax, so summing the tax columns gives the VAT of the period.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..document.calculate import model_of
from ..einvoice.store import ensure_files
from ..einvoice.store import read as read_file
from ..models import BillingDocument
from ..money import quantize
from ..rendering import ensure_pdf
from ..snapshot import DocumentType

HEAD = ["number", "type", "reference", "date", "order", "customer", "currency", "net"]
TAIL = ["gross", "status", "sha256", "channel", "file"]
EINVOICE_COLUMN = "einvoice_files"  # only in exports that contain e-invoice XML


@dataclass(frozen=True)
class ExportResult:
    path: str
    documents: int
    files: int
    tax_columns: tuple[str, ...]


def rate_column(rate: Decimal) -> str:
    return f"tax_{format((rate * 100).normalize(), 'f')}%"


def tax_by_rate(document: BillingDocument) -> dict[Decimal, Decimal]:
    """The document's VAT per rate, as its model's VAT breakdown says; none for receipts."""
    model = model_of(document.document_content)
    if model.receipt is not None:
        return {}
    taxes: dict[Decimal, Decimal] = {}
    for row in model.vat_breakdown:
        if row.tax_amount or row.taxable_amount:
            taxes[row.rate.normalize()] = taxes.get(row.rate.normalize(), Decimal(0)) + row.tax_amount
    return taxes


def _reference(document: BillingDocument, invoices: dict[str, str | None]) -> str:
    if document.type == DocumentType.CREDIT_NOTE:
        return document.document_content.corrects_number
    if document.type == DocumentType.RECEIPT:
        return invoices.get(document.order_id) or ""
    return ""


def documents_to_export(start: datetime, end: datetime, channel: str | None = None):  # -> QuerySet
    documents = BillingDocument.objects.filter(number__isnull=False, issued_at__gte=start, issued_at__lt=end)
    if channel:
        documents = documents.filter(channel=channel)
    return documents.order_by("channel", "type", "fiscal_year", "sequence")


def export(out: str, start: datetime, end: datetime, *, channel: str | None = None,
           progress: Callable[[int], None] | None = None) -> ExportResult:
    """Write the zip to ``out`` (atomically: an interrupted export leaves no partial file)."""
    documents = documents_to_export(start, end, channel)
    invoices = dict(BillingDocument.objects.filter(
        type=DocumentType.INVOICE, number__isnull=False, order_id__in=documents.values("order_id"))
        .exclude(status="void").values_list("order_id", "number"))
    rows: list[dict[str, str]] = []
    rates: set[Decimal] = set()
    files = 0
    directory = os.path.dirname(os.path.abspath(out)) or "."
    handle, temporary = tempfile.mkstemp(prefix=".saypro-export-", suffix=".zip", dir=directory)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for document in documents.iterator(chunk_size=200):
                name = ""
                xml_files: list[str] = []
                if document.anonymised_at is None:
                    document = ensure_pdf(document)
                    name = f"documents/{document.channel}/{document.filename}"
                    with document.pdf.open("rb") as source, archive.open(name, "w") as target:
                        shutil.copyfileobj(source, target, 1024 * 1024)
                    files += 1
                    for stored in ensure_files(document):  # the e-invoice XML beside its PDF
                        xml_name = f"documents/{document.channel}/{stored.filename}"
                        archive.writestr(xml_name, read_file(stored))
                        xml_files.append(xml_name)
                        files += 1
                taxes = tax_by_rate(document)
                receipt = document.type == DocumentType.RECEIPT
                rates.update(taxes)
                row = {
                    "number": document.number or "", "type": document.type,
                    "reference": _reference(document, invoices),
                    "date": document.issued_at.date().isoformat() if document.issued_at else "",
                    "order": document.order_number, "customer": document.customer_name or document.customer_email,
                    "currency": document.currency,
                    "net": "" if receipt else str(quantize(document.total_net, document.currency)),
                    "gross": str(quantize(document.total, document.currency)), "status": document.status,
                    "sha256": document.pdf_sha256, "channel": document.channel, "file": name,
                    EINVOICE_COLUMN: " ".join(xml_files),
                }
                row.update({rate_column(rate): str(amount) for rate, amount in taxes.items()})
                rows.append(row)
                if progress:
                    progress(1)
            columns = [rate_column(rate) for rate in sorted(rates)]
            tail = TAIL + [EINVOICE_COLUMN]
            if not any(row[EINVOICE_COLUMN] for row in rows):
                tail = TAIL
                for row in rows:
                    del row[EINVOICE_COLUMN]
            archive.writestr("ledger.csv", _ledger(rows, HEAD + columns + tail).encode("utf-8-sig"))
        os.replace(temporary, out)
    except BaseException:
        os.unlink(temporary)
        raise
    return ExportResult(path=out, documents=len(rows), files=files, tax_columns=tuple(columns))


def _ledger(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
