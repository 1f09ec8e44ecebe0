"""Proof that stored PDFs are the ones that were sent: recompute each file's SHA-256 against the record."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import AuditAction, AuditEntry, BillingDocument

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    document_id: str
    number: str
    problem: str  # "mismatch", "missing_file", "missing_hash"
    expected: str = ""
    actual: str = ""
    file: str = ""  # "" for the PDF; an e-invoice format ("xrechnung-ubl", ...) for a stored XML


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def stored_documents(channel: str | None = None):  # -> QuerySet[BillingDocument]
    """Documents that have (or should have) a stored PDF: rendered and not anonymised by retention."""
    documents = BillingDocument.objects.filter(anonymised_at__isnull=True).exclude(pdf="", pdf_sha256="")
    if channel:
        documents = documents.filter(channel=channel)
    return documents.order_by("channel", "type", "fiscal_year", "sequence", "created_at").prefetch_related("files")


def check_files(document: BillingDocument) -> list[Problem]:
    """The document's stored e-invoice files (models.files.DocumentFile) against their SHA-256."""
    problems = []
    for row in document.files.all():
        digest = hashlib.sha256()
        try:
            with row.file.storage.open(row.file.name or "", "rb") as stored:
                while chunk := stored.read(_CHUNK):
                    digest.update(chunk)
        except OSError:
            problems.append(Problem(str(document.pk), document.number or "", "missing_file", expected=row.sha256,
                                    file=row.format))
            continue
        if not hmac.compare_digest(digest.hexdigest(), row.sha256):
            problems.append(Problem(str(document.pk), document.number or "", "mismatch", expected=row.sha256,
                                    actual=digest.hexdigest(), file=row.format))
    return problems


def check(document: BillingDocument) -> Problem | None:
    number = document.number or ""
    if not document.pdf_sha256:
        return Problem(str(document.pk), number, "missing_hash")
    if not document.pdf:
        return Problem(str(document.pk), number, "missing_file", expected=document.pdf_sha256)
    digest = hashlib.sha256()
    try:
        with document.pdf.storage.open(document.pdf.name or "", "rb") as stored:
            while chunk := stored.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return Problem(str(document.pk), number, "missing_file", expected=document.pdf_sha256)
    actual = digest.hexdigest()
    if not hmac.compare_digest(actual, document.pdf_sha256):
        return Problem(str(document.pk), number, "mismatch", expected=document.pdf_sha256, actual=actual)
    return None


def verify(channel: str | None = None, *, record: bool = True,
           progress: Callable[[int], None] | None = None) -> VerifyResult:
    checked = 0
    problems: list[Problem] = []
    for document in stored_documents(channel).iterator(chunk_size=500):
        checked += 1
        problem = check(document)
        found = ([problem] if problem is not None else []) + check_files(document)
        for problem in found:
            problems.append(problem)
            if record:
                AuditEntry.objects.create(document=document, document_number=problem.number,
                                          action=AuditAction.VERIFY_FAILED, actor="verify",
                                          details={"problem": problem.problem, "expected": problem.expected,
                                                   "actual": problem.actual, "file": problem.file or "pdf"})
        if progress:
            progress(1)
    return VerifyResult(checked=checked, problems=tuple(problems))
