"""A little lxml helper both writers share: elements with text only where there is text."""

from __future__ import annotations

from typing import Any

from lxml import etree


class Builder:
    def __init__(self, nsmap: dict[Any, str]):  # prefix (None: the default namespace) -> URI
        self.nsmap = nsmap

    def qname(self, tag: str) -> str:
        prefix, _sep, local = tag.rpartition(":")
        return f"{{{self.nsmap[prefix or None]}}}{local}" if prefix else f"{{{self.nsmap[None]}}}{local}"

    def root(self, tag: str) -> etree._Element:
        return etree.Element(self.qname(tag), nsmap=self.nsmap)

    def add(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, self.qname(tag), {k: v for k, v in attrs.items() if v})
        if text is not None:
            element.text = text
        return element

    def text(self, parent: etree._Element, tag: str, text: str | None, **attrs: str) -> etree._Element | None:
        """An element only when there is a value: EN 16931 rules (and Peppol's R008) reject empty elements."""
        if text is None or not str(text).strip():
            return None
        return self.add(parent, tag, str(text).strip(), **attrs)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
