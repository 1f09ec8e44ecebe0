"""`make demo`: the plugin's whole flow on sample orders, with no Saleor and no server to run.

An SMTP server on loopback (aiosmtpd) receives the emails; PDFs and .eml files land in demo-output/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    shutil.rmtree(out, ignore_errors=True)
    (out / "emails").mkdir(parents=True)
    os.environ["SAYPRO_DEMO_OUT"] = str(out)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saypro_invoicing.hosts.sandbox.demo_settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from .mailbox import Mailbox

    with Mailbox(out / "emails") as mailbox:
        started = time.perf_counter()
        made = run_flow(mailbox.port)
        elapsed = time.perf_counter() - started
        time.sleep(0.2)
        report(out, made, mailbox, elapsed)
    return 0


def run_flow(smtp_port: int) -> list[str]:
    import dataclasses
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from ...actions import release
    from ...models import BillingDocument
    from ...models.documents import DocumentStatus
    from ...snapshot import Address
    from . import sample

    sample.ensure_channel(smtp_port=str(smtp_port))
    sample.ensure_channel("jp-store", **{**sample.DEMO_CONFIGURATION, "smtp_port": str(smtp_port),
                                         "invoice_trigger": "confirmed", "payment_terms_days": "14",
                                         "invoice_number_format": "JP-{year}-{number:05d}", "paper_size": "Letter"})
    orders = []
    # A German customer, fully paid with a voucher, then partly refunded.
    de = sample.create_order(email="max.mustermann@example.de", language_code="DE",
                             discount=("Willkommen", "WELCOME5", "5.00", "0.19"),
                             billing_address=Address(first_name="Max", last_name="Müller", company_name="Müller GmbH",
                                                     street_address_1="Hauptstraße 12", postal_code="80331",
                                                     city="München", country="DE", vat_id="DE811907980"))
    sample.pay(str(de.id))
    # The coffee comes back: the credit note credits that line, at its own 7 % rate.
    sample.refund(str(de.id), lines=[("line-2", 1)], reason="Coffee returned")
    orders.append(str(de.id))
    # A US order paid in two instalments.
    us = sample.create_order(currency="USD", email="ana@example.com",
                             lines=[("Trail Running Shoes", "SH-42", 1, "129.00", "0.0725"),
                                    ("Socks (3 pack)", "SO-3", 2, "12.00", "0.0725")],
                             shipping=("UPS Ground", "9.95", "0"))
    sample.pay(str(us.id), "100.00")
    sample.pay(str(us.id))
    orders.append(str(us.id))
    # A Japanese customer on a channel that invoices on confirmation (unpaid invoice with due date).
    jp = sample.create_order(channel="jp-store", currency="JPY", email="yamada@example.jp", language_code="JA",
                             lines=[("抹茶セット (Matcha set)", "MT-1", 2, "3200", "0.08")],
                             shipping=("ヤマト運輸", "800", "0.10"),
                             billing_address=Address(first_name="太郎", last_name="山田", city="東京",
                                                     street_address_1="千代田区1-1", postal_code="100-0001",
                                                     country="JP"))
    sample.confirm(str(jp.id))
    orders.append(str(jp.id))
    # Kuwaiti dinars (3 decimals), an Arabic name; and a Hebrew name; one cancelled after payment.
    kw = sample.create_order(currency="KWD", email="layla@example.kw",
                             lines=[("عطر العود (Oud perfume)", "OUD-1", 1, "45.250", "0")], shipping=None,
                             billing_address=Address(first_name="ليلى", last_name="الأحمد", city="الكويت",
                                                     country="KW"))
    sample.pay(str(kw.id))
    orders.append(str(kw.id))
    il = sample.create_order(email="noa@example.co.il",
                             billing_address=Address(first_name="נועה", last_name="כהן", city="תל אביב",
                                                     country="IL"))
    sample.pay(str(il.id))
    sample.cancel(str(il.id), at=timezone.now() + timedelta(minutes=5))
    orders.append(str(il.id))
    # A Dutch business buying zero-rated on a channel that applies reverse charge to EU B2B sales.
    sample.ensure_channel("eu-b2b", **{**sample.DEMO_CONFIGURATION, "smtp_port": str(smtp_port),
                                       "reverse_charge": True, "shop_name": "SayPro B2B",
                                       "invoice_number_format": "B2B-{year}-{number:06d}",
                                       "receipt_number_format": "B2B-RCT-{year}-{number:06d}",
                                       # Factur-X PDFs, and Peppol BIS 3.0 XML for business customers.
                                       **EINVOICE_SELLER, "pdf_flavour": "facturx", "b2b_xml": "peppol-ubl"})
    nl = sample.create_order(dataclasses.replace(sample.build_snapshot(
        channel="eu-b2b", email="inkoop@koffie.example.nl",
        lines=[("Espresso machine", "EM-1", 1, "1499.00", "0"), ("Descaler", "DS-2", 3, "12.90", "0")],
        shipping=("DHL Freight", "49.00", "0"),
        billing_address=Address(first_name="Eva", last_name="Jansen", company_name="Koffie BV",
                                street_address_1="Keizersgracht 1", postal_code="1015 CJ", city="Amsterdam",
                                country="NL")),
        buyer_vat_id="NL123456789B01", buyer_order_reference="PO-2026-0042", buyer_electronic_scheme="0106",
        buyer_electronic_address="12345678"))
    sample.pay(str(nl.id))
    orders.append(str(nl.id))
    # A German public buyer (Leitweg-ID) on a channel sending XRechnung UBL; a returned item is credited.
    sample.ensure_channel("de-b2g", **{**sample.DEMO_CONFIGURATION, "smtp_port": str(smtp_port), **EINVOICE_SELLER,
                                       "shop_name": "SayPro Behördenshop", "b2b_xml": "xrechnung-ubl",
                                       "invoice_number_format": "B2G-{year}-{number:06d}",
                                       "credit_note_number_format": "B2G-CN-{year}-{number:06d}"})
    b2g = sample.create_order(dataclasses.replace(sample.build_snapshot(
        channel="de-b2g", email="beschaffung@stadt.example.de",
        billing_address=Address(first_name="Erika", last_name="Beispiel", company_name="Stadtverwaltung Musterstadt",
                                street_address_1="Rathausplatz 1", postal_code="12345", city="Musterstadt",
                                country="DE")),
        buyer_vat_id="DE987654321", buyer_reference="04011000-12345-03"))
    sample.pay(str(b2g.id))
    sample.refund(str(b2g.id), lines=[("line-2", 1)], reason="Wrong coffee delivered")
    orders.append(str(b2g.id))
    # The same public buyer without its Leitweg-ID: the XRechnung invoice is held and says what is missing.
    no_ref = sample.create_order(dataclasses.replace(sample.build_snapshot(
        channel="de-b2g", email="einkauf@amt.example.de",
        billing_address=Address(company_name="Amt ohne Leitweg-ID", street_address_1="Amtsweg 2",
                                postal_code="54321", city="Amtsstadt", country="DE")), buyer_vat_id="DE811907980"))
    sample.pay(str(no_ref.id))
    orders.append(str(no_ref.id))
    # An order whose totals do not add up: held for review, never sent.
    broken = sample.build_snapshot(email="wrong@example.com")
    bad = sample.create_order(dataclasses.replace(broken, total_gross=broken.total_gross + Decimal("1.00")))
    sample.pay(str(bad.id), broken.total_gross + Decimal("1.00"))
    orders.append(str(bad.id))
    # Another one, fixed by staff at the source and released: the gate runs again, then number and email.
    fixed = sample.create_order(dataclasses.replace(broken, customer_email="fixed@example.com",
                                                    total_gross=broken.total_gross + Decimal("1.00")))
    sample.pay(str(fixed.id), broken.total_gross)
    sample.update(str(fixed.id), total_gross=broken.total_gross)  # now fully paid: its invoice is issued
    for held in BillingDocument.objects.filter(order_id=fixed.id, status=DocumentStatus.NEEDS_REVIEW):
        release(held, actor="demo staff")
    orders.append(str(fixed.id))
    return orders


def report(out: Path, order_ids: list[str], mailbox: object, elapsed: float) -> None:
    from ...models import BillingDocument
    from ...money import quantize

    pdf_dir = out / "pdfs"
    pdf_dir.mkdir(exist_ok=True)
    rows = []
    for document in BillingDocument.objects.filter(order_id__in=order_ids).order_by("created_at"):
        pdf_name = ""
        if document.pdf:
            pdf_name = f"pdfs/{document.filename}"
            with document.pdf.open("rb") as source:
                (out / pdf_name).write_bytes(source.read())
        total = quantize(document.total, document.currency)
        rows.append((document.number or "(held)", document.type, document.order_number, document.currency,
                     str(total), document.status, document.delivery_status, pdf_name or "-"))
    widths = [max(len(str(r[i])) for r in rows + [_HEADER]) for i in range(len(_HEADER))]
    print(f"\nSayPro Invoicing demo: {len(order_ids)} sample orders -> {len(rows)} documents in {elapsed:.1f} s\n")
    for row in [_HEADER, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    emails = sorted((out / "emails").glob("*.eml"))
    print(f"\n{len(emails)} emails received by the loopback SMTP server:")
    for path in emails:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        attachments = [name for part in message.iter_attachments() if (name := part.get_filename())]
        print(f"  {path.name}: to {message['To']} | {message['Subject']} | {', '.join(attachments) or 'no attachment'}")
    from ...einvoice.samples import write_demo_files

    einvoices = write_demo_files(out / "einvoices", BillingDocument.objects.filter(order_id__in=order_ids)
                                 .order_by("created_at"))
    print(f"\nE-invoices ({out / 'einvoices'}):")
    for line in einvoices:
        print(f"  {line}")
    print(f"\nPDFs: {pdf_dir}\nEmails: {out / 'emails'}\n")


_HEADER = ("number", "type", "order", "cur", "total", "status", "delivery", "pdf")
# What the e-invoice channels add to the demo seller: the electronic address and the contact XRechnung wants.
EINVOICE_SELLER = {"seller_electronic_address": "DE123456789", "seller_electronic_scheme": "9930",
                   "seller_contact_name": "Max Muster", "seller_phone": "+49 30 1234567"}


if __name__ == "__main__":
    sys.exit(main())
