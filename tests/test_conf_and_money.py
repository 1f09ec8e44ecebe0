"""Configuration validation, the settings accessor, money rounding and the snapshot's JSON round trip."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from saypro_invoicing.conf import ChannelConfig, ConfigValidationError, required_setting, setting
from saypro_invoicing.errors import ConfigurationError, ErrorCode, ValidationError
from saypro_invoicing.hosts.sandbox.sample import DEMO_CONFIGURATION, build_snapshot
from saypro_invoicing.money import format_money, minor_unit, quantize, to_locale
from saypro_invoicing.snapshot import OrderSnapshot, from_json, to_json


def test_defaults_build_a_config():
    config = ChannelConfig.from_mapping(DEMO_CONFIGURATION, channel="c")
    assert config.invoice_trigger == "fully_paid"
    assert config.reminder_days == (1, 7, 14)
    assert config.number_format("invoice") == "INV-{year}-{number:06d}"
    assert config.smtp_port == 2525 and config.smtp_use_tls is False


def test_every_bad_field_is_named_with_a_code():
    with pytest.raises(ConfigValidationError) as caught:
        ChannelConfig.from_mapping({
            **DEMO_CONFIGURATION,
            "invoice_trigger": "someday",
            "payment_terms_days": "-3",
            "invoice_number_format": "INV-{year}",
            "from_email": "not-an-email",
            "smtp_port": "smtp",
            "reminder_days": "1,x",
            "logo": "../../etc/passwd",
            "document_url_pattern": "javascript:alert(1)",
        })
    errors = caught.value.errors
    assert errors["invoice_trigger"][1] == ErrorCode.INVALID
    assert errors["payment_terms_days"][1] == ErrorCode.OUT_OF_RANGE
    assert errors["invoice_number_format"][1] == ErrorCode.INVALID
    assert errors["from_email"][1] == ErrorCode.INVALID
    assert errors["smtp_port"][1] == ErrorCode.INVALID
    assert errors["reminder_days"][1] == ErrorCode.INVALID
    assert errors["logo"][1] == ErrorCode.INVALID
    assert errors["document_url_pattern"][1] == ErrorCode.INVALID
    assert isinstance(caught.value, ImproperlyConfigured)


def test_smtp_host_required_for_smtp_sending():
    with pytest.raises(ConfigValidationError) as caught:
        ChannelConfig.from_mapping({**DEMO_CONFIGURATION, "smtp_host": ""})
    assert caught.value.errors["smtp_host"][1] == ErrorCode.REQUIRED


def test_settings_accessor_names_unknown_and_missing(settings):
    with pytest.raises(ConfigurationError, match="PUBLIC_URLS"):
        setting("PUBLIC_URLS")
    settings.SAYPRO_INVOICING = {"STORAGE": ""}
    with pytest.raises(ImproperlyConfigured, match=r"SAYPRO_INVOICING\['STORAGE'\]"):
        required_setting("STORAGE")


@pytest.mark.parametrize(("currency", "amount", "expected", "unit"), [
    ("EUR", "10.005", "10.01", "0.01"),
    ("JPY", "1234.5", "1235", "1"),
    ("KWD", "1.2345", "1.235", "0.001"),
])
def test_quantize_to_the_minor_unit(currency, amount, expected, unit):
    assert quantize(Decimal(amount), currency) == Decimal(expected)
    assert minor_unit(currency) == Decimal(unit)


def test_unknown_currency_and_bad_amount_have_codes():
    with pytest.raises(ValidationError) as caught:
        quantize("1", "XXY")
    assert caught.value.code == ErrorCode.INVALID_CURRENCY
    with pytest.raises(ValidationError) as caught:
        quantize("ten", "EUR")
    assert caught.value.code == ErrorCode.INVALID


def test_format_money_per_locale():
    assert format_money(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"
    assert format_money(Decimal("1234.5"), "JPY", "en") == "¥1,235"
    assert format_money(Decimal("1234.5"), "KWD", "en") == "KWD\xa01,234.500"
    assert to_locale("DE") == "de" and to_locale("PT_BR") == "pt_BR" and to_locale("zz") == "en"


def test_snapshot_round_trips_through_json_exactly():
    snapshot = build_snapshot(number="42", discount=("Welcome", "WELCOME10", "5.00", "0.19"))
    data = to_json(snapshot)
    assert data["total_gross"] == str(snapshot.total_gross)
    again = from_json(OrderSnapshot, data)
    assert again == snapshot
    assert again.tax_breakdown() == snapshot.tax_breakdown()
    rates = {line.rate: line for line in again.tax_breakdown()}
    assert set(rates) == {Decimal("0.19"), Decimal("0.07")}
    assert sum(t.gross for t in rates.values()) == snapshot.total_gross


def test_settings_fall_back_to_environment_then_host(settings, monkeypatch):
    settings.SAYPRO_INVOICING = {}
    settings.PUBLIC_URL = "https://api.shop.example"
    assert setting("PUBLIC_URL") == "https://api.shop.example"
    monkeypatch.setenv("SAYPRO_INVOICING_PUBLIC_URL", "https://invoices.shop.example")
    monkeypatch.setenv("SAYPRO_INVOICING_LINK_TTL_SECONDS", "600")
    assert setting("PUBLIC_URL") == "https://invoices.shop.example"
    assert setting("LINK_TTL_SECONDS") == 600
    monkeypatch.setenv("SAYPRO_INVOICING_LINK_TTL_SECONDS", "ten minutes")
    with pytest.raises(ConfigurationError, match="SAYPRO_INVOICING_LINK_TTL_SECONDS"):
        setting("LINK_TTL_SECONDS")
