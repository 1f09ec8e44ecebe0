"""The renderer's user-agent stylesheet: WeasyPrint's own, less the pseudo-element rules that styled every element."""

from __future__ import annotations

import io

from pypdf import PdfReader
from weasyprint.html import UA, UA_STYLESHEET

from saypro_invoicing.rendering.pdf import html_to_pdf
from saypro_invoicing.rendering.user_agent import DocumentHTML, trimmed_ua_css, ua_stylesheet


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_only_the_per_element_pseudo_rules_are_trimmed():
    trimmed = trimmed_ua_css()
    assert trimmed is not None, "the installed WeasyPrint's user-agent stylesheet is not the expected one"
    for name in ("footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"):
        assert f"\n::{name} " in UA and f"::{name}" not in trimmed
    assert "\nli::marker {" in trimmed and "\n::marker {" not in trimmed
    removed = {line for line in UA.splitlines() if line not in trimmed.splitlines()}
    assert len(removed) == 6  # five footnote/note rules and the universal ::marker rule
    assert all(line.startswith("::") for line in removed)


def test_a_changed_stylesheet_is_used_untrimmed():
    assert trimmed_ua_css("html { display: block }\n") is None


def test_documents_use_the_trimmed_stylesheet():
    sheets = DocumentHTML(string="<p>x</p>")._ua_stylesheets()
    assert sheets == [ua_stylesheet()] and UA_STYLESHEET not in sheets


def test_lists_keep_their_markers():
    text = _text(html_to_pdf("<html><body><ul><li>Alpha</li><li>Beta</li></ul><ol><li>One</li></ol>"
                             "</body></html>"))
    assert "Alpha" in text and "Beta" in text and "One" in text
    assert text.count("•") == 2 and "1." in text
