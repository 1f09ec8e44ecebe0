"""PDF rendering: content, locales, scripts, paper, pagination, the asset-only URL fetcher, stored PDFs.

Pure rendering tests build DocumentContent directly and need no database; the ensure_pdf and
verify_pdf tests at the end do.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.db import connection
from PIL import Image

from saypro_invoicing.errors import ErrorCode, SayproInvoicingError
from saypro_invoicing.money import quantize
from saypro_invoicing.rendering import (
    ensure_pdf,
    html_to_pdf,
    render_document_html,
    render_document_pdf,
    verify_pdf,
    warm,
)
from saypro_invoicing.rendering import files as rendering_files
from saypro_invoicing.rendering.context import BidiText
from saypro_invoicing.rendering.fetcher import AssetFetcher, AssetRefused, logo_url, resolve_asset
from saypro_invoicing.rendering.fonts import font_config
from saypro_invoicing.snapshot import (
    Address,
    Discount,
    DocumentContent,
    DocumentType,
    Line,
    OrderSnapshot,
    Payment,
    Refund,
    Seller,
    to_json,
)

ISSUED_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
DUE_AT = datetime(2026, 3, 16, 10, 30, tzinfo=UTC)
NUMBER = "INV-2026-000042"

# --- factories ----------------------------------------------------------------------------------


def make_line(name: str, unit_gross: str, *, quantity: int = 1, rate: str = "0.19", currency: str = "EUR",
              **kwargs: Any) -> Line:
    gross, tax_rate = Decimal(unit_gross), Decimal(rate)
    return Line(
        product_name=name, quantity=quantity, tax_rate=tax_rate,
        unit_gross=quantize(gross, currency), unit_net=quantize(gross / (1 + tax_rate), currency),
        total_gross=quantize(gross * quantity, currency),
        total_net=quantize(gross * quantity / (1 + tax_rate), currency), **kwargs,
    )


def make_order(*, currency: str = "EUR", lines: tuple[Line, ...] | None = None, paid: bool = False,
               **kwargs: Any) -> OrderSnapshot:
    lines = lines if lines is not None else (
        make_line("Espresso machine", "1234.50", currency=currency, variant_name="Steel", sku="ESP-1"),
    )
    shipping_net = kwargs.pop("shipping_net", Decimal(0))
    shipping_gross = kwargs.pop("shipping_gross", Decimal(0))
    total_gross = sum((line.total_gross for line in lines), Decimal(0)) + shipping_gross
    total_net = sum((line.total_net for line in lines), Decimal(0)) + shipping_net
    defaults: dict[str, Any] = {
        "order_id": "order-1", "order_number": "1042", "channel": "default", "currency": currency,
        "created_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "customer_email": "erika@example.com",
        "billing_address": Address(first_name="Erika", last_name="Mustermann", street_address_1="Hauptstraße 5",
                                   postal_code="10115", city="Berlin", country="DE", vat_id="DE811907980"),
        "shipping_address": Address(first_name="Erika", last_name="Mustermann", street_address_1="Lagerweg 9",
                                    postal_code="20095", city="Hamburg", country="DE"),
    }
    if paid:
        payment = Payment(reference="pay-1", amount=total_gross, captured_at=ISSUED_AT, method="Visa •••• 4242",
                          psp_reference="pi_3Pxyz", gateway="stripe")
        defaults |= {"payments": (payment,), "total_charged": total_gross, "paid_at": ISSUED_AT}
    return OrderSnapshot(**(defaults | kwargs), lines=lines, total_net=total_net, total_gross=total_gross,
                         shipping_net=shipping_net, shipping_gross=shipping_gross)


def make_content(doc_type: DocumentType = DocumentType.INVOICE, *, order: OrderSnapshot | None = None,
                 **kwargs: Any) -> DocumentContent:
    order = order or make_order()
    defaults: dict[str, Any] = {
        "type": doc_type, "order": order, "amount": order.total_gross, "locale": "en", "issued_at": ISSUED_AT,
        "seller": Seller(legal_name="Kaffeewerk GmbH", vat_id="DE123456789", email="billing@kaffeewerk.example",
                         address=Address(street_address_1="Röstereistraße 1", postal_code="80331", city="München",
                                         country="DE")),
    }
    if doc_type == DocumentType.INVOICE and not order.is_fully_paid:
        defaults |= {"due_at": DUE_AT, "payment_instructions": "IBAN DE02 1203 0000 0000 2020 51"}
    if doc_type == DocumentType.RECEIPT and order.payments:
        defaults["payment"] = order.payments[0]
    return DocumentContent(**(defaults | kwargs))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def page_texts(pdf: bytes) -> list[str]:
    # Babel separates amounts and symbols with no-break spaces; compare with plain ones.
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(page.extract_text() or "").replace("\xa0", " ").replace("\u202f", " ") for page in reader.pages]


def missing(text: str, *expected: str) -> list[str]:
    """What is not in the text; case-insensitive, because labels are set in small caps by CSS."""
    folded = text.casefold()
    return [e for e in expected if e.casefold() not in folded]


def render(content: DocumentContent, number: str = NUMBER) -> bytes:
    pdf = render_document_pdf(content, number=number)
    assert pdf.startswith(b"%PDF-")
    return pdf


# --- content ------------------------------------------------------------------------------------


def test_invoice_shows_seller_customer_lines_taxes_totals_and_payment_terms():
    order = make_order(
        lines=(make_line("Espresso machine", "1234.50", variant_name="Steel", sku="ESP-1"),
               make_line("Coffee beans", "10.70", quantity=2, rate="0.07", sku="BEAN-1")),
        shipping_method="DHL Express", shipping_net=Decimal("4.12"), shipping_gross=Decimal("4.90"),
        shipping_tax_rate=Decimal("0.19"),
        discounts=(Discount(name="Spring sale", amount_net=Decimal("8.40"), amount_gross=Decimal("10.00"),
                            kind="voucher", code="SPRING10"),),
    )
    text = pdf_text(render(make_content(order=order)))
    assert not missing(
        text, "Invoice", NUMBER, "Kaffeewerk GmbH", "Röstereistraße 1", "DE123456789", "billing@kaffeewerk.example",
        "Mar 2, 2026", "Due date", "Mar 16, 2026", "1042",
        "Erika Mustermann", "erika@example.com", "Hauptstraße 5", "Lagerweg 9", "DE811907980",
        "Espresso machine", "Steel", "ESP-1", "Coffee beans", "BEAN-1", "€1,037.39", "€1,234.50", "€21.40",
        "19%", "7%", "DHL Express", "€4.90", "Spring sale", "SPRING10", "-€10.00",
        "Total net", "Total tax", f"€{order.total_gross:,}", f"€{order.total_net:,}", f"€{order.tax_total:,}",
        "Unpaid", "Amount due", "Payment instructions", "IBAN DE02 1203 0000 0000 2020 51",
    )
    # One row per rate in the tax table: 7 % (beans) and 19 % (machine and shipping).
    assert "€1,041.51" in text, "net at 19 %: 1037.39 + 4.12"


def test_paid_invoice_has_no_due_date_and_no_payment_instructions():
    content = make_content(order=make_order(paid=True), payment_instructions="IBAN DE02")
    text = pdf_text(render(content))
    assert "Paid" in text and "Visa •••• 4242" in text
    assert "Due date" not in text and "IBAN DE02" not in text and "Amount due" not in text


def test_receipt_says_paid_with_amount_method_date_reference_and_number():
    order = make_order(paid=True)
    text = pdf_text(render(make_content(DocumentType.RECEIPT, order=order), number="RCT-2026-000007"))
    assert "PAID" in text
    assert not missing(text, "Receipt", "Amount paid", "€1,234.50", "Visa •••• 4242", "Mar 2, 2026", "pi_3Pxyz",
                       "Receipt number", "RCT-2026-000007", "Espresso machine")


def test_credit_note_names_the_corrected_invoice_reason_and_credited_amount():
    order = make_order(paid=True)
    refund = Refund(reference="refund-1", amount=Decimal("100.00"), created_at=ISSUED_AT, reason="Damaged in transit")
    content = make_content(DocumentType.CREDIT_NOTE, order=order, amount=Decimal("100.00"), refund=refund,
                           corrects_number="INV-2026-000041", reason="Damaged in transit")
    text = pdf_text(render(content, number="CN-2026-000003"))
    assert not missing(text, "Credit note", "CN-2026-000003", "INV-2026-000041", "Damaged in transit",
                       "Credited amount", "€100.00", "€84.03", "€15.97")


@pytest.mark.parametrize(("currency", "amount", "expected", "wrong"), [
    ("EUR", "1234.50", "€1,234.50", None),
    ("USD", "1234.50", "$1,234.50", None),
    ("JPY", "1234", "¥1,234", "¥1,234.00"),
    ("KWD", "1234.5", "KWD 1,234.500", None),
])
def test_amounts_use_the_currency_minor_unit(currency, amount, expected, wrong):
    order = make_order(currency=currency, lines=(make_line("Grinder", amount, rate="0", currency=currency),))
    text = pdf_text(render(make_content(order=order)))
    assert expected in text
    if wrong:
        assert wrong not in text


@pytest.mark.parametrize("locale", ["de", "de_DE"])
def test_german_labels_amounts_and_dates(locale):
    text = pdf_text(render(make_content(locale=locale)))
    assert not missing(text, "Rechnung", "Nummer", "Ausstellungsdatum", "02.03.2026", "Fällig am", "16.03.2026",
                       "Rechnungsadresse", "Lieferadresse", "Artikel", "Menge", "Zwischensumme", "Gesamt",
                       "1.234,50 €", "1.037,39 €", "19 %", "Zahlungsstatus", "Unbezahlt", "Zahlungshinweise")
    assert missing(text, "Invoice", "Issue date", "Bill to", "Subtotal", "Unpaid", "Payment instructions") == [
        "Invoice", "Issue date", "Bill to", "Subtotal", "Unpaid", "Payment instructions"]


@pytest.mark.parametrize(("doc_type", "locale", "title"), [
    (DocumentType.INVOICE, "en", "Invoice"), (DocumentType.RECEIPT, "en", "Receipt"),
    (DocumentType.CREDIT_NOTE, "en", "Credit note"), (DocumentType.INVOICE, "de", "Rechnung"),
    (DocumentType.RECEIPT, "de", "Quittung"), (DocumentType.CREDIT_NOTE, "de", "Rechnungskorrektur"),
])
def test_titles_per_type_and_language(doc_type, locale, title):
    content = make_content(doc_type, order=make_order(paid=True), locale=locale, corrects_number="INV-1")
    assert title in pdf_text(render(content))


def test_german_catalog_is_complete_and_compiled():
    import gettext

    from babel.messages.pofile import read_po

    folder = Path(rendering_files.__file__).resolve().parent.parent / "locale" / "de" / "LC_MESSAGES"
    with open(folder / "django.po", "rb") as po_file, open(folder / "django.mo", "rb") as mo_file:
        po, mo = read_po(po_file), gettext.GNUTranslations(mo_file)
    messages = [m for m in po if m.id]
    assert messages and all(m.string for m in messages) and not any(m.fuzzy for m in messages)
    stale = [m.id for m in messages if mo.pgettext(m.context, m.id) != m.string]
    assert not stale, "run pybabel compile after editing the .po"


def test_the_language_is_the_documents_not_the_requests():
    from django.utils import translation

    with translation.override("de"):
        assert "Invoice" in pdf_text(render(make_content(locale="en")))
        assert translation.get_language() == "de"


def test_cjk_arabic_and_hebrew_names_render():
    order = make_order(
        lines=(make_line("抹茶ラテ 王小明", "5.00"), make_line("قهوة عربية", "7.00"), make_line("קפה שחור", "6.00")),
        billing_address=Address(first_name="محمد", last_name="العلي", city="دبي", country="AE"),
        shipping_address=Address(first_name="李", last_name="小龙", city="上海", country="CN"),
    )
    content = make_content(order=order, seller=Seller(legal_name="חברת קפה בע״מ"))
    html = render_document_html(content, number=NUMBER)
    assert 'dir="rtl">قهوة عربية<' in html and 'dir="rtl">חברת קפה בע״מ<' in html
    assert 'dir="ltr">抹茶ラテ 王小明<' in html
    text = pdf_text(render(content))
    assert not missing(text, "抹茶ラテ", "王小明", "李", "小龙", "上海")
    assert not missing(text, "قهوة", "عربية", "محمد", "العلي", "קפה", "שחור", "חברת")


def test_bidi_text_direction_is_its_first_strong_character():
    assert BidiText("Ōsaka").dir == "ltr"
    assert BidiText("123 شارع").dir == "rtl"
    assert BidiText("שלום GmbH").dir == "rtl"
    assert BidiText("GmbH שלום").dir == "ltr"
    assert BidiText("42").dir == "ltr"


@pytest.mark.parametrize(("paper", "size"), [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_paper_size(paper, size):
    reader = pypdf.PdfReader(io.BytesIO(render(make_content(paper_size=paper))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == size


def test_500_lines_paginate_with_the_table_header_on_every_page():
    lines = tuple(make_line(f"Article-{i:03d}", "1.19", sku=f"SKU-{i:03d}") for i in range(500))
    pages = page_texts(render(make_content(order=make_order(lines=lines))))
    assert len(pages) > 5
    text = "\n".join(pages)
    absent = [i for i in range(500) if f"Article-{i:03d}" not in text]
    assert not absent
    assert all("Unit gross" in page for page in pages), "thead repeats on every page"
    assert f"{NUMBER}" in pages[-1] and f"{len(pages)} / {len(pages)}" in pages[-1]
    assert "€595.00" in pages[-1]


def test_same_content_gives_the_same_bytes():
    content = make_content()
    assert render(content) == render(content)


def test_warm_needs_no_database_and_the_font_configuration_is_shared():
    warm()
    shared = font_config()
    render(make_content())
    assert font_config() is shared


def test_a_new_worker_process_warms_the_renderer_then_freezes_what_lives_as_long_as_it():
    import gc

    from celery.signals import worker_process_init

    import saypro_invoicing.rendering.pdf as rendering_pdf
    import saypro_invoicing.tasks  # noqa: F401  (a worker imports it: that connects the handler)

    frozen_before = gc.get_freeze_count()
    try:
        worker_process_init.send(sender=None)
        # Modules, Django and the warm renderer: tens of thousands of objects, not a handful.
        assert gc.get_freeze_count() > frozen_before + 10_000
        # The renderer was warmed before the freeze, so its stylesheet is among what is kept.
        assert rendering_pdf._stylesheet is not None
    finally:
        gc.unfreeze()


# --- security -----------------------------------------------------------------------------------

HOSTILE_NAME = '<img src="http://127.0.0.1:9/x.png">'
HOSTILE_NOTE = '<link href="file:///etc/passwd">'


def test_order_text_is_escaped_not_markup():
    order = make_order(lines=(make_line(HOSTILE_NAME, "1.00"),), customer_note=HOSTILE_NOTE)
    content = make_content(order=order)
    html = render_document_html(content, number=NUMBER)
    assert HOSTILE_NAME not in html and HOSTILE_NOTE not in html
    assert "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;" in html
    assert "&lt;link href=&quot;file:///etc/passwd&quot;&gt;" in html
    text = pdf_text(render(content))
    assert HOSTILE_NAME in text and HOSTILE_NOTE in text


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png", "https://example.com/logo.png", "file:///etc/passwd", "FILE:///etc/passwd",
    "data:image/png;base64,iVBORw0KGgo=", "ftp://example.com/x.png", "logo.svg", "/etc/passwd",
    "saypro-asset:../../../../etc/passwd", "saypro-asset:%2e%2e/%2e%2e/settings.py", "saypro-asset:/etc/passwd",
    "saypro-asset:..%2Fconf.py", "saypro-asset:sub\\..\\x.svg", "saypro-asset:documents.py",
    "saypro-asset:missing.svg", "saypro-asset:logo.svg%00.png",
])
def test_fetcher_refuses_everything_but_known_assets(url):
    with pytest.raises(AssetRefused):
        AssetFetcher()(url)


def test_fetcher_serves_the_plugins_assets():
    response = AssetFetcher()("saypro-asset:logo.svg")
    assert response.content_type == "image/svg+xml"
    assert response.read().startswith(b"<svg")


@pytest.fixture
def asset_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "assets"
    folder.mkdir()
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "ASSET_DIRS": [str(folder)]}
    Image.new("RGB", (40, 20), (200, 30, 30)).save(folder / "merchant.png")
    return folder


def test_merchant_logo_comes_from_asset_dirs_and_symlinks_cannot_escape(asset_dir, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes((asset_dir / "merchant.png").read_bytes())
    (asset_dir / "escape.png").symlink_to(secret)
    assert AssetFetcher()("saypro-asset:merchant.png").content_type == "image/png"
    assert resolve_asset("escape.png") is None
    with pytest.raises(AssetRefused):
        AssetFetcher()("saypro-asset:escape.png")
    assert logo_url("merchant.png") == "saypro-asset:merchant.png"
    assert logo_url("logo.svg") == "saypro-asset:logo.svg"  # the plugin's sample logo
    assert logo_url("not-there.png") == ""
    assert logo_url("../secret.png") == ""
    assert logo_url("") == ""


def test_merchant_logo_is_embedded(asset_dir):
    content = make_content(seller=Seller(legal_name="Kaffeewerk GmbH", logo="merchant.png"))
    reader = pypdf.PdfReader(io.BytesIO(render(content)))
    assert len(reader.pages[0].images) == 1


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_a_template_with_external_urls_makes_no_request(settings, tmp_path, web_server):
    base, requests = web_server
    override = tmp_path / "templates" / "saypro_invoicing" / "documents"
    override.mkdir(parents=True)
    (override / "invoice.html").write_text(f"""{{% extends "saypro_invoicing/documents/base.html" %}}
{{% block extra_head %}}<link rel="stylesheet" href="{base}/style.css">
<style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}</style>{{% endblock %}}
{{% block after_items %}}<p>MERCHANT OVERRIDE</p><img src="{base}/pixel.png"><img src="file:///etc/hostname">
<img src="data:image/png;base64,iVBORw0KGgo="><object data="{base}/object.svg"></object>{{% endblock %}}
""")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path / "templates")]}]
    order = make_order(lines=(make_line(f'<img src="{base}/line.png">', "1.00"),),
                       customer_note=f'<link rel="stylesheet" href="{base}/note.css">')
    text = pdf_text(render(make_content(order=order)))
    assert "MERCHANT OVERRIDE" in text, "the merchant's template was used"
    assert requests == []


def test_the_raw_html_path_refuses_external_urls_too(web_server):
    base, requests = web_server
    pdf = html_to_pdf(f'<p>hello</p><img src="{base}/a.png"><link rel="stylesheet" href="{base}/b.css">'
                      f'<img src="file:///etc/passwd">')
    assert "hello" in pdf_text(pdf)
    assert requests == []


# --- stored PDFs (database) ---------------------------------------------------------------------


def make_document(content: DocumentContent, *, number: str | None = NUMBER, trigger_key: str = "order-1:invoice"):
    from saypro_invoicing.models import BillingDocument
    from saypro_invoicing.models.documents import DocumentStatus

    return BillingDocument.objects.create(
        type=content.type, status=DocumentStatus.ISSUED if number else DocumentStatus.NEEDS_REVIEW,
        channel="default", order_id=content.order.order_id, order_number=content.order.order_number,
        trigger_key=trigger_key, number=number, currency=content.order.currency, total=content.amount,
        content=to_json(content), event_at=ISSUED_AT, issued_at=ISSUED_AT if number else None,
    )


@pytest.mark.django_db
def test_ensure_pdf_renders_stores_and_hashes_once(monkeypatch):
    document = make_document(make_content())
    assert ensure_pdf(document) is document
    document.refresh_from_db()
    data = document.pdf.open("rb").read()
    document.pdf.close()
    assert data.startswith(b"%PDF-") and NUMBER in pdf_text(data)
    assert document.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert document.rendered_at is not None
    assert verify_pdf(document)

    stored = (document.pdf.name, document.pdf_sha256, document.rendered_at)

    def no_render(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("an issued document's PDF is never rendered again")

    monkeypatch.setattr(rendering_files, "render_document_pdf", no_render)
    again = ensure_pdf(document)
    assert (again.pdf.name, again.pdf_sha256, again.rendered_at) == stored


@pytest.mark.django_db
def test_ensure_pdf_rechecks_under_the_lock_and_keeps_the_first_file():
    from saypro_invoicing.models import BillingDocument

    document = make_document(make_content())
    stale = BillingDocument.objects.get(pk=document.pk)  # read before the other worker stored its PDF
    first = ensure_pdf(document)
    second = ensure_pdf(stale)
    assert (second.pdf.name, second.pdf_sha256) == (first.pdf.name, first.pdf_sha256)
    assert list(Path(first.pdf.path).parent.iterdir()) == [Path(first.pdf.path)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_ensure_pdf_stores_one_file():
    from saypro_invoicing.models import BillingDocument

    document = make_document(make_content())
    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            done = ensure_pdf(BillingDocument.objects.get(pk=document.pk))
            results.append((done.pdf.name, done.pdf_sha256))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    document.refresh_from_db()
    assert (document.pdf.name, document.pdf_sha256) == results[0]
    assert len(list(Path(document.pdf.path).parent.iterdir())) == 1


@pytest.mark.django_db
def test_ensure_pdf_refuses_a_document_without_a_number():
    document = make_document(make_content(), number=None)
    with pytest.raises(SayproInvoicingError) as caught:
        ensure_pdf(document)
    assert caught.value.code == ErrorCode.NOT_ISSUED
    document.refresh_from_db()
    assert not document.pdf and not document.pdf_sha256


@pytest.mark.django_db
def test_verify_pdf_detects_tampering_and_missing_files():
    document = ensure_pdf(make_document(make_content()))
    assert verify_pdf(document)
    path = Path(document.pdf.path)
    path.write_bytes(path.read_bytes() + b"%tampered\n")
    assert not verify_pdf(document)
    path.unlink()
    assert not verify_pdf(document)
    unrendered = make_document(make_content(), trigger_key="order-1:invoice:2")
    assert not verify_pdf(unrendered)
