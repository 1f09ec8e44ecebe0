"""Signed, expiring, document-bound links: the only way to reach a PDF from outside."""

from __future__ import annotations

import uuid
from urllib.parse import urljoin

from django.core import signing

from .conf import setting
from .errors import ErrorCode, SayproInvoicingError

_SALT = "saypro_invoicing.download"


class LinkError(SayproInvoicingError):
    code = ErrorCode.PERMISSION_DENIED


class LinkExpired(LinkError):
    """The signature is genuine but too old: answer 410 Gone."""


class LinkInvalid(LinkError):
    """Forged, truncated or for another document: answer 403."""


def make_token(document_id: uuid.UUID | str, *, guest: bool = False) -> str:
    return signing.dumps({"d": str(document_id), "g": int(guest)}, salt=_SALT, compress=True)


def read_token(token: str) -> uuid.UUID:
    """The document id a token grants; LinkExpired or LinkInvalid otherwise."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=None)
    except signing.BadSignature as exc:
        raise LinkInvalid("This download link is not valid.") from exc
    ttl = setting("GUEST_LINK_TTL_SECONDS") if payload.get("g") else setting("LINK_TTL_SECONDS")
    try:
        signing.loads(token, salt=_SALT, max_age=ttl)
    except signing.SignatureExpired as exc:
        raise LinkExpired("This download link has expired; ask for a new one.") from exc
    try:
        return uuid.UUID(payload["d"])
    except (KeyError, ValueError) as exc:
        raise LinkInvalid("This download link is not valid.") from exc


def plugin_url(channel: str, path: str) -> str:
    base = setting("PUBLIC_URL").rstrip("/") + "/"
    return urljoin(base, setting("PLUGIN_PATH").format(channel=channel).lstrip("/") + path.lstrip("/"))


def download_url(document_id: uuid.UUID | str, channel: str, *, guest: bool = False) -> str:
    return plugin_url(channel, f"download/{make_token(document_id, guest=guest)}/")
