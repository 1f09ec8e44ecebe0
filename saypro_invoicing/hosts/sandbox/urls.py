"""URLs of the standalone host: the same GraphQL schema and plugin paths Saleor serves."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from ...graphql.views import standalone_graphql_view
from ...http import dispatch


@csrf_exempt
def plugin_view(request: HttpRequest, channel: str, path: str) -> HttpResponse:
    request.saypro_channel = channel  # type: ignore[attr-defined]
    return dispatch(request, path)


@csrf_exempt
def graphql_view(request: HttpRequest) -> HttpResponse:
    return standalone_graphql_view(request)


urlpatterns = [
    path("graphql/", graphql_view),
    re_path(r"^plugins/channel/(?P<channel>[^/]+)/saypro\.invoicing/(?P<path>.*)$", plugin_view),
]
