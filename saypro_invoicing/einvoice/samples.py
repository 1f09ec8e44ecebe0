"""E-invoice files for the sandbox demo: what each B2B document was sent with, and every format of it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..document.calculate import model_of
from ..document.model import TypeCode
from ..models import BillingDocument
from .choice import is_business
from .formats import Format, spec
from .requirements import requirements
from .store import ensure_files, read
from .validate import validate
from .write import write


def write_demo_files(out: Path, documents: Iterable[BillingDocument]) -> list[str]:
    """Stored files into ``out``; every format of each issued B2B document into ``out/all-formats``.

    Returns one line per file (or per format a document cannot have, with the reason)."""
    lines: list[str] = []
    (out / "all-formats").mkdir(parents=True, exist_ok=True)
    for document in documents:
        if not document.number or document.type == "receipt":
            continue
        for row in ensure_files(document):
            (out / row.filename).write_bytes(read(row))
            lines.append(f"{row.filename} (sent; sha256 {row.sha256[:12]}...)")
        model = model_of(document.document_content)
        if model.type_code == TypeCode.NONE or not is_business(model):
            continue
        stem = document.filename.removesuffix(".pdf")
        for fmt in Format:
            missing = requirements(model, spec(fmt))
            if missing:
                lines.append(f"all-formats/{stem}.{fmt.value}.xml not written: {missing[0].message}")
                continue
            xml = write(model, document.number, fmt)
            report = validate(fmt, xml, credit_note=model.is_credit_note)
            if report.valid:
                (out / "all-formats" / f"{stem}.{fmt.value}.xml").write_bytes(xml)
                warnings = f", {len(report.warnings)} warning(s)" if report.warnings else ""
                lines.append(f"all-formats/{stem}.{fmt.value}.xml (valid: XSD + EN 16931{warnings})")
            else:
                lines.append(f"all-formats/{stem}.{fmt.value}.xml invalid: {report.errors[0].rule}")
    return lines
