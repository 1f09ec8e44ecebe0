"""Decimal money rounded to each currency's minor unit, and locale-aware formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol, list_currencies

from .errors import ErrorCode, ValidationError

_KNOWN_CURRENCIES = frozenset(list_currencies())


def validate_currency(code: str) -> str:
    code = (code or "").upper()
    if code not in _KNOWN_CURRENCIES:
        raise ValidationError(f"Unknown currency {code!r}.", code=ErrorCode.INVALID_CURRENCY, field="currency")
    return code


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-get_currency_precision(validate_currency(currency)))


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationError(f"Not an amount: {amount!r}.", code=ErrorCode.INVALID, field="amount") from exc
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def to_locale(language_code: str | None, default: str = "en") -> str:
    """Saleor language codes look like "EN", "DE", "PT_BR": turn them into Babel locale names."""
    for candidate in (language_code, default):
        if not candidate:
            continue
        parts = candidate.replace("-", "_").split("_")
        name = parts[0].lower() + (f"_{parts[1].upper()}" if len(parts) > 1 else "")
        try:
            return str(Locale.parse(name))
        except (ValueError, UnknownLocaleError):
            continue
    return "en"


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    text = format_currency(quantize(amount, currency), currency, locale=locale, currency_digits=True,
                           format_type="standard")
    symbol = get_currency_symbol(currency, locale=locale)
    # "KWD1,234.500" reads badly: a letter code gets a no-break space, as it does in most locales.
    if symbol.isalpha() and text.startswith(symbol) and text[len(symbol):][:1].isdigit():
        text = f"{symbol}\xa0{text[len(symbol):]}"
    return text
