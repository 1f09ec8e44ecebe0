"""PDF rendering of invoices, receipts and credit notes.

render_document_pdf(content, number=...) is pure; ensure_pdf(document) renders and stores a
document's PDF once; verify_pdf(document) checks the stored file against its SHA-256; warm()
pays a worker process's start-up costs ahead of the first document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .pdf import html_to_pdf, render_document_html, render_document_pdf, warm

if TYPE_CHECKING:
    from .files import ensure_pdf, verify_pdf

__all__ = ["ensure_pdf", "html_to_pdf", "render_document_html", "render_document_pdf", "verify_pdf", "warm"]


def __getattr__(name: str) -> Any:
    # files imports the models: loaded on first use, so that warm() and the pure renderer can be
    # imported before Django's app registry is ready (AppConfig modules, Celery signal handlers).
    if name in ("ensure_pdf", "verify_pdf"):
        from . import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
