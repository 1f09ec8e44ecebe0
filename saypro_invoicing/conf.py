"""Configuration: process-wide settings, and one validated dataclass per channel.

Process-wide settings live in Django's ``SAYPRO_INVOICING`` dict and are read through
``setting()``, which names what is missing. Per-channel settings are edited by the merchant
(in Saleor: the plugin's CONFIG_STRUCTURE in the dashboard) and become a ``ChannelConfig``
in exactly one place, ``ChannelConfig.from_mapping``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator

from .errors import ConfigurationError, ErrorCode
from .snapshot import Address, DocumentType, Seller

_DEFAULTS: dict[str, Any] = {
    "HOST": None,  # dotted path; None picks Saleor when installed, else the sandbox host
    "STORAGE": None,  # alias in settings.STORAGES; None uses a private FileSystemStorage
    "PRIVATE_ROOT": None,
    "ASSET_DIRS": [],  # extra folders the renderer may read (merchant logos)
    "PUBLIC_URL": "http://localhost:8000",  # base URL of the server answering download links
    # Saleor serves a per-channel plugin's webhook() below this path.
    "PLUGIN_PATH": "/plugins/channel/{channel}/saypro.invoicing/",
    "LINK_TTL_SECONDS": 7 * 24 * 3600,
    "GUEST_LINK_TTL_SECONDS": 30 * 24 * 3600,
    "CELERY_QUEUE": "saypro_invoicing",
    "EMAIL_CONNECTION_REUSE": True,
    "RETENTION_YEARS": 10,  # documents are kept (and cannot be deleted) this long after issuing
    "SLA_LOOKBACK_DAYS": 7,  # how far back the sweeper looks for missed orders and undelivered documents
    "PAYMENT_PENDING_HOURS": 72,  # reconciliation: an unpaid, uninvoiced order older than this is flagged
    # Extra compiled Schematron (XSLT 2.0) files per e-invoice format, e.g. KoSIT's XRechnung or OpenPeppol's
    # rules: {"xrechnung-ubl": ["/srv/rules/XRechnung-UBL-validation.xsl"], "peppol-ubl": [...]}.
    "EINVOICE_EXTRA_RULES": {},
    # Customers' own resends (staff's are not limited): at most this many per document, and per customer
    # over all their documents, within the window. 0 turns a limit off.
    "RESEND_LIMIT_PER_DOCUMENT": 3,
    "RESEND_LIMIT_PER_CUSTOMER": 10,
    "RESEND_LIMIT_WINDOW_SECONDS": 3600,
}


def setting(name: str) -> Any:
    """One process-wide setting: Django's SAYPRO_INVOICING, else the environment variable
    SAYPRO_INVOICING_<NAME> (handy where the host's settings file is not the merchant's to edit, as in
    Saleor), else the default. A name we do not know is a programming error."""
    if name not in _DEFAULTS:
        raise ConfigurationError(f"Unknown setting SAYPRO_INVOICING[{name!r}].")
    configured = getattr(django_settings, "SAYPRO_INVOICING", {}) or {}
    if name in configured:
        return configured[name]
    from_env = os.environ.get(f"SAYPRO_INVOICING_{name}")
    if from_env is not None:
        return _from_env(name, from_env, _DEFAULTS[name])
    if name == "PUBLIC_URL" and getattr(django_settings, "PUBLIC_URL", None):
        return getattr(django_settings, "PUBLIC_URL")  # noqa: B009  Saleor's own public URL serves our plugin path too
    return _DEFAULTS[name]


def _from_env(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigurationError(f"SAYPRO_INVOICING_{name} must be a whole number.", field=name) from exc
    if isinstance(default, list):
        return [part for part in raw.split(os.pathsep) if part]
    if isinstance(default, dict):
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ConfigurationError(f"SAYPRO_INVOICING_{name} must be a JSON object.", field=name) from exc
        if not isinstance(value, dict):
            raise ConfigurationError(f"SAYPRO_INVOICING_{name} must be a JSON object.", field=name)
        return value
    return raw


def required_setting(name: str) -> Any:
    value = setting(name)
    if value in (None, ""):
        raise ConfigurationError(f"Set SAYPRO_INVOICING[{name!r}] in your Django settings.", field=name)
    return value


def private_root() -> str:
    root = setting("PRIVATE_ROOT")
    if root:
        return str(root)
    base = getattr(django_settings, "MEDIA_ROOT", "") or os.getcwd()
    return os.path.join(os.path.dirname(os.path.abspath(base)), "private", "saypro_invoicing")


# --- Per-channel configuration ------------------------------------------------------------------

# The outside form, with the type names Saleor's ConfigurationTypeField uses.
STRING, MULTILINE, BOOLEAN, SECRET, PASSWORD = "String", "Multiline", "Boolean", "Secret", "Password"


@dataclass(frozen=True)
class ConfigField:
    name: str
    type: str
    default: Any
    label: str
    help_text: str = ""


CONFIG_FIELDS: tuple[ConfigField, ...] = (
    ConfigField("shop_name", STRING, "", "Shop name", "Shown in emails; defaults to the seller's legal name."),
    ConfigField("seller_legal_name", STRING, "", "Seller legal name", "Required: printed on every document."),
    ConfigField("seller_address", MULTILINE, "", "Seller address",
                "One address line per line; last line the country code."),
    ConfigField("seller_tax_id", STRING, "", "Seller VAT ID",
                "VAT identification number with its country prefix, e.g. DE123456789 (BT-31)."),
    ConfigField("seller_tax_number", STRING, "", "Seller tax number",
                "National tax registration (German Steuernummer), printed beside the VAT ID (BT-32)."),
    ConfigField("seller_contact_name", STRING, "", "Seller contact name", "Required by XRechnung (BT-41)."),
    ConfigField("seller_electronic_address", STRING, "", "Seller electronic address",
                "Where e-invoices reach the seller (BT-34): a Peppol participant id, a GLN, or an email."),
    ConfigField("seller_electronic_scheme", STRING, "", "Seller electronic address scheme",
                "Its EAS code (BT-34-1), e.g. 0088 (GLN), 9930 (German VAT ID), 0208 (Belgian company), EM (email)."),
    ConfigField("pdf_flavour", STRING, "plain", "PDF flavour",
                "plain, or facturx: invoices and credit notes as PDF/A-3 with the EN 16931 XML embedded."),
    ConfigField("b2b_xml", STRING, "none", "E-invoice for business customers",
                "none, xrechnung-ubl, xrechnung-cii or peppol-ubl: sent beside the PDF to customers with a VAT ID "
                "or an electronic address."),
    ConfigField("reverse_charge", BOOLEAN, False, "Apply reverse charge to EU B2B",
                "Zero-rated sales to a buyer VAT-registered in another EU country are invoiced as reverse charge."),
    ConfigField("seller_email", STRING, "", "Seller email"),
    ConfigField("seller_phone", STRING, "", "Seller phone"),
    ConfigField("seller_website", STRING, "", "Seller website"),
    ConfigField("logo", STRING, "", "Logo file", "File name in one of SAYPRO_INVOICING['ASSET_DIRS'] (PNG or SVG)."),
    ConfigField("invoice_trigger", STRING, "fully_paid", "Issue invoices when",
                "One of: confirmed, fully_paid, fulfilled, never."),
    ConfigField("issue_receipts", BOOLEAN, True, "Issue a receipt for every successful charge"),
    ConfigField("issue_credit_notes", BOOLEAN, True, "Issue credit notes for refunds and cancellations"),
    ConfigField("payment_terms_days", STRING, "14", "Payment terms (days)",
                "Due date of invoices issued before payment."),
    ConfigField("invoice_number_format", STRING, "INV-{year}-{number:06d}", "Invoice number format",
                "Python format with {year} and {number}, e.g. INV-{year}-{number:06d}."),
    ConfigField("receipt_number_format", STRING, "RCT-{year}-{number:06d}", "Receipt number format"),
    ConfigField("credit_note_number_format", STRING, "CN-{year}-{number:06d}", "Credit note number format"),
    ConfigField("locale", STRING, "", "Document language", "Empty: the order's language, else English."),
    ConfigField("paper_size", STRING, "A4", "Paper size", "A4 or Letter."),
    ConfigField("email_backend", STRING, "smtp", "Email connection",
                "smtp (settings below) or django (EMAIL_BACKEND)."),
    ConfigField("smtp_host", STRING, "", "SMTP host"),
    ConfigField("smtp_port", STRING, "587", "SMTP port"),
    ConfigField("smtp_user", STRING, "", "SMTP user"),
    ConfigField("smtp_password", PASSWORD, "", "SMTP password"),
    ConfigField("smtp_use_tls", BOOLEAN, True, "Use STARTTLS"),
    ConfigField("smtp_use_ssl", BOOLEAN, False, "Use SSL"),
    ConfigField("from_email", STRING, "", "From address", "Required to send email."),
    ConfigField("reply_to", STRING, "", "Reply-To address"),
    ConfigField("support_contact", STRING, "", "Support contact", "Shown in emails and reminders."),
    ConfigField("staff_alert_email", STRING, "", "Staff alert address",
                "Receives delivery failures, review holds, reports."),
    ConfigField("document_url_pattern", STRING, "", "Account document URL",
                "Storefront page of a document, e.g. https://shop.example/account/documents/{document_id}."),
    ConfigField("payment_url_pattern", STRING, "", "Payment link", "e.g. https://shop.example/pay/{order_id}."),
    ConfigField("payment_instructions", MULTILINE, "", "Payment methods text", "Printed on invoices and reminders."),
    ConfigField("reminder_days", STRING, "1,7,14", "Reminder schedule", "Days after the due date, comma separated."),
    ConfigField("reminder_max_count", STRING, "3", "Maximum reminders"),
    ConfigField("send_delivered_confirmation", BOOLEAN, False, "Confirm delivery to the customer"),
    ConfigField("sms_backend", STRING, "", "SMS backend",
                "Dotted path of an SMS backend class; empty disables SMS fallback."),
    ConfigField("sms_api_url", STRING, "", "SMS API URL"),
    ConfigField("sms_account", STRING, "", "SMS account / sender"),
    ConfigField("sms_token", SECRET, "", "SMS API token"),
    ConfigField("retry_base_seconds", STRING, "60", "First retry after (s)"),
    ConfigField("retry_max_seconds", STRING, "14400", "Longest retry interval (s)"),
    ConfigField("retry_max_attempts", STRING, "10", "Attempts per document and channel"),
    ConfigField("sla_warning_hours", STRING, "20", "Alert when undelivered after (h)"),
    ConfigField("sweeper_grace_minutes", STRING, "15", "Sweeper grace period (min)"),
)

CONFIG_FIELD_NAMES = frozenset(f.name for f in CONFIG_FIELDS)
INVOICE_TRIGGERS = ("confirmed", "fully_paid", "fulfilled", "never")
PAPER_SIZES = ("A4", "Letter")


class ConfigValidationError(ConfigurationError):
    """Every invalid field of one channel's configuration, keyed by field name."""

    def __init__(self, errors: dict[str, tuple[str, ErrorCode]]):
        self.errors = errors
        summary = "; ".join(f"{name}: {message}" for name, (message, _code) in errors.items())
        super().__init__(f"Invalid configuration: {summary}", field=next(iter(errors), None))


@dataclass(frozen=True)
class ChannelConfig:
    channel: str = "default"
    active: bool = True
    shop_name: str = ""
    seller: Seller = field(default_factory=lambda: Seller(legal_name=""))
    invoice_trigger: str = "fully_paid"
    issue_receipts: bool = True
    issue_credit_notes: bool = True
    reverse_charge: bool = False
    pdf_flavour: str = "plain"  # or "facturx" (einvoice.formats.PDF_FLAVOURS)
    b2b_xml: str = "none"  # einvoice.formats.B2B_XML_CHOICES
    payment_terms_days: int = 14
    number_formats: dict[str, str] = field(default_factory=lambda: {
        DocumentType.INVOICE: "INV-{year}-{number:06d}",
        DocumentType.RECEIPT: "RCT-{year}-{number:06d}",
        DocumentType.CREDIT_NOTE: "CN-{year}-{number:06d}",
    })
    locale: str = ""
    paper_size: str = "A4"
    email_backend: str = "smtp"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_use_tls: bool = True
    smtp_use_ssl: bool = False
    from_email: str = ""
    reply_to: str = ""
    support_contact: str = ""
    staff_alert_email: str = ""
    document_url_pattern: str = ""
    payment_url_pattern: str = ""
    payment_instructions: str = ""
    reminder_days: tuple[int, ...] = (1, 7, 14)
    reminder_max_count: int = 3
    send_delivered_confirmation: bool = False
    sms_backend: str = ""
    sms_api_url: str = ""
    sms_account: str = ""
    sms_token: str = ""
    retry_base_seconds: int = 60
    retry_max_seconds: int = 14400
    retry_max_attempts: int = 10
    sla_warning_hours: int = 20
    sweeper_grace_minutes: int = 15
    # When the plugin was switched on in this channel (the host records it; None: unknown). Hooks and the
    # sweeper issue documents only for events since then; older ones only through the backfill command.
    activated_at: datetime | None = None

    @property
    def display_shop_name(self) -> str:
        return self.shop_name or self.seller.legal_name

    def number_format(self, doc_type: DocumentType | str) -> str:
        return self.number_formats[DocumentType(doc_type)]

    def replace(self, **changes: Any) -> ChannelConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {f.name: f.default for f in CONFIG_FIELDS}

    @classmethod
    def from_mapping(cls, values: dict[str, Any], *, channel: str = "default", active: bool = True) -> ChannelConfig:
        """Build and validate; raise ConfigValidationError naming every bad field."""
        raw = cls.defaults() | {k: v for k, v in values.items() if k in CONFIG_FIELD_NAMES}
        parser = _Parser(raw)
        seller = Seller(
            legal_name=parser.text("seller_legal_name"),
            address=_parse_address(parser.text("seller_address")),
            vat_id=parser.text("seller_tax_id").replace(" ", "").upper(),
            tax_number=parser.text("seller_tax_number"),
            contact_name=parser.text("seller_contact_name"),
            electronic_address=parser.text("seller_electronic_address"),
            electronic_scheme=parser.text("seller_electronic_scheme").upper(),
            email=parser.email("seller_email"),
            phone=parser.text("seller_phone"),
            website=parser.text("seller_website"),
            logo=parser.filename("logo"),
        )
        config = cls(
            channel=channel,
            active=active,
            shop_name=parser.text("shop_name"),
            seller=seller,
            invoice_trigger=parser.choice("invoice_trigger", INVOICE_TRIGGERS),
            issue_receipts=parser.boolean("issue_receipts"),
            issue_credit_notes=parser.boolean("issue_credit_notes"),
            reverse_charge=parser.boolean("reverse_charge"),
            pdf_flavour=parser.choice("pdf_flavour", ("plain", "facturx")),
            b2b_xml=parser.choice("b2b_xml", ("none", "xrechnung-ubl", "xrechnung-cii", "peppol-ubl")),
            payment_terms_days=parser.integer("payment_terms_days", 0, 365),
            number_formats={
                DocumentType.INVOICE: parser.number_format("invoice_number_format"),
                DocumentType.RECEIPT: parser.number_format("receipt_number_format"),
                DocumentType.CREDIT_NOTE: parser.number_format("credit_note_number_format"),
            },
            locale=parser.text("locale"),
            paper_size=parser.choice("paper_size", PAPER_SIZES),
            email_backend=parser.choice("email_backend", ("smtp", "django")),
            smtp_host=parser.text("smtp_host"),
            smtp_port=parser.integer("smtp_port", 1, 65535),
            smtp_user=parser.text("smtp_user"),
            smtp_password=parser.text("smtp_password"),
            smtp_use_tls=parser.boolean("smtp_use_tls"),
            smtp_use_ssl=parser.boolean("smtp_use_ssl"),
            from_email=parser.email("from_email"),
            reply_to=parser.email("reply_to"),
            support_contact=parser.text("support_contact"),
            staff_alert_email=parser.email("staff_alert_email"),
            document_url_pattern=parser.url_pattern("document_url_pattern", "document_id"),
            payment_url_pattern=parser.url_pattern("payment_url_pattern", "order_id"),
            payment_instructions=parser.text("payment_instructions"),
            reminder_days=parser.day_list("reminder_days"),
            reminder_max_count=parser.integer("reminder_max_count", 0, 20),
            send_delivered_confirmation=parser.boolean("send_delivered_confirmation"),
            sms_backend=parser.text("sms_backend"),
            sms_api_url=parser.text("sms_api_url"),
            sms_account=parser.text("sms_account"),
            sms_token=parser.text("sms_token"),
            retry_base_seconds=parser.integer("retry_base_seconds", 1, 3600),
            retry_max_seconds=parser.integer("retry_max_seconds", 1, 24 * 3600),
            retry_max_attempts=parser.integer("retry_max_attempts", 1, 50),
            sla_warning_hours=parser.integer("sla_warning_hours", 1, 23),
            sweeper_grace_minutes=parser.integer("sweeper_grace_minutes", 0, 24 * 60),
        )
        if config.smtp_use_tls and config.smtp_use_ssl:
            parser.fail("smtp_use_ssl", "Choose STARTTLS or SSL, not both.", ErrorCode.INVALID)
        if config.email_backend == "smtp" and config.active and config.from_email and not config.smtp_host:
            parser.fail("smtp_host", "An SMTP host is required with the smtp email connection.", ErrorCode.REQUIRED)
        if config.b2b_xml == "peppol-ubl" and not (seller.electronic_address and seller.electronic_scheme):
            parser.fail("seller_electronic_address", "Peppol needs the seller's electronic address and its scheme.",
                        ErrorCode.REQUIRED)
        if parser.errors:
            raise ConfigValidationError(parser.errors)
        return config


def _parse_address(text: str) -> Address:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    country = lines.pop() if lines and re.fullmatch(r"[A-Z]{2}", lines[-1]) else ""
    padded = lines + [""] * (3 - len(lines))
    city = padded[2] if len(lines) > 2 else padded[1]
    # "10115 Berlin": e-invoices carry the post code apart (XRechnung BR-DE-4); documents print both as before.
    postal = re.fullmatch(r"(\S*\d\S*)\s+(\D.*)", city)
    return Address(street_address_1=padded[0], street_address_2=padded[1] if len(lines) > 2 else "",
                   city=postal[2] if postal else city, postal_code=postal[1] if postal else "", country=country)


class _Parser:
    """Reads raw dashboard values (strings, mostly) and collects every error before failing."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.errors: dict[str, tuple[str, ErrorCode]] = {}

    def fail(self, name: str, message: str, code: ErrorCode) -> None:
        self.errors.setdefault(name, (message, code))

    def text(self, name: str) -> str:
        value = self.raw.get(name)
        return "" if value is None else str(value).strip()

    def boolean(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", "", "none"):
            return False
        self.fail(name, f"Not a yes/no value: {value!r}.", ErrorCode.INVALID)
        return False

    def integer(self, name: str, low: int, high: int) -> int:
        text = self.text(name)
        try:
            number = int(text)
        except ValueError:
            self.fail(name, f"Not a whole number: {text!r}.", ErrorCode.INVALID)
            return low
        if not low <= number <= high:
            self.fail(name, f"Must be between {low} and {high}.", ErrorCode.OUT_OF_RANGE)
        return number

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        value = self.text(name)
        if value not in options:
            self.fail(name, f"Must be one of {', '.join(options)}.", ErrorCode.INVALID)
            return options[0]
        return value

    def email(self, name: str) -> str:
        value = self.text(name)
        if value:
            try:
                EmailValidator()(value.split("<")[-1].rstrip(">").strip())
            except DjangoValidationError:
                self.fail(name, f"Not an email address: {value!r}.", ErrorCode.INVALID)
        return value

    def filename(self, name: str) -> str:
        value = self.text(name)
        if value and (os.path.basename(value) != value or value.startswith(".")):
            self.fail(name, "A plain file name, without folders.", ErrorCode.INVALID)
        return value

    def number_format(self, name: str) -> str:
        value = self.text(name)
        try:
            rendered = value.format(year=2026, number=1)
        except (KeyError, IndexError, ValueError):
            self.fail(name, "Use only {year} and {number} placeholders.", ErrorCode.INVALID)
            return value
        if "{number" not in value or not rendered or len(rendered) > 64:
            self.fail(name, "Must contain {number} and render to at most 64 characters.", ErrorCode.INVALID)
        return value

    def url_pattern(self, name: str, placeholder: str) -> str:
        value = self.text(name)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value.replace("{" + placeholder + "}", "x"))
                value.format(**{placeholder: "x"})
            except (DjangoValidationError, KeyError, IndexError, ValueError):
                self.fail(name, f"An http(s) URL; may contain {{{placeholder}}}.", ErrorCode.INVALID)
        return value

    def day_list(self, name: str) -> tuple[int, ...]:
        text = self.text(name)
        try:
            days = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
        except ValueError:
            self.fail(name, "Whole numbers of days, comma separated.", ErrorCode.INVALID)
            return ()
        if any(d < 0 or d > 365 for d in days):
            self.fail(name, "Days must be between 0 and 365.", ErrorCode.OUT_OF_RANGE)
        return days
