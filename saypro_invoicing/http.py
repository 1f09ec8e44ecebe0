"""The plugin's HTTP endpoints, served under the host's plugin path (Saleor: /plugins/.../<path>).

One dispatcher for every host: Saleor's plugin ``webhook()`` and the sandbox's urls call it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.module_loading import import_string

# (pattern on the path below the plugin's root, dotted view taking (request, **groups))
ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^download/(?P<token>[A-Za-z0-9_\-:.]+)/?$"), "saypro_invoicing.graphql.download.download_view"),
    (re.compile(r"^tracking/(?P<esp>[a-z0-9_]+)/?$"), "saypro_invoicing.delivery.webhooks.tracking_view"),
    # The Saleor app of the dashboard pages (saypro_invoicing/dashboard/).
    (re.compile(r"^dashboard/manifest/?$"), "saypro_invoicing.dashboard.views.manifest_view"),
    (re.compile(r"^dashboard/register/?$"), "saypro_invoicing.dashboard.views.register_view"),
    (re.compile(r"^dashboard/app(?:/(?P<page>[a-z\-]+)(?P<rest>/[A-Za-z0-9_\-=/]*)?)?/?$"),
     "saypro_invoicing.dashboard.views.page_view"),
    (re.compile(r"^dashboard/assets/(?P<name>[^/]+)$"), "saypro_invoicing.dashboard.views.asset_view"),
    (re.compile(r"^dashboard/pdf/(?P<token>[A-Za-z0-9_\-:.]+)/?$"), "saypro_invoicing.dashboard.views.inline_pdf_view"),
]


def dispatch(request: HttpRequest, path: str) -> HttpResponse:
    path = path.lstrip("/")
    for pattern, view_path in ROUTES:
        match = pattern.match(path)
        if match:
            view: Callable[..., HttpResponse] = import_string(view_path)
            return view(request, **match.groupdict())
    return HttpResponseNotFound("Not found.")
