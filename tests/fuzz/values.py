"""Hostile and ordinary values, as hypothesis strategies: what an attacker or a clumsy client sends.

Each strategy is built once (functools.cache): hypothesis validates a strategy on first use, and
rebuilding them per draw cost more than running the requests.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from hypothesis import strategies as st

CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F, 0x85, 0x9F)]
NASTY = ["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "'", '"', "\\", "%", "_", "--", ";", "<script>", "${x}",
         "{{x}}", "\u0000\u0000", "é", "日本", "🧾", "\r\n", " "]


@functools.cache
def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Mostly short, sometimes absurdly long; NUL, controls, lone surrogates, RTL marks, SQL/HTML bits."""
    pieces = st.one_of(st.sampled_from(CONTROL), st.sampled_from(NASTY),
                       st.text(max_size=8), st.text(alphabet=st.characters(codec="utf-8"), max_size=8))
    short = st.lists(pieces, max_size=max(1, max_size // 6)).map("".join)
    long = st.tuples(st.sampled_from(["a", "x\x00", "é", "\ud800"]), st.integers(200, 3_000)).map(
        lambda pair: pair[0] * pair[1])
    return st.one_of(short, short, short, long, st.just(""), st.just(" " * 300))


@functools.cache
def huge_int() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([2**31, 2**31 - 1, -(2**31) - 1, 2**63,
                                                                    2**63 - 1, 2**64 + 5, 10**30, -1, 0]))


@functools.cache
def wrong_json() -> st.SearchStrategy[Any]:
    """JSON values of every kind, including floats no integer can hold."""
    scalars = st.one_of(st.none(), st.booleans(), huge_int(), st.floats(allow_nan=True, allow_infinity=True),
                        st.sampled_from([1e300, -1e300, 1.5, "1e300", "NaN", "Infinity", "10", "abc", ""]),
                        hostile_text(20))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                        max_leaves=6)


@functools.cache
def page_size() -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(0, 100), st.integers(-5, 105), huge_int(), wrong_json(),
                     st.sampled_from(["5", [5], 1e300, float("inf"), True, None]))


def offset_cursor(offset: int | str) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


@functools.cache
def cursor() -> st.SearchStrategy[Any]:
    offsets = st.one_of(st.integers(0, 20), huge_int(), st.sampled_from(["-1", "1e9", "٣", "²", "0x10", " 5", ""]))
    garbage = st.one_of(hostile_text(40), st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()))
    return st.one_of(offsets.map(offset_cursor), garbage, wrong_json())


@functools.cache
def date_time() -> st.SearchStrategy[Any]:
    fixed = ["9999-12-31T23:59:59", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1970-01-01T00:00:00",
             "2026-11-01T00:00:00+00:00", "2026-02-30T00:00:00", "2026-11-01", "now", "", "2026-13-01T00:00:00Z",
             "+275760-09-13T00:00:00Z", "2026-11-01T25:61:00", "1899-12-31T23:59:59Z", "3000-01-01T00:00:00Z"]
    generated = st.datetimes().map(lambda d: d.isoformat())
    return st.one_of(st.sampled_from(fixed), generated, wrong_json())


@functools.cache
def period() -> st.SearchStrategy[Any]:
    fixed = ["2026-11", "2026-W47", "2026-11-01..2026-11-30", "last-7-days", "previous-week", "previous-month",
             "9999-12", "0000-01", "9999-W52", "9999-W53", "0001-W01", "2026-00", "2026-13", "2026-W00", "2026-W54",
             "9999-12-31..9999-12-31", "0001-01-01..0001-01-01", "2026-11-30..2026-11-01", "last-0-days",
             "last-9999-days", "last-99999-days", "2026-11-01..", "..", "2026-11-01..2026-11-31"]
    built = st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda p: f"{p[0]:04d}-{p[1]:02d}")
    weeks = st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda p: f"{p[0]:04d}-W{p[1]}")
    return st.one_of(st.sampled_from(fixed), built, weeks, hostile_text(20), wrong_json())


@functools.cache
def enum_value(names: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(names), st.sampled_from([n.lower() for n in names]), hostile_text(12),
                     wrong_json())


def as_literal(value: Any) -> str:
    """A GraphQL literal for a JSON value (what a client writes inline instead of a variable)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if text not in ("nan", "inf", "-inf") else "1e999"
    if isinstance(value, str):
        return json.dumps(value)  # GraphQL strings escape as JSON's do (lone surrogates included)
    if isinstance(value, list):
        return "[" + ", ".join(as_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_name(k)}: {as_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _name(key: str) -> str:
    cleaned = "".join(c for c in key if c.isascii() and (c.isalnum() or c == "_"))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"k{cleaned}"
