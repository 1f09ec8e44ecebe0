"""HTTP views of the dashboard app, dispatched from the plugin's path (http.py) in every host.

The pages are static (built by frontend/ into static/saypro_invoicing/dashboard/): one HTML shell for
every page, the bundle and its stylesheet. They hold no data; everything they show comes from GraphQL
with the token Saleor's dashboard hands them through the App Bridge.
"""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt

from .. import __version__, links
from ..conf import setting
from ..hosts import writer
from ..models import BillingDocument
from ..models.documents import DocumentStatus
from ..rendering import ensure_pdf
from .manifest import PAGES, build_manifest

ASSET_DIR = Path(__file__).resolve().parent.parent / "static" / "saypro_invoicing" / "dashboard"
_ASSET_NAME = re.compile(r"^[A-Za-z0-9_\-]+\.(js|css|map|svg|json|woff2)$")
# The shell may be framed by the dashboard on any origin: the page itself is public and data-free.
_SHELL_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "frame-src 'self'; connect-src *; frame-ancestors *")


def plugin_root_path(request: HttpRequest, below: str) -> str:
    """The plugin's root path (ends with a slash), from the request that reached ``<root>/<below>``."""
    path = request.path
    if below and path.endswith(below):
        path = path[: -len(below)]
    return path if path.endswith("/") else path + "/"


def plugin_root(request: HttpRequest, below: str) -> str:
    """Absolute URL of the plugin's root on PUBLIC_URL, the API's address that links use.

    Not the request's Host: Saleor fetches the manifest through its IP-filtering HTTP client, which
    connects to the resolved address and sends a Host without the port."""
    return setting("PUBLIC_URL").rstrip("/") + plugin_root_path(request, below)


def _method_not_allowed(allowed: str) -> HttpResponse:
    response = HttpResponse("Method not allowed.", status=405, content_type="text/plain; charset=utf-8")
    response["Allow"] = allowed
    return response


def manifest_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    root = plugin_root(request, "dashboard/manifest")
    response = JsonResponse(build_manifest(root, __version__))
    response["Access-Control-Allow-Origin"] = "*"
    return response


def register_view(request: HttpRequest) -> HttpResponse:
    """tokenTargetUrl: Saleor posts the app's token here during appInstall.

    The pages never use that token (they act with the token of the staff member signed in to the
    dashboard), so it is not stored: a token nobody keeps cannot leak.
    """
    if request.method != "POST":
        return _method_not_allowed("POST")
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"success": False, "error": "The request body is not valid JSON."}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("auth_token"), str):
        return JsonResponse({"success": False, "error": "auth_token is missing."}, status=400)
    return JsonResponse({"success": True})


def _built(name: str) -> Path | None:
    path = ASSET_DIR / name
    return path if path.is_file() else None


@xframe_options_exempt
def page_view(request: HttpRequest, page: str | None = None, rest: str | None = None) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    if page is not None and page not in PAGES:
        return HttpResponse("Not found.", status=404, content_type="text/plain; charset=utf-8")
    shell = _built("index.html")
    if shell is None:
        return HttpResponse("The dashboard pages are not built: run `make frontend`.", status=503,
                            content_type="text/plain; charset=utf-8")
    below = request.path[request.path.rindex("dashboard/app"):]
    root = plugin_root_path(request, below)
    app_root = root + "dashboard/"
    html = shell.read_text(encoding="utf-8").replace("__ASSETS__", escape(app_root + "assets/"))
    html = html.replace("__APP_ROOT__", escape(app_root + "app/"))
    response = HttpResponse(html.encode(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = _SHELL_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def asset_view(request: HttpRequest, name: str) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    path = _built(name) if _ASSET_NAME.match(name) else None
    if path is None:
        return HttpResponse("Not found.", status=404, content_type="text/plain; charset=utf-8")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    # Names do not carry a hash: revalidate, so an upgraded plugin serves its new bundle at once.
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@xframe_options_exempt
def inline_pdf_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """The PDF shown inside the detail page: the same signed link as downloads, displayed inline."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    try:
        document_id = links.read_token(token)
    except links.LinkExpired:
        return HttpResponse("This link has expired.", status=410, content_type="text/plain; charset=utf-8")
    except links.LinkInvalid:
        return HttpResponse("This link is not valid.", status=403, content_type="text/plain; charset=utf-8")
    document = BillingDocument.objects.filter(pk=document_id).first()
    if document is None or document.status == DocumentStatus.NEEDS_REVIEW or not document.number:
        return HttpResponse("Document not found.", status=404, content_type="text/plain; charset=utf-8")
    if not document.pdf:
        with writer():
            document = ensure_pdf(document)
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
