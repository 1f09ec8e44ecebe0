"""Text from order data, with the direction its first strong character gives it.

WeasyPrint honours dir="rtl" but not dir="auto", so templates write ``dir="{{ value.dir }}"``.
"""

from __future__ import annotations

import unicodedata


class BidiText(str):
    """A str with the direction its first strong character gives it."""

    @property
    def dir(self) -> str:
        for char in self:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
        return "ltr"


def bidi(value: str | None) -> BidiText:
    return BidiText(value or "")
