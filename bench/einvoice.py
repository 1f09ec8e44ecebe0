"""E-invoice benchmark: building and validating the EN 16931 XML per document (warm: rule sets compiled
once per process, as a worker does at start), and the Factur-X PDF against the plain PDF of the same
content, interleaved in one process.

Target ``einvoice_overhead_at_most_0_5_of_render``: what a Factur-X channel adds to a document, the CII
build and validation plus the hybrid PDF's extra render time, at most half the plain render (5-line
invoice, medians of paired rounds).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from . import documents
from .stats import interleaved, summary

B2B = {"buyer_vat_id": "DE987654321", "buyer_reference": "04011000-12345-03",
       "buyer_electronic_address": "4035811991021", "buyer_electronic_scheme": "0088"}


def b2b_content(kind: str, lines: int):
    from saypro_invoicing.document.calculate import build_model, with_model
    from saypro_invoicing.snapshot import Address, Seller

    content = documents.content(kind, lines)
    seller = dataclasses.replace(content.seller, contact_name="Max Muster", phone="+49 30 123456",
                                 electronic_address="DE123456789", electronic_scheme="9930",
                                 address=Address(street_address_1="Musterstraße 1", postal_code="10115",
                                                 city="Berlin", country="DE"))
    assert isinstance(seller, Seller)
    content = dataclasses.replace(content, order=dataclasses.replace(content.order, **B2B), seller=seller,
                                  model=None)
    return with_model(content, build_model(content))


def bench_document(kind: str, lines: int, repeats: int, warmup: int) -> dict[str, Any]:
    from saypro_invoicing.document.calculate import model_of
    from saypro_invoicing.einvoice.facturx_pdf import render_facturx_pdf
    from saypro_invoicing.einvoice.formats import Format
    from saypro_invoicing.einvoice.validate import validate
    from saypro_invoicing.einvoice.write import write
    from saypro_invoicing.rendering import render_document_pdf

    content = b2b_content(kind, lines)
    model = model_of(content)
    number = documents.NUMBERS[kind]

    def build_and_validate(fmt: Format) -> None:
        report = validate(fmt, write(model, number, fmt), credit_note=model.is_credit_note)
        assert report.valid, [(f.rule, f.message) for f in report.errors]

    cii = write(model, number, Format.FACTURX)
    cases = {f"xml_{fmt.value}": (lambda fmt=fmt: build_and_validate(fmt)) for fmt in Format}
    cases["pdf_plain"] = lambda: render_document_pdf(content, number=number)
    cases["pdf_facturx"] = lambda: render_facturx_pdf(content, cii, number=number)
    times = interleaved(cases, repeats=repeats, warmup=warmup)
    # Paired per round: (CII build + validate + hybrid render - plain render) / plain render.
    ratios = sorted((x + f - p) / p for x, f, p in zip(times["xml_facturx"], times["pdf_facturx"],
                                                      times["pdf_plain"], strict=True))
    return {"name": f"{kind}_{lines}", "lines": lines,
            "ms": {name: summary(values, scale=1000) for name, values in times.items()},
            "facturx_overhead_over_plain": round(ratios[len(ratios) // 2], 3)}


def run(quick: bool) -> dict[str, Any]:
    from saypro_invoicing.einvoice import rules
    from saypro_invoicing.rendering import warm

    warm()
    started = time.perf_counter()
    rules.warm()
    warm_seconds = time.perf_counter() - started
    repeats, warmup = (7, 1) if quick else (31, 3)
    rows = [bench_document(kind, lines, repeats, warmup)
            for kind, lines in (("invoice", 5), ("invoice", 50), ("credit_note", 5))]
    target = rows[0]["facturx_overhead_over_plain"]
    return {
        "rules_compile_seconds": round(warm_seconds, 2),
        "documents": rows,
        "targets": {"einvoice_overhead_at_most_0_5_of_render": {"value": target, "limit": 0.5,
                                                                "met": target <= 0.5}},
    }
