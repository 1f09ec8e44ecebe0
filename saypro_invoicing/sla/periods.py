"""Report periods as half-open UTC intervals [start, end), parsed from the forms staff type."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from ..errors import ErrorCode, ValidationError

PERIOD_HELP = ('"2026-11" (a month), "2026-W47" (an ISO week), "2026-11-01..2026-11-30" (dates, both included), '
               '"last-7-days", "previous-week" or "previous-month"')

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_LAST_DAYS = re.compile(r"^last-(\d{1,4})-days?$", re.IGNORECASE)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=UTC)


def _invalid(text: str, why: str = "") -> ValidationError:
    return ValidationError(f"Unknown period {text!r}{': ' + why if why else ''}. Use {PERIOD_HELP}.",
                           code=ErrorCode.INVALID_DATE_RANGE, field="period")


def parse_date(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ValidationError(f"Not a date (YYYY-MM-DD): {text!r}.", code=ErrorCode.INVALID, field=field) from exc


def parse_period(text: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The [start, end) interval a period names; ValidationError(code=invalid_date_range) otherwise."""
    now = now or timezone.now()
    value = (text or "").strip()
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _invalid(text, "month out of range")
        return _month_start(year, month), _month_start(year, month + 1)
    if match := _WEEK.match(value):
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise _invalid(text, "no such ISO week") from exc
        return _midnight(monday), _midnight(monday + timedelta(days=7))
    if match := _RANGE.match(value):
        first, last = parse_date(match[1], "period"), parse_date(match[2], "period")
        if last < first:
            raise _invalid(text, "the end is before the start")
        return _midnight(first), _midnight(last + timedelta(days=1))
    if match := _LAST_DAYS.match(value):
        days = int(match[1])
        if days < 1:
            raise _invalid(text, "at least one day")
        return now - timedelta(days=days), now
    if value == "previous-week":
        this_monday = now.date() - timedelta(days=now.weekday())
        return _midnight(this_monday - timedelta(days=7)), _midnight(this_monday)
    if value == "previous-month":
        return _month_start(now.year, now.month - 1), _month_start(now.year, now.month)
    raise _invalid(text)


def date_range(first: str, last: str) -> tuple[datetime, datetime]:
    """--from/--to options: whole days, both included."""
    start, end = parse_date(first, "from"), parse_date(last, "to")
    if end < start:
        raise ValidationError("--to is before --from.", code=ErrorCode.INVALID_DATE_RANGE, field="to")
    return _midnight(start), _midnight(end + timedelta(days=1))
