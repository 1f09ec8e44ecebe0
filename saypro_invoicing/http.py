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
]


def dispatch(request: HttpRequest, path: str) -> HttpResponse:
    path = path.lstrip("/")
    for pattern, view_path in ROUTES:
        match = pattern.match(path)
        if match:
            view: Callable[..., HttpResponse] = import_string(view_path)
            return view(request, **match.groupdict())
    return HttpResponseNotFound("Not found.")
