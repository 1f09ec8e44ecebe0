"""DocumentContent -> HTML (Django templates a merchant can override) -> PDF (WeasyPrint).

Pure: nothing but the content and the number goes in, PDF bytes come out. The HTML carries no
clock and no random id and the PDF gets its dates from the content, so the same content and
templates give the same bytes.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from decimal import Decimal

import weasyprint
from django.apps import apps
from django.template.loader import render_to_string
from django.utils import translation

from ..money import to_locale
from ..snapshot import DocumentContent, DocumentType, Line, OrderSnapshot, Seller
from .context import build_context
from .fetcher import PLUGIN_ASSETS, AssetFetcher
from .fonts import FONT_FAMILY, font_config, render_lock
from .user_agent import DocumentHTML

logger = logging.getLogger(__name__)

TEMPLATE_NAME = "saypro_invoicing/documents/{type}.html"
STYLESHEET_PATH = PLUGIN_ASSETS / "documents.css"

_stylesheet: weasyprint.CSS | None = None
# One fetcher and one image cache per process: a new URLFetcher builds an SSL context every time
# (~20 ms of a 90 ms invoice), and the only images it can ever load are our own assets.
_fetcher: AssetFetcher | None = None
_image_cache: dict = {}


def fetcher() -> AssetFetcher:
    global _fetcher
    if _fetcher is None:
        _fetcher = AssetFetcher()
    return _fetcher


def stylesheet() -> weasyprint.CSS:
    """The plugin's stylesheet, parsed once per process.

    It is given to WeasyPrint as a user stylesheet, which ranks below the document's own styles:
    a merchant's template can restyle anything with a <style> element of its own.
    """
    global _stylesheet
    if _stylesheet is None:
        with render_lock:
            if _stylesheet is None:
                source = STYLESHEET_PATH.read_text(encoding="utf-8")
                _stylesheet = weasyprint.CSS(string=source, url_fetcher=fetcher(), font_config=font_config())
    return _stylesheet


def document_language(content: DocumentContent) -> str:
    """Django's language code for the content's Babel locale: "de_DE" -> "de-de"."""
    return translation.to_language(to_locale(content.locale))


def render_document_html(content: DocumentContent, *, number: str, document_id: str | None = None) -> str:
    with translation.override(document_language(content)):
        context = build_context(content, number=number, document_id=document_id)
        return render_to_string(TEMPLATE_NAME.format(type=DocumentType(content.type).value), context)


def html_to_pdf(html: str) -> bytes:
    """Any HTML to PDF through the shared fonts, the cached stylesheet and the asset-only fetcher."""
    with render_lock:
        # No base_url: a relative URL in a template resolves to nothing instead of to a local file.
        document = DocumentHTML(string=html, base_url=None, url_fetcher=fetcher())
        return document.write_pdf(stylesheets=[stylesheet()], font_config=font_config(), cache=_image_cache)


def render_document_pdf(content: DocumentContent, *, number: str, document_id: str | None = None) -> bytes:
    return html_to_pdf(render_document_html(content, number=number, document_id=document_id))


_WARM_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style='font-family: {FONT_FAMILY}'>
<table><thead><tr><th>Warm</th><th>1</th></tr></thead>
<tbody><tr><td>Latin ÄÖÜ</td><td>€1,234.50</td></tr><tr><td>中文 日本語</td><td dir="rtl">العربية עברית</td></tr>
</tbody></table><img src="saypro-asset:logo.svg" alt=""></body></html>"""


def _warm_content() -> DocumentContent:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    lines = tuple(
        Line(product_name=name, quantity=1, unit_net=Decimal("1.00"), unit_gross=Decimal("1.19"),
             total_net=Decimal("1.00"), total_gross=Decimal("1.19"), tax_rate=Decimal("0.19"))
        for name in ("Latin ÄÖÜ", "中文 日本語", "العربية", "עברית")
    )
    order = OrderSnapshot(order_id="warm", order_number="1", channel="warm", currency="EUR", created_at=at,
                          total_net=Decimal("4.00"), total_gross=Decimal("4.76"), lines=lines)
    return DocumentContent(type=DocumentType.INVOICE, order=order, seller=Seller(legal_name="Warm"),
                           amount=order.total_gross, issued_at=at)


def warm() -> None:
    """Pay the per-process costs once (import, font lookups, stylesheet, first layout), not per document.

    Once Django's apps are ready (a Celery ``worker_process_init`` handler) it renders a small
    invoice through the templates, translations and Babel too; before that (AppConfig.ready(),
    where translations cannot load yet) it renders plain HTML. Needs no database. A failure is
    logged, not raised: warming is an optimisation, and the first real render reports the same
    problem where it matters.
    """
    started = time.perf_counter()
    try:
        if apps.ready:
            render_document_pdf(_warm_content(), number="WARM-1")
        else:
            html_to_pdf(_WARM_HTML)
    except Exception:
        logger.exception("saypro_invoicing: warming the PDF renderer failed")
        return
    logger.debug("saypro_invoicing: PDF renderer warmed in %.0f ms", (time.perf_counter() - started) * 1000)
