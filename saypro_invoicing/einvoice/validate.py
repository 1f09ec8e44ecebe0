"""Validate one written e-invoice: its XSD, the EN 16931 rules, and any rule sets the merchant added."""

from __future__ import annotations

from dataclasses import dataclass

from .formats import Format, spec
from .rules import Finding, check_schema, rule_files, run

# The Factur-X rules list the specification identifiers of Factur-X profiles (BT-24); an XRechnung CII
# document declares XRechnung's, which is EN 16931-compliant by its own definition. Only this one
# profile check is skipped for XRechnung CII; every EN 16931 rule still applies.
NOT_APPLICABLE = {Format.XRECHNUNG_CII: frozenset({"FX-SCH-A-000556"})}


@dataclass(frozen=True)
class Report:
    format: Format
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.blocking)

    @property
    def valid(self) -> bool:
        return not self.errors


def validate(fmt: Format | str, xml: bytes, *, credit_note: bool) -> Report:
    fmt = Format(fmt)
    findings = check_schema(spec(fmt).syntax, "credit_note" if credit_note else "invoice", xml)
    if not findings:  # rules on a document that breaks its schema only repeat the schema's complaint
        skip = NOT_APPLICABLE.get(fmt, frozenset())
        for label, path in rule_files(fmt):
            findings += [f for f in run(path, xml, label) if f.rule not in skip]
    return Report(fmt, tuple(findings))
