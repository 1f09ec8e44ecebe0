"""Django system checks with stable ids (saypro_invoicing.E00x / W00x)."""

from __future__ import annotations

import os
from typing import Any

from django.core.checks import Error, Warning, register

from .conf import setting


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    for folder in setting("ASSET_DIRS") or []:
        if not os.path.isdir(folder):
            problems.append(Warning(f"SAYPRO_INVOICING['ASSET_DIRS'] names {folder!r}, which is not a folder.",
                                    id="saypro_invoicing.W001"))
    ttl = setting("LINK_TTL_SECONDS")
    if not isinstance(ttl, int) or ttl <= 0:
        problems.append(Error("SAYPRO_INVOICING['LINK_TTL_SECONDS'] must be a positive number of seconds.",
                              id="saypro_invoicing.E001"))
    if not str(setting("PUBLIC_URL")).startswith(("http://", "https://")):
        problems.append(Error("SAYPRO_INVOICING['PUBLIC_URL'] must be an http(s) URL: download links start with it.",
                              id="saypro_invoicing.E002"))
    return problems
