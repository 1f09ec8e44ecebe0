"""Judging a fuzzed answer: outcome counts, and the failures the suite exists to find.

Failures: a server error (HTTP 500, an exception out of a view, an uncoded GraphQL error), a traceback
in a response, a database error, a leak (a document, correction request or download link reaching a
caller the permission matrix does not allow, or a staff-only mutation succeeding for anyone else).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections import Counter
from typing import Any

from graphql_relay import from_global_id

from saypro_invoicing import links
from saypro_invoicing.errors import ErrorCode
from saypro_invoicing.models import BillingDocument
from saypro_invoicing.models.documents import DocumentStatus

COUNTS: dict[str, Counter] = {}
SCALE = max(1, int(os.environ.get("SAYPRO_FUZZ_SCALE", "1")))
FAILURES = ("server_error", "traceback", "database_error", "leak")
DB_ERRORS = {"DatabaseError", "DataError", "IntegrityError", "OperationalError", "ProgrammingError",
             "InternalError", "NotSupportedError", "InterfaceError"}
CLIENT_CODES = {code.name for code in ErrorCode} | {"GraphQLError", "BadRequest", "QueryCostError"}
MANAGERS = {"staff", "app"}
STAFF_ONLY_MUTATIONS = {"billingDocumentIssue", "billingDocumentVoid", "billingDocumentCorrectionResolve"}
_LINK = re.compile(r"/download/([A-Za-z0-9_\-:.]+)/")


class FuzzFailure(AssertionError):
    pass


def record(area: str, outcome: str, detail: str = "") -> None:
    COUNTS.setdefault(area, Counter())[outcome] += 1
    if outcome in FAILURES:
        raise FuzzFailure(f"{area}: {outcome}: {detail[:3000]}")


def total(area: str) -> int:
    return sum(COUNTS.get(area, Counter()).values())


def check_traceback(area: str, text: str) -> None:
    if "Traceback (most recent call last)" in text or 'File "/' in text:
        record(area, "traceback", text)


def classify_exception(area: str, exc: BaseException) -> None:
    """An exception that escaped a view: a database error or another server error."""
    chain, current = [], exc
    while current is not None and len(chain) < 10:
        chain.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    outcome = "database_error" if DB_ERRORS & set(chain) or "NUL (0x00)" in str(exc) else "server_error"
    record(area, outcome, f"{' <- '.join(chain)}: {exc!r}")


class Matrix:
    """Who may see which document: the rules of the README, computed here independently of the plugin."""

    def __init__(self, users: dict[str, Any]):
        self.user_ids = {role: str(user.pk) for role, user in users.items()}

    def may_see(self, role: str, document: BillingDocument) -> bool:
        if role in MANAGERS:
            return True
        if role in ("customer_a", "customer_b"):
            return (document.customer_user_id == self.user_ids[role]
                    and document.status != DocumentStatus.NEEDS_REVIEW)
        return False

    def check_document(self, area: str, role: str, pk: Any, where: str) -> None:
        document = BillingDocument.objects.filter(pk=pk).first()
        if document is not None and not self.may_see(role, document):
            record(area, "leak", f"{role} received document {document.pk} ({document.status}) at {where}")

    def check_data(self, area: str, role: str, data: Any, where: str = "") -> None:
        """Every id and download link anywhere in the answer must be one the caller may see."""
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "id" and isinstance(value, str):
                    self._check_id(area, role, value, f"{where}.id")
                elif isinstance(value, str) and "/download/" in value:
                    self._check_link(area, role, value, f"{where}.{key}")
                else:
                    self.check_data(area, role, value, f"{where}.{key}")
        elif isinstance(data, list):
            for index, item in enumerate(data):
                self.check_data(area, role, item, f"{where}[{index}]")

    def _check_id(self, area: str, role: str, value: str, where: str) -> None:
        try:
            type_name, raw = from_global_id(value)
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
            return
        if type_name == "BillingDocument":
            self.check_document(area, role, raw, where)
        elif type_name == "BillingDocumentCorrectionRequest" and role not in MANAGERS:
            record(area, "leak", f"{role} received correction request {raw} at {where}")

    def _check_link(self, area: str, role: str, value: str, where: str) -> None:
        match = _LINK.search(value)
        if match is None:
            return
        try:
            document_id, _file_format = links.read_file_token(match.group(1))
        except links.LinkError:
            return
        self.check_document(area, role, document_id, where)


def graphql_outcome(area: str, role: str, field: str, response: Any, matrix: Matrix) -> str:
    """Classify one GraphQL answer (and fail on server errors, tracebacks, database errors, leaks)."""
    text = response.content.decode("utf-8", "replace")
    check_traceback(area, text)
    if response.status_code >= 500:
        record(area, "server_error", f"HTTP {response.status_code}: {text}")
    if "json" not in response.get("Content-Type", ""):
        # Django itself refused the request (body over DATA_UPLOAD_MAX_MEMORY_SIZE): a plain 4xx page.
        if response.status_code >= 400:
            return f"rejected_{response.status_code}"
        record(area, "server_error", f"HTTP {response.status_code} without JSON: {text[:500]}")
    body = response.json()
    for error in body.get("errors") or []:
        code = ((error.get("extensions") or {}).get("exception") or {}).get("code")
        if code in DB_ERRORS:
            record(area, "database_error", str(error))
        if error.get("message") == "Internal Server Error" or code not in CLIENT_CODES:
            record(area, "server_error", str(error))
    data = body.get("data") or {}
    matrix.check_data(area, role, data)
    for key, payload in data.items():
        if isinstance(payload, dict) and payload.get("errors") == [] and role not in MANAGERS \
                and _field_name(key, field) in STAFF_ONLY_MUTATIONS:
            record(area, "leak", f"{role} succeeded with staff-only {field}: {payload}")
    if response.status_code == 400:
        return "rejected_400"
    if body.get("errors"):
        return "coded_error"
    if any(isinstance(p, dict) and p.get("errors") for p in data.values()):
        return "mutation_error"
    return "ok"


def _field_name(key: str, field: str) -> str:
    return field if key.startswith("x") and key[1:].isdigit() else key


def link_token(text: str) -> str | None:
    match = _LINK.search(text)
    return match.group(1) if match else None


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
