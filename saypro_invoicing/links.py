"""Signed, expiring, document-bound links: the only way to reach a PDF from outside."""

from __future__ import annotations

import uuid
import zlib
from urllib.parse import urljoin

from django.core import signing

from .conf import setting
from .errors import ErrorCode, SayproInvoicingError

_SALT = "saypro_invoicing.download"
TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 512


class LinkError(SayproInvoicingError):
    code = ErrorCode.PERMISSION_DENIED


class LinkExpired(LinkError):
    """The signature is genuine but too old: answer 410 Gone."""


class LinkInvalid(LinkError):
    """Forged, truncated or for another document: answer 403."""


# A link may name one stored file of the document besides its PDF: an e-invoice format (models.files).
FILE_FORMATS = frozenset({"facturx", "xrechnung-ubl", "xrechnung-cii", "peppol-ubl"})


def make_token(document_id: uuid.UUID | str, *, guest: bool = False, file_format: str = "") -> str:
    payload = {"v": TOKEN_VERSION, "d": str(document_id), "g": int(guest)}
    if file_format:
        payload["f"] = file_format
    return signing.dumps(payload, salt=_SALT, compress=True)


def _grant(payload: object) -> tuple[uuid.UUID, bool, str]:
    """(document id, guest, file format) of a payload of ours: exactly our keys, our types, our version.

    A genuine signature over something else (another payload shape, a future version, a value
    signed by other code sharing the secret and salt) grants nothing.
    """
    if not isinstance(payload, dict) or not set(payload) <= {"v", "d", "g", "f"} or "d" not in payload:
        raise LinkInvalid("This download link is not valid.")
    file_format = payload.get("f", "")
    if not isinstance(file_format, str) or (file_format and file_format not in FILE_FORMATS):
        raise LinkInvalid("This download link is not valid.")
    version, document, guest = payload.get("v", 1), payload["d"], payload.get("g", 0)  # v1 links predate "v"
    if type(version) is not int or version != TOKEN_VERSION or type(guest) is not int or guest not in (0, 1) \
            or not isinstance(document, str) or len(document) > 36:
        raise LinkInvalid("This download link is not valid.")
    try:
        return uuid.UUID(document), bool(guest), file_format
    except ValueError as exc:
        raise LinkInvalid("This download link is not valid.") from exc


def read_token(token: str) -> uuid.UUID:
    """The document id a token grants (its PDF); LinkExpired or LinkInvalid otherwise."""
    document_id, file_format = read_file_token(token)
    if file_format:
        raise LinkInvalid("This download link is not valid.")  # a file's link opens that file only
    return document_id


def read_file_token(token: str) -> tuple[uuid.UUID, str]:
    """(document id, file format or "" for the PDF) a token grants; LinkExpired or LinkInvalid otherwise."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise LinkInvalid("This download link is not valid.")
    try:
        payload = signing.loads(token, salt=_SALT, max_age=None)
    except (signing.BadSignature, ValueError, UnicodeError, zlib.error) as exc:
        raise LinkInvalid("This download link is not valid.") from exc
    document_id, guest, file_format = _grant(payload)
    ttl = setting("GUEST_LINK_TTL_SECONDS") if guest else setting("LINK_TTL_SECONDS")
    try:
        signing.loads(token, salt=_SALT, max_age=ttl)
    except signing.SignatureExpired as exc:
        raise LinkExpired("This download link has expired; ask for a new one.") from exc
    except (signing.BadSignature, ValueError, UnicodeError, zlib.error) as exc:
        raise LinkInvalid("This download link is not valid.") from exc
    return document_id, file_format


def plugin_url(channel: str, path: str) -> str:
    base = setting("PUBLIC_URL").rstrip("/") + "/"
    return urljoin(base, setting("PLUGIN_PATH").format(channel=channel).lstrip("/") + path.lstrip("/"))


def download_url(document_id: uuid.UUID | str, channel: str, *, guest: bool = False, file_format: str = "") -> str:
    return plugin_url(channel, f"download/{make_token(document_id, guest=guest, file_format=file_format)}/")
