"""Dates as news sites print them, to ISO 8601 with an offset.

Fast paths cover what pages actually carry (ISO 8601 in meta and JSON-LD,
RFC 822 in feeds, ``dd/mm/yyyy hh:mm`` and ``GMT+7`` in Vietnamese pages);
dateparser handles the rest. A date is day-first unless it is ISO.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_CLOCK = re.compile(r"\d{1,2}[:hg]\d{2}|T\d{2}")
_HM = re.compile(r"(?<![\d/.-])(\d{1,2})[:hg](\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?(?![\d/])")


def parse_offset(value: str) -> timezone:
    """``"+07:00"`` as a timezone."""
    m = _OFFSET.match(value.strip())
    if not m:
        raise ValueError(f"not a UTC offset: {value!r}")
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


def parse_datetime(value: str | None, default_tz: str = "+07:00") -> datetime | None:
    """An aware datetime from any common date text (``default_tz`` when it states none), or None."""
    parsed = _parse(value, default_tz)
    return parsed.replace(tzinfo=parse_offset(default_tz)) if parsed and not parsed.tzinfo else parsed


def to_iso(value: str | None, default_tz: str | None = None, not_after: datetime | None = None) -> str | None:
    """ISO 8601 as precise as the text: a date alone stays a date ("2025-11-21"); a time
    without offset takes ``default_tz`` when given and otherwise stays without offset, never
    silently UTC. Dates after ``not_after`` are refused (a page cannot be from the future)."""
    parsed = _parse(value, default_tz)
    if parsed is None:
        return None
    if not_after is not None and (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)) > not_after:
        return None
    if not has_time(value or ""):
        return parsed.date().isoformat()
    return parsed.replace(microsecond=0).isoformat()


def has_time(value: str) -> bool:
    return bool(_CLOCK.search(value))


def has_offset(iso: str) -> bool:
    """Whether an ISO value of ``to_iso`` carries an offset."""
    return len(iso) > 10 and datetime.fromisoformat(iso).tzinfo is not None


def with_offset(iso: str, offset: str) -> str:
    return datetime.fromisoformat(iso).replace(tzinfo=parse_offset(offset)).isoformat()


def offset_of(iso: str) -> str | None:
    """``"+02:00"`` of an ISO value with an offset."""
    moment = datetime.fromisoformat(iso) if len(iso) > 10 else None
    if moment is None or moment.utcoffset() is None:
        return None
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _parse(value: str | None, default_tz: str | None) -> datetime | None:
    if not value or not (value := value.strip()):
        return None
    parsed = _iso(value) or _rfc822(value) or _day_first(value) or _dateparser(value, default_tz)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=parse_offset(default_tz)) if default_tz and not parsed.tzinfo else parsed


def _iso(value: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1) if len(value) > 10 else value)
    except ValueError:
        return None


def _rfc822(value: str) -> datetime | None:
    if not re.match(r"^([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", value):
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _day_first(value: str) -> datetime | None:
    date = _DMY.search(value)
    if not date:
        return None
    day, month, year = (int(g) for g in date.groups())
    rest = value[: date.start()] + " " + value[date.end() :]
    hour = minute = second = 0
    if time := _HM.search(rest):
        hour, minute, second = int(time.group(1)), int(time.group(2)), int(time.group(3) or 0)
        if (ampm := (time.group(4) or "").lower()) == "p" and hour < 12:
            hour += 12
        elif ampm == "a" and hour == 12:
            hour = 0
    tzinfo = None
    if gmt := _GMT.search(value):
        sign = -1 if gmt.group(1) == "-" else 1
        tzinfo = timezone(sign * timedelta(hours=int(gmt.group(2)), minutes=int(gmt.group(3) or 0)))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except ValueError:
        return None


def _dateparser(value: str, default_tz: str | None) -> datetime | None:
    import dateparser  # slow to import; most pages never need it

    settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past"}
    if default_tz:
        settings |= {"TIMEZONE": default_tz, "RETURN_AS_TIMEZONE_AWARE": True}
    return dateparser.parse(value, languages=["vi", "en"], settings=settings)
