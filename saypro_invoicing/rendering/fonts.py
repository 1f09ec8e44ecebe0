"""One WeasyPrint FontConfiguration per process.

A new FontConfiguration per render leaks about 0.3 MB a document and repeats the font lookups;
one shared configuration stays flat (see perf-notes.md). Fonts are system fonts from Debian,
static files, never downloaded: DejaVu Sans covers Latin, Greek, Cyrillic, Arabic and Hebrew,
WenQuanYi Micro Hei covers CJK.
"""

from __future__ import annotations

import threading

from weasyprint.text.fonts import FontConfiguration

FONT_FAMILY = '"DejaVu Sans", "WenQuanYi Micro Hei", sans-serif'

# WeasyPrint is not documented as thread-safe and its layout is pure Python (GIL-bound), so
# threads in one process gain nothing by rendering at once: one lock keeps the shared font
# configuration, and the caches that hang off it, used by one render at a time.
render_lock = threading.RLock()

_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        with render_lock:
            if _font_config is None:
                _font_config = FontConfiguration()
    return _font_config

