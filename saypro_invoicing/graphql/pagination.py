"""Relay cursor pagination over a sorted queryset, with Saleor's rules: first or last, at most 100.

Cursors are opaque base64 of "offset:N" over the requested sort order. One query fetches the page
(plus one row to learn whether another page follows); the count runs only when asked for.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from graphene import relay

from ..errors import ErrorCode, ValidationError
from . import validation

MAX_PAGE_SIZE = validation.MAX_PAGE_SIZE
MAX_CURSOR_LENGTH = 128
_PREFIX = "offset:"


def offset_to_cursor(offset: int) -> str:
    return base64.b64encode(f"{_PREFIX}{offset}".encode()).decode()


def cursor_to_offset(cursor: str, field: str) -> int:
    raw = validation.text(cursor, field, limit=MAX_CURSOR_LENGTH)
    try:
        decoded = base64.b64decode(raw.encode(), validate=True).decode()
        if not decoded.startswith(_PREFIX) or not decoded[len(_PREFIX):].isascii() \
                or not decoded[len(_PREFIX):].isdigit():
            raise ValueError(decoded)
        number = decoded[len(_PREFIX):]
        # An absurdly long digit string is out of range without converting it.
        offset = int(number) if len(number) <= 20 else validation.MAX_OFFSET + 1
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError(f"Invalid cursor in '{field}'.", code=ErrorCode.INVALID, field=field) from exc
    return validation.offset(offset, field)


def validate_args(first: int | None, last: int | None) -> None:
    validation.page_size(first, last)


class Page:
    def __init__(self, queryset: QuerySet, rows: list[Any], start: int, has_next: bool, has_previous: bool,
                 known_count: int | None = None):
        self.queryset, self.rows, self.start = queryset, rows, start
        self.has_next, self.has_previous = has_next, has_previous
        self._count = known_count

    def total_count(self) -> int:
        if self._count is None:
            self._count = self.queryset.order_by().count()
        return self._count


def paginate(queryset: QuerySet, *, first: int | None = None, after: str | None = None, last: int | None = None,
             before: str | None = None) -> Page:
    validate_args(first, last)
    start = cursor_to_offset(after, "after") + 1 if after else 0
    end = cursor_to_offset(before, "before") if before else None
    if first is not None:
        stop = start + first if end is None else max(start, min(end, start + first))
        rows = list(queryset[start:stop + 1])
        has_next = len(rows) > stop - start
        return Page(queryset, rows[:stop - start], start, has_next, start > 0)
    count = queryset.order_by().count()
    end = count if end is None else min(end, count)
    begin = max(start, end - (last or 0))
    rows = list(queryset[begin:end]) if end > begin else []
    return Page(queryset, rows, begin, end < count, begin > 0, known_count=count)


def to_connection(page: Page, connection_type: type[relay.Connection],
                  node_hook: Callable[[Any], Any] | None = None) -> relay.Connection:
    edge_type = connection_type.Edge
    edges = [edge_type(node=node_hook(row) if node_hook else row, cursor=offset_to_cursor(page.start + index))
             for index, row in enumerate(page.rows)]
    page_info = relay.PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    connection = connection_type(edges=edges, page_info=page_info)
    connection.page = page
    return connection
