"""E-invoices after issuing: the B2B email carries the XML beside the PDF (real SMTP on loopback), GraphQL
lists each format with its own signed link, the export holds the XML and the SHA-256 proof covers it."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from saypro_invoicing import links
from saypro_invoicing.archive.export import export
from saypro_invoicing.archive.verify import verify
from saypro_invoicing.einvoice.formats import Format
from saypro_invoicing.einvoice.store import ensure_files, read
from saypro_invoicing.einvoice.validate import validate
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DocumentFile
from saypro_invoicing.snapshot import DocumentType
from tests.graphql_support import make_user

pytestmark = pytest.mark.django_db

XRECHNUNG = {"b2b_xml": "xrechnung-ubl", "seller_contact_name": "Max Muster", "seller_phone": "+49 30 123456"}


def b2b_snapshot(**changes):
    return dataclasses.replace(sample.build_snapshot(email="buyer@acme.example"), buyer_vat_id="DE987654321",
                               buyer_reference="04011000-12345-03", **changes)


def paid(capture, snapshot):
    order = sample.create_order(snapshot)
    with capture(execute=True):
        sample.pay(str(order.id))
    return {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.id))}


def test_b2b_email_carries_the_xml_beside_the_pdf(einvoice_rules, smtp_server, django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config(), **XRECHNUNG)
    documents = paid(django_capture_on_commit_callbacks, b2b_snapshot())
    invoice = documents[DocumentType.INVOICE]
    assert invoice.document_content.einvoice_formats == ("xrechnung-ubl",)
    by_subject = {m.subject.split(" from ")[0]: m for m in smtp_server.messages}
    (pdf_name, pdf_type, pdf), (xml_name, xml_type, xml) = by_subject["Your invoice"].attachments()
    assert (pdf_name, pdf_type) == (invoice.filename, "application/pdf") and pdf.startswith(b"%PDF")
    assert (xml_name, xml_type) == (invoice.filename.removesuffix(".pdf") + ".xrechnung-ubl.xml", "application/xml")
    assert f"<cbc:ID>{invoice.number}</cbc:ID>".encode() in xml
    assert validate(Format.XRECHNUNG_UBL, xml, credit_note=False).valid
    stored = DocumentFile.objects.get(document=invoice)
    assert stored.sha256 == hashlib.sha256(xml).hexdigest() and stored.size == len(xml)
    # Receipts are not EN 16931 documents: PDF only.
    assert [a[1] for a in by_subject["Your receipt"].attachments()] == ["application/pdf"]


def test_consumer_email_has_no_xml(einvoice_rules, smtp_server, django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config(), **XRECHNUNG)
    documents = paid(django_capture_on_commit_callbacks, sample.build_snapshot())
    assert documents[DocumentType.INVOICE].document_content.einvoice_formats == ()
    assert all(len(m.attachments()) == 1 for m in smtp_server.messages)
    assert not DocumentFile.objects.exists()


def test_graphql_lists_each_format_with_its_own_link(einvoice_rules, django_capture_on_commit_callbacks):
    sample.ensure_channel(email_backend="django", pdf_flavour="facturx", **XRECHNUNG)
    invoice = paid(django_capture_on_commit_callbacks, b2b_snapshot())[DocumentType.INVOICE]
    staff = Client()
    staff.force_login(make_user("olga", "olga@shop.example", is_staff=True, manage_orders=True))
    query = "{ billingDocuments(first: 10) { edges { node { number type formats { format label mediaType " \
            "downloadUrl sha256 } } } } }"
    nodes = staff.post("/graphql/", data={"query": query}, content_type="application/json").json()
    node = next(e["node"] for e in nodes["data"]["billingDocuments"]["edges"] if e["node"]["type"] == "INVOICE")
    formats = {f["format"]: f for f in node["formats"]}
    assert list(formats) == ["facturx-pdf", "facturx", "xrechnung-ubl"]
    assert formats["xrechnung-ubl"]["mediaType"] == "application/xml"
    assert formats["xrechnung-ubl"]["sha256"] == DocumentFile.objects.get(document=invoice,
                                                                          format="xrechnung-ubl").sha256
    path = formats["xrechnung-ubl"]["downloadUrl"].split("testserver", 1)[-1]
    response = Client().get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == read(DocumentFile.objects.get(document=invoice, format="xrechnung-ubl"))
    pdf = Client().get(formats["facturx-pdf"]["downloadUrl"].split("testserver", 1)[-1])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # A file's link opens that file only, and only a format the document has.
    token = path.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(links.LinkInvalid):
        links.read_token(token)
    receipt = BillingDocument.objects.get(type=DocumentType.RECEIPT)
    other = links.download_url(receipt.id, receipt.channel, file_format="peppol-ubl").split("testserver", 1)[-1]
    assert Client().get(other).status_code == 404
    forged = links.plugin_url(invoice.channel, "download/" + links.signing.dumps(
        {"v": 1, "d": str(invoice.id), "g": 0, "f": "../../etc/passwd"}, salt=links._SALT, compress=True) + "/")
    assert Client().get(forged.split("testserver", 1)[-1]).status_code == 403


def test_export_includes_the_xml_and_verify_covers_it(einvoice_rules, django_capture_on_commit_callbacks,
                                                      tmp_path):
    sample.ensure_channel(email_backend="django", **XRECHNUNG)
    invoice = paid(django_capture_on_commit_callbacks, b2b_snapshot())[DocumentType.INVOICE]
    [stored] = ensure_files(invoice)
    now = timezone.now()
    result = export(str(tmp_path / "export.zip"), now - timedelta(days=1), now + timedelta(days=1))
    with zipfile.ZipFile(result.path) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("ledger.csv").decode("utf-8-sig"))))
        row = next(r for r in rows if r["number"] == invoice.number)
        assert row["einvoice_files"] == f"documents/{invoice.channel}/{stored.filename}"
        assert archive.read(row["einvoice_files"]) == read(stored)
        assert hashlib.sha256(archive.read(row["einvoice_files"])).hexdigest() == stored.sha256
    assert verify().ok
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(read(stored).replace(b"04011000-12345-03", b"04011000-99999-03"))
    result = verify()
    assert [(p.number, p.problem, p.file) for p in result.problems] == [(invoice.number, "mismatch", "xrechnung-ubl")]
