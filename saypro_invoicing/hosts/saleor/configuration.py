"""A channel's Saleor plugin configuration -> our ChannelConfig: Saleor's site settings fill what the
channel leaves empty, activation needs what every document and email needs, and the activation time
is recorded so that a shop's history is only issued through the backfill command.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from email.utils import formataddr
from typing import Any

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from saleor.plugins.error_codes import PluginErrorCode
from saleor.plugins.models import PluginConfiguration
from saleor.site.models import SiteSettings

from ...conf import ChannelConfig, ConfigValidationError
from ...errors import ErrorCode
from ...snapshot import Address
from ..protocol import get_host

PLUGIN_ID = "saypro.invoicing"
# Kept in the stored configuration but not in CONFIG_STRUCTURE: Saleor keeps the item in the row and
# never shows it in the dashboard or the API (BasePlugin._append_config_structure drops it).
ACTIVATED_AT = "activated_at"

# What activation needs, after the site settings' fallbacks: every document names its seller with a
# postal address and country (EN 16931 BT-27, BG-5, BT-40); every email needs a From address.
REQUIRED_ON_ACTIVATION = {
    "seller_legal_name": "Required to activate: the seller's legal name (or the company name in Saleor's "
                         "site settings).",
    "seller_address": "Required to activate: the seller's address with its country code on the last line "
                      "(or the company address in Saleor's site settings).",
    "from_email": "Required to activate: the From address of the documents' emails (or the default sender "
                  "address in Saleor's site settings).",
}


def configuration_values(configuration: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Saleor's stored [{name, value}, ...] as a mapping (unknown names are ignored by ChannelConfig)."""
    return {item["name"]: item.get("value") for item in configuration or [] if isinstance(item, dict)
            and "name" in item}


def site_settings() -> Any:
    return SiteSettings.objects.select_related("company_address").filter(site=Site.objects.get_current()).first()


def company_address(settings: Any) -> Address | None:
    address = getattr(settings, "company_address", None)
    if address is None:
        return None
    return Address(
        company_name=address.company_name or "", street_address_1=address.street_address_1 or "",
        street_address_2=address.street_address_2 or "", postal_code=address.postal_code or "",
        city=address.city or "", city_area=address.city_area or "", country_area=address.country_area or "",
        country=getattr(address.country, "code", "") or "", phone=str(address.phone or ""),
    )


def site_fallbacks(settings: Any) -> dict[str, str]:
    """The configuration values Saleor's site settings supply: company name, address, default sender."""
    values: dict[str, str] = {}
    address = company_address(settings)
    if address is not None:
        values["seller_legal_name"] = address.company_name
        city = " ".join(p for p in (address.postal_code, address.city) if p)
        lines = [address.street_address_1, address.street_address_2, city]
        if address.street_address_1 and address.country:
            values["seller_address"] = "\n".join([line for line in lines if line] + [address.country])
        if address.phone:
            values["seller_phone"] = address.phone
    sender = getattr(settings, "default_mail_sender_address", None) or ""
    if sender:
        values["from_email"] = formataddr((getattr(settings, "default_mail_sender_name", "") or "", sender))
    return {name: value for name, value in values.items() if value}


def with_fallbacks(configuration: list[dict[str, Any]] | None, settings: Any) -> tuple[dict[str, Any], set[str]]:
    """The channel's values, empty ones filled from the site settings, and the names that were filled."""
    values = configuration_values(configuration)
    filled = {name: value for name, value in site_fallbacks(settings).items() if not _given(values.get(name))}
    return values | filled, set(filled)


def channel_config_from(configuration: list[dict[str, Any]] | None, *, channel: str, active: bool,
                        settings: Any = None) -> ChannelConfig:
    """The one place a Saleor plugin configuration becomes our ChannelConfig (raises ConfigValidationError)."""
    settings = site_settings() if settings is None else settings
    values, filled = with_fallbacks(configuration, settings)
    config = ChannelConfig.from_mapping(values, channel=channel, active=active)
    site_address = company_address(settings) if "seller_address" in filled else None
    if site_address is not None:
        # The site's address keeps its postal code apart from the city (the text form cannot).
        config = config.replace(seller=replace(config.seller, address=replace(site_address, company_name="",
                                                                              phone="")))
    return config.replace(activated_at=_parse_time(values.get(ACTIVATED_AT)))


def activation_errors(values: dict[str, Any]) -> dict[str, tuple[str, ErrorCode]]:
    """Required fields missing from the values (after fallbacks), whatever else is wrong with them."""
    missing = {name for name in ("seller_legal_name", "from_email") if not _given(values.get(name))}
    lines = [line.strip() for line in str(values.get("seller_address") or "").splitlines() if line.strip()]
    if len(lines) < 2 or not re.fullmatch(r"[A-Z]{2}", lines[-1]):
        missing.add("seller_address")
    return {name: (message, ErrorCode.REQUIRED) for name, message in REQUIRED_ON_ACTIVATION.items()
            if name in missing}


def validate_activation(plugin_configuration: Any) -> None:
    """pluginUpdate: an active configuration must parse and hold every required field (after fallbacks).

    Switching off always works, as with Saleor's email plugins; values are checked on activation.
    """
    if not plugin_configuration.active:
        return
    channel = getattr(plugin_configuration, "channel", None)
    values, _filled = with_fallbacks(plugin_configuration.configuration, site_settings())
    errors = activation_errors(values)
    try:
        ChannelConfig.from_mapping(values, channel=channel.slug if channel else "default", active=True)
    except ConfigValidationError as exc:
        errors = errors | exc.errors
    if errors:
        raise ValidationError({
            name: ValidationError(message, code=(PluginErrorCode.REQUIRED if code == ErrorCode.REQUIRED
                                                 else PluginErrorCode.INVALID).value)
            for name, (message, code) in errors.items()
        })


def record_activation(plugin_configuration: Any) -> None:
    """Switched on (or first saved active): remember when, so that only later events issue documents."""
    if not plugin_configuration.active:
        return
    was_active = plugin_configuration.pk is not None and PluginConfiguration.objects.filter(
        pk=plugin_configuration.pk, active=True).exists()
    items = plugin_configuration.configuration
    if not isinstance(items, list):
        items = plugin_configuration.configuration = []
    if was_active:
        # A save of an active configuration is no activation (nor is one active since before this was
        # recorded: its history went through the hooks already).
        return
    now = timezone.now().isoformat()
    for item in items:
        if isinstance(item, dict) and item.get("name") == ACTIVATED_AT:
            item["value"] = now
            return
    items.append({"name": ACTIVATED_AT, "value": now})


def _given(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


def _site_settings_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The site's company address or default sender changed: channels falling back to them read them again."""
    forget = getattr(get_host(), "forget_channel_configs", None)
    if forget is not None:
        forget()
        transaction.on_commit(forget)


def connect() -> None:
    post_save.connect(_site_settings_saved, sender=SiteSettings, dispatch_uid="saypro_invoicing_site_settings")
