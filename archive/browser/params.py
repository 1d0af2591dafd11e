"""Request parameters, checked: a bad value is the user's mistake, answered with a 400 page
that says what was wrong (never a traceback, never a query with it)."""

from __future__ import annotations

from datetime import date

MAX_TEXT = 300
"""Longest text parameter (a query, a URL prefix, an author): longer is a mistake or an attack."""
MAX_ID = 2**63 - 1


class BadRequestError(ValueError):
    """A parameter that cannot be what it names (shown to the user as a 400)."""


def an_id(value: str | None, name: str = "id") -> int:
    """A row id: digits only, within a database integer."""
    if value is None or not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise BadRequestError(f"{name} must be a whole number of 1 or more, not {_shown(value)}")
    return int(value)


def optional_id(value: str | None, name: str) -> int | None:
    return None if value in (None, "") else an_id(value, name)


def a_page(value: str | None) -> int:
    page = optional_id(value, "page") or 1
    if page > 10_000:
        raise BadRequestError("page must be at most 10000")
    return page


def a_day(value: str | None, name: str) -> date | None:
    """A day as YYYY-MM-DD (an HTML date input's value), or nothing."""
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequestError(f"{name} must be a day as YYYY-MM-DD, not {_shown(value)}") from None


def a_text(value: str | None, name: str) -> str:
    """Free text, stripped; control characters and over-long values refused."""
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise BadRequestError(f"{name} is longer than {MAX_TEXT} characters")
    if any(ord(c) < 32 for c in value):
        raise BadRequestError(f"{name} contains control characters")
    return value


def a_choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if value not in choices:
        raise BadRequestError(f"{name} must be one of {', '.join(choices)}, not {_shown(value)}")
    return value


def _shown(value: str | None) -> str:
    return "nothing" if value is None else repr(value[:40])
