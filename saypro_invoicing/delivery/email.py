"""Composing the plugin's emails: documents, reminders, delivery confirmations and staff alerts.

Templates live in ``saypro_invoicing/emails/`` (a subject, a text and an HTML template per kind)
and can be overridden like any Django template. Mail is rendered in the document's language.
Deliverability: multipart/alternative, a Message-ID per attempt from the From domain, Date set by
Django, no tracking pixels or rewritten links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import Message
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from babel.dates import format_date
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import pgettext

from .. import links
from ..conf import ChannelConfig
from ..document.calculate import model_of
from ..einvoice.store import email_attachments
from ..models import BillingDocument, StaffAlert
from ..models.delivery import AttemptPurpose
from ..money import format_money, to_locale
from ..rendering.figures import summary
from ..snapshot import DocumentType

TEMPLATE_DIR = "saypro_invoicing/emails"


@dataclass(frozen=True)
class ReminderInfo:
    step: int
    amount_due: Any  # Decimal
    deadline: datetime


def language_of(document: BillingDocument) -> str:
    return translation.to_language(to_locale(document.locale))


def from_domain(config: ChannelConfig) -> str:
    address = parseaddr(config.from_email)[1]
    return address.rpartition("@")[2] or "localhost"


def document_link(document: BillingDocument, config: ChannelConfig) -> str:
    """The customer's account page for the document; a signed link for guests, who have no account."""
    if document.customer_user_id and config.document_url_pattern:
        return config.document_url_pattern.format(document_id=document.id)
    return links.download_url(document.id, document.channel, guest=True)


def type_label(doc_type: str) -> str:
    return {
        DocumentType.INVOICE: pgettext("saypro_invoicing", "invoice"),
        DocumentType.RECEIPT: pgettext("saypro_invoicing", "receipt"),
        DocumentType.CREDIT_NOTE: pgettext("saypro_invoicing", "credit note"),
    }[DocumentType(doc_type)]


def _date(value: datetime | None, locale: str) -> str:
    return format_date(timezone.localtime(value).date(), format="long", locale=locale) if value else ""


def document_context(document: BillingDocument, config: ChannelConfig) -> dict[str, Any]:
    content = document.document_content
    locale = to_locale(document.locale)

    def money(amount: Any) -> str:
        return format_money(amount, document.currency, locale)

    return {
        "shop": config.display_shop_name,
        "document": document,
        "document_type": document.type,
        "document_label": type_label(document.type),
        "number": document.number,
        "order_number": document.order_number,
        "customer_name": document.customer_name if document.customer_name != document.customer_email else "",
        # The order summary is the document model's, formatted once for the PDF and the email alike.
        "summary": summary(model_of(content), locale),
        "amount": money(model_of(content).amount),
        "issued_on": _date(document.issued_at, locale),
        "due_on": _date(document.due_at, locale),
        "corrects_number": content.corrects_number,
        "document_url": document_link(document, config),
        "is_guest": not (document.customer_user_id and config.document_url_pattern),
        "support_contact": config.support_contact or config.reply_to or parseaddr(config.from_email)[1],
        "seller": config.seller,
    }


def _render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = render_to_string(f"{TEMPLATE_DIR}/{kind}_subject.txt", context)
    text = render_to_string(f"{TEMPLATE_DIR}/{kind}.txt", context)
    html = render_to_string(f"{TEMPLATE_DIR}/{kind}.html", context)
    # A header must be one line; templates may wrap for readability.
    return re.sub(r"\s+", " ", subject).strip(), text, html


class _Message(EmailMultiAlternatives):
    def message(self, *, policy: Any = None) -> Any:
        msg = super().message(policy=policy) if policy is not None else super().message()
        # Django folds a long non-ASCII Subject as "Subject: \r\n =?utf-8?...?=", which clients show with
        # a leading space (and Python's newer folder doubles spaces around encoded words). A Header
        # built with the header name splits into adjacent encoded words, which decode exactly.
        subject = " ".join(self.subject.split())
        del msg["Subject"]
        Message.__setitem__(msg, "Subject", subject if subject.isascii() else Header(subject, "utf-8",
                                                                                    header_name="Subject"))
        return msg


def _message(config: ChannelConfig, subject: str, text: str, html: str, recipient: str) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": make_msgid(domain=from_domain(config)),
        "Date": format_datetime(timezone.now()),
        # RFC 3834: auto-responders must not answer, and it is what this mail is.
        "Auto-Submitted": "auto-generated",
    }
    message = _Message(subject=subject, body=text, from_email=config.from_email, to=[recipient],
                       reply_to=[config.reply_to] if config.reply_to else None, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _attach_pdf(message: EmailMultiAlternatives, document: BillingDocument) -> None:
    with document.pdf.open("rb") as stored:
        message.attach(document.filename, stored.read(), "application/pdf")


def compose_document(document: BillingDocument, config: ChannelConfig, recipient: str, *,
                     purpose: str = AttemptPurpose.DOCUMENT, reminder: ReminderInfo | None = None,
                     documents: list[BillingDocument] | None = None) -> EmailMultiAlternatives:
    """The email for a document (its PDF attached), a reminder for it, or the delivered confirmation."""
    with translation.override(language_of(document)):
        context = document_context(document, config)
        kind = DocumentType(document.type).value
        if purpose == AttemptPurpose.REMINDER:
            if reminder is None:
                raise ValueError("A reminder needs its ReminderInfo.")
            locale = to_locale(document.locale)
            kind = "reminder"
            context |= {
                "step": reminder.step,
                "amount_due": format_money(reminder.amount_due, document.currency, locale),
                "deadline": _date(reminder.deadline, locale),
                "payment_url": (config.payment_url_pattern.format(order_id=document.order_id)
                                if config.payment_url_pattern else ""),
                "payment_instructions": config.payment_instructions,
            }
        elif purpose == AttemptPurpose.CONFIRMATION:
            kind = "delivered"
            context["documents"] = [
                {"label": type_label(d.type), "number": d.number, "url": document_link(d, config)}
                for d in (documents or [document])
            ]
        subject, text, html = _render(kind, context)
    message = _message(config, subject, text, html, recipient)
    if purpose != AttemptPurpose.CONFIRMATION:
        _attach_pdf(message, document)
    if purpose == AttemptPurpose.DOCUMENT:
        # A B2B customer's e-invoice XML beside the PDF (issue 13); not on reminders, which an inbound
        # e-invoice system would import as a second invoice. Raises (so nothing is sent) if it is invalid.
        for filename, data, media_type in email_attachments(document):
            message.attach(filename, data, media_type)
    return message


def compose_staff_alert(alert: StaffAlert, config: ChannelConfig, recipient: str) -> EmailMultiAlternatives:
    document = alert.document
    context = {
        "shop": config.display_shop_name,
        "alert": alert,
        "kind_label": alert.get_kind_display(),
        "document": document,
        "document_label": type_label(document.type) if document else "",
        "channel": alert.channel,
    }
    # Staff mail is in the site's language, not the customer's.
    subject, text, html = _render("staff_alert", context)
    return _message(config, subject, text, html, recipient)
