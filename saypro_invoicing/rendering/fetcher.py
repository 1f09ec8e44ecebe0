"""The only way a document reaches a file: ``saypro-asset:<name>`` URLs, served from known folders.

Templates can be overridden by merchants and order data ends up in them, so WeasyPrint must never
follow a URL on its own: no http(s) (server-side request forgery), no file:// (reading the
server's files), no data: (nothing of ours needs it, so it is one less parser to expose). Every
refusal is an exception, which WeasyPrint reports as a missing resource, not a failed render.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..conf import setting

SCHEME = "saypro-asset"
PLUGIN_ASSETS = Path(__file__).resolve().parent.parent / "static" / "saypro_invoicing"
# A logo, not a data set: the cap keeps a wrong file from blowing up memory and render time.
MAX_ASSET_BYTES = 5 * 1024 * 1024
ALLOWED_SUFFIXES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".css"})


class AssetRefused(ValueError):
    """A URL the renderer will not fetch."""


def asset_url(name: str) -> str:
    return f"{SCHEME}:{name}"


def asset_roots() -> list[Path]:
    """Merchant folders first, so that a merchant file of the same name replaces the plugin's own."""
    roots = [Path(d).resolve() for d in (setting("ASSET_DIRS") or [])]
    return [*roots, PLUGIN_ASSETS]


def _clean_name(name: str) -> str:
    # Refuse rather than normalise: a name that needs cleaning came from someone probing.
    parts = name.split("/")
    if (not name or "\\" in name or "\x00" in name or name.startswith("/")
            or any(p in ("", ".", "..") for p in parts)):
        raise AssetRefused(f"Not a plain asset name: {name!r}.")
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise AssetRefused(f"Not an asset type the renderer reads: {name!r}.")
    return name


def resolve_asset(name: str, roots: list[Path] | None = None) -> Path | None:
    """The file an asset name stands for, or None; never a path outside its root (symlinks included)."""
    try:
        name = _clean_name(name)
    except AssetRefused:
        return None
    for root in asset_roots() if roots is None else roots:
        candidate = (root / name).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def logo_url(logo: str) -> str:
    """The seller's logo if it is among the assets (the plugin's sample logo.svg included), else none.

    No fallback: a merchant who set no logo must not get someone else's on their invoices.
    """
    if logo and resolve_asset(logo) is not None:
        return asset_url(logo)
    return ""


class AssetFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves ``saypro-asset:`` names and refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(SCHEME,), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme, sep, rest = url.partition(":")
        if not sep or scheme.lower() != SCHEME:
            raise AssetRefused(f"The renderer only reads {SCHEME}: URLs, not {url[:80]!r}.")
        # WeasyPrint percent-encodes URLs; decode once, then validate the decoded name.
        name = _clean_name(unquote(rest.split("#", 1)[0].split("?", 1)[0]))
        path = resolve_asset(name)
        if path is None:
            raise AssetRefused(f"No asset named {name!r}.")
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise AssetRefused(f"Asset {name!r} is larger than {MAX_ASSET_BYTES} bytes.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
