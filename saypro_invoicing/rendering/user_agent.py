"""WeasyPrint's HTML with its own user-agent stylesheet, less the rules that style every element twice over.

WeasyPrint's html5_ua.css gives every element of every document six pseudo-element styles
(``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-call``, ``::note-marker``,
``::note-callback``): for a 5-line invoice that is ~900 computed styles next to 66 for the elements
themselves, about a tenth of the render. Here ``::marker`` applies to list items only (the only
elements with a marker box unless a template says otherwise), and the footnote and note rules are
left out: our templates use neither. A merchant template that floats footnotes gives them their
call and marker in its own <style>. Every other rule of WeasyPrint's stylesheet is kept as it is.
"""

from __future__ import annotations

import logging
import re
from functools import cache

import weasyprint
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA, UA_STYLESHEET

logger = logging.getLogger(__name__)

_PER_ELEMENT_PSEUDO_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}\n", re.MULTILINE)


def trimmed_ua_css(source: str = UA) -> str | None:
    """WeasyPrint's user-agent CSS with the per-element pseudo-element rules trimmed; None if its text
    is not the one this was written against (then the full stylesheet is used, never a guess)."""
    trimmed, removed = _PER_ELEMENT_PSEUDO_RULES.subn("", source)
    if removed != 5 or source.count("\n::marker {") != 1:
        return None
    return trimmed.replace("\n::marker {", "\nli::marker {", 1)


@cache
def ua_stylesheet() -> weasyprint.CSS:
    source = trimmed_ua_css()
    if source is None:
        logger.warning("saypro_invoicing: WeasyPrint's user-agent stylesheet changed; using it untrimmed")
        return UA_STYLESHEET
    # Its own counter-style registry: the @counter-style rules are WeasyPrint's, already registered for
    # every document by HTML._ua_counter_style(); parsing them again must not touch the shared one.
    return weasyprint.CSS(string=source, counter_style=CounterStyle())


class DocumentHTML(weasyprint.HTML):
    """``weasyprint.HTML`` for our documents: the trimmed user-agent stylesheet, parsed once per process."""

    def _ua_stylesheets(self, forms: bool = False) -> list[weasyprint.CSS]:
        sheets = super()._ua_stylesheets(forms)
        return [ua_stylesheet() if sheet is UA_STYLESHEET else sheet for sheet in sheets]
