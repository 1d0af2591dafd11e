"""Dates as news sites print them, to ISO 8601 with an offset.

Fast paths cover what pages actually carry (ISO 8601 in meta and JSON-LD,
RFC 822 in feeds, ``dd/mm/yyyy hh:mm`` and ``GMT+7`` in Vietnamese pages);
dateparser handles the rest. A date is day-first unless it is ISO.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_HM = re.compile(r"(?<![\d/.-])(\d{1,2})[:hg](\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?(?![\d/])")


def parse_offset(value: str) -> timezone:
    """``"+07:00"`` as a timezone."""
    m = _OFFSET.match(value.strip())
    if not m:
        raise ValueError(f"not a UTC offset: {value!r}")
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


def parse_datetime(value: str | None, default_tz: str = "+07:00") -> datetime | None:
    """An aware datetime from any common date text, or None when there is none."""
    if not value or not (value := value.strip()):
        return None
    tz = parse_offset(default_tz)
    parsed = _iso(value) or _rfc822(value) or _day_first(value) or _dateparser(value, default_tz)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def to_iso(value: str | None, default_tz: str = "+07:00", not_after: datetime | None = None) -> str | None:
    """ISO 8601 with offset (seconds precision), refusing dates after ``not_after``."""
    parsed = parse_datetime(value, default_tz)
    if parsed is None or (not_after is not None and parsed > not_after):
        return None
    return parsed.replace(microsecond=0).isoformat()


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


def _dateparser(value: str, default_tz: str) -> datetime | None:
    import dateparser  # slow to import; most pages never need it

    return dateparser.parse(
        value,
        languages=["vi", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past",
            "TIMEZONE": default_tz,
            "RETURN_AS_TIMEZONE_AWARE": True,
        },
    )
