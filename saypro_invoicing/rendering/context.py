"""What a document template sees: the document model (document.model) as display strings in its locale.

Everything is formatted here and in ``figures``, in Python, so that templates (which merchants override)
only place strings; no figure is computed here, every one is a field of the model. Call
``build_context`` inside ``translation.override(<document language>)``. Text from order data is a
``BidiText`` (see ``text``): templates write ``dir="{{ value.dir }}"``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext

from ..document.calculate import model_of
from ..document.model import BillingModel, CreditBasis, Party
from ..money import to_locale
from ..snapshot import DocumentContent, DocumentType
from .fetcher import logo_url
from .figures import Formatter, address_lines, summary, supply
from .text import BidiText, bidi

__all__ = ["BidiText", "bidi", "build_context", "document_title"]

PAGE_SIZES = {"a4": "A4", "letter": "letter"}
# Every label has the message context "saypro_invoicing" (written out, so that makemessages finds
# it): in Saleor, apps listed before the plugin in INSTALLED_APPS win for equal msgids, and Django's
# own catalog already translates "Order" as "Reihenfolge".


def document_title(doc_type: DocumentType | str) -> str:
    return {
        DocumentType.INVOICE: pgettext("saypro_invoicing", "Invoice"),
        DocumentType.RECEIPT: pgettext("saypro_invoicing", "Receipt"),
        DocumentType.CREDIT_NOTE: pgettext("saypro_invoicing", "Credit note"),
    }[DocumentType(doc_type)]


def build_context(content: DocumentContent, *, number: str, document_id: str | None = None) -> dict[str, Any]:
    locale = to_locale(content.locale)
    model = model_of(content)
    order = content.order
    f = Formatter(model, locale)
    doc_type = DocumentType(content.type)
    figures = summary(model, locale)
    return {
        "content": content,
        "model": model,
        "number": number,
        "document_id": document_id or "",
        "doc_type": doc_type.value,
        "title": document_title(doc_type),
        "lang": locale.split("_")[0],
        "page_size": PAGE_SIZES.get((content.paper_size or "").lower(), "A4"),
        # Lets PDF metadata depend on the content only, so the same content gives the same bytes.
        "created_iso": timezone.localtime(content.issued_at).isoformat() if content.issued_at else "",
        "logo_url": logo_url(content.seller.logo),
        "issued_on": f.day(model.issue_date),
        "due_on": f.day(model.due_date),
        "supply": supply(model, locale),
        "seller": _party(model.seller, locale) | {"tax_number": model.seller.tax_number},
        "order": {
            "number": bidi(model.order_number),
            "date": f.day(model.order_date),
            "note": bidi(order.customer_note),
            "buyer_reference": bidi(model.buyer_reference),
            "purchase_order": bidi(model.purchase_order_reference),
        },
        "customer": _customer(content, model, locale),
        **figures,
        "payment": _payment_status(model, f),
        "instructions": model.payment_instructions if doc_type == DocumentType.INVOICE else "",
        "receipt": _receipt(model, f) if model.receipt is not None else None,
        "credit": _credit(model, f) if doc_type == DocumentType.CREDIT_NOTE else None,
        "footer": content.footer,
    }


def _party(party: Party, locale: str) -> dict[str, Any]:
    return {
        "name": bidi(party.name),
        "address": address_lines(party.address, locale),
        "vat_id": party.vat_id,
        "email": party.email,
        "phone": party.phone,
        "website": party.website,
    }


def _customer(content: DocumentContent, model: BillingModel, locale: str) -> dict[str, Any]:
    order = content.order
    billing, shipping = order.billing_address, order.shipping_address
    return _party(model.buyer, locale) | {
        "billing": address_lines(billing, locale),
        # Printed only where it differs: one address block is easier to read than two equal ones.
        "shipping": address_lines(shipping, locale) if shipping and shipping != billing else [],
    }


def _payment_status(model: BillingModel, f: Formatter) -> dict[str, str]:
    t = model.totals
    if t.amount_due == 0:
        status = pgettext("saypro_invoicing", "Paid")
    elif t.prepaid > 0:
        status = pgettext("saypro_invoicing", "Partially paid")
    else:
        status = pgettext("saypro_invoicing", "Unpaid")
    return {
        "status": status,
        "method": model.payment_methods,
        "paid": f.money(t.prepaid) if t.prepaid > 0 else "",
        "due": f.money(t.amount_due) if t.amount_due > 0 else "",
    }


def _receipt(model: BillingModel, f: Formatter) -> dict[str, Any]:
    receipt = model.receipt
    assert receipt is not None
    return {
        "amount": f.money(receipt.payment.amount),
        "method": receipt.payment.method,
        "date": f.day(receipt.payment.received_on),
        "psp_reference": receipt.payment.psp_reference,
        "paid_before": f.money(receipt.paid_before) if receipt.paid_before else "",
        "paid_total": f.money(receipt.paid_total),
        "balance_due": f.money(receipt.balance_due) if receipt.balance_due else "",
        "fully_paid": receipt.fully_paid,
    }


def _credit(model: BillingModel, f: Formatter) -> dict[str, Any]:
    return {
        "corrects_number": model.preceding_invoice_number,
        "corrects_date": f.day(model.preceding_invoice_date),
        "reason": bidi(model.reason),
        "pro_rata": model.credit_basis == CreditBasis.PRO_RATA,
        "amount": f.money(model.totals.gross_total),
    }
