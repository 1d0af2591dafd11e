"""Which captures of a URL the archive holds: the look-ups behind the Wayback CDX server API
and Memento (``archive serve``), answered from snapshot rows by the indexed ``url`` column.

A URL is matched as replay tools match it, by its SURT key (scheme, ``www.``, letter case of
the host and the order of query parameters do not matter): the address variants that can share
a key are asked for by index, and the key decides. ``domain`` matches (every sub-domain) have
no index to use and read the table's URLs once."""

from __future__ import annotations

import dataclasses
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.cdx import FIELDS, INDEXED_TYPES, CdxInputError, snapshot_fields, urlkey
from archive.models import Snapshot
from archive.recheck_policy import aware

MATCH_TYPES = ("exact", "prefix", "host", "domain")
FIELD_ALIASES = {"url": "original", "mime": "mimetype", "status": "statuscode"}
"""pywb's names of the fields (its JSON output) for the Internet Archive's."""
MAX_FILTER = 300
"""Characters of a ``filter`` expression, at most (a regular expression of the user's)."""


@dataclass(frozen=True)
class CaptureQuery:
    url: str
    match_type: str = "exact"
    since: datetime | None = None
    until: datetime | None = None
    filters: tuple[tuple[str, bool, str, re.Pattern | str], ...] = ()
    """(field, negated, kind, pattern): kind ``regex`` (matched from the start), ``=`` (equal)
    or ``~`` (contains), as pywb reads ``filter=[!][=|~]field:value``."""


def capture_query(url: str, match_type: str | None = None, since=None, until=None, filters=()) -> CaptureQuery:
    """The query a CDX request asks (``url=example.com/*`` is a prefix match and
    ``url=*.example.com`` a domain match, as the Internet Archive reads them)."""
    url = url.strip()
    if not url:
        raise CdxInputError("url is required")
    if match_type is None:
        if url.startswith("*."):
            url, match_type = url[2:], "domain"
        elif url.endswith("*"):
            url, match_type = url.rstrip("*"), "prefix"
        else:
            match_type = "exact"
    if match_type not in MATCH_TYPES:
        raise CdxInputError(f"matchType must be one of {', '.join(MATCH_TYPES)}")
    url = _absolute(url)
    _host_variants(url), urlkey(url)  # a URL that is none: the error now, not while answering
    return CaptureQuery(url, match_type, since, until, tuple(parse_filter(f) for f in filters))


def parse_filter(expression: str) -> tuple[str, bool, str, re.Pattern | str]:
    if len(expression) > MAX_FILTER:
        raise CdxInputError(f"a filter of more than {MAX_FILTER} characters")
    negated = expression.startswith("!")
    rest = expression[negated:]
    kind = rest[0] if rest[:1] in ("=", "~") else "regex"
    rest = rest[kind != "regex" :]
    name, sep, value = rest.partition(":")
    name = FIELD_ALIASES.get(name, name)
    if not sep or name not in FIELDS:
        raise CdxInputError(f"a filter is [!][=|~]field:value with field one of {', '.join(FIELDS)}: {expression!r}")
    if kind == "regex":
        try:
            return name, negated, kind, re.compile(value)
        except re.error as exc:
            raise CdxInputError(f"not a regular expression in filter {expression!r}: {exc}") from None
    return name, negated, kind, value


def _absolute(url: str) -> str:
    return url if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url) else f"http://{url}"


def _host_variants(url: str) -> tuple[list[str], str]:
    """The ``scheme://host[:port]`` forms a URL's captures may be stored under, and its path
    (with query)."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError as exc:  # a bracket left open, a port that is not a number
        raise CdxInputError(f"not a URL: {url!r} ({exc})") from None
    if not host:
        raise CdxInputError(f"no host in {url!r}")
    bare = host.removeprefix("www.")
    ports = [""] if port in (None, 80, 443) else [f":{port}"]
    origins = [f"{scheme}://{name}{p}" for scheme in ("http", "https") for name in (bare, f"www.{bare}") for p in ports]
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return origins, path


def _prefix(column, start: str):
    """``column`` starts with ``start``: a range the column's index serves (byte order)."""
    return (column >= start) & (column < start + "\U0010ffff")


def _where(query: CaptureQuery):
    origins, path = _host_variants(query.url)
    column = Snapshot.url
    if query.match_type == "exact":
        paths = {path, path or "/"} | ({""} if path in ("", "/") else set())
        return column.in_([origin + p for origin in origins for p in paths])
    if query.match_type == "prefix":
        return or_(*(_prefix(column, origin + path) for origin in origins))
    if query.match_type == "host":
        return or_(*(_prefix(column, origin + "/") for origin in origins))
    bare = urlsplit(origins[0]).hostname
    return or_(*(_prefix(column, origin + "/") for origin in origins), column.like(f"%://%.{bare}/%"))


def _statement(query: CaptureQuery, newest_first: bool):
    stmt = select(Snapshot).where(
        _where(query), Snapshot.warc_file.is_not(None), Snapshot.record_type.in_(INDEXED_TYPES)
    )
    if query.since:
        stmt = stmt.where(Snapshot.fetched_at >= query.since)
    if query.until:  # the whole second of ``until`` (a capture's timestamp has no fraction of one)
        stmt = stmt.where(Snapshot.fetched_at < query.until + timedelta(seconds=1))
    order = (Snapshot.fetched_at.desc(), Snapshot.id.desc()) if newest_first else (Snapshot.fetched_at, Snapshot.id)
    return stmt.order_by(Snapshot.url, *order) if query.match_type != "exact" else stmt.order_by(*order)


def _keep(query: CaptureQuery, key: str, fields: dict) -> bool:
    if query.match_type == "exact" and fields["urlkey"] != key:
        return False
    if query.match_type == "prefix" and not fields["urlkey"].startswith(key.rstrip("/")):
        return False
    return all(_passes(fields[name], negated, kind, pattern) for name, negated, kind, pattern in query.filters)


def _passes(value: str, negated: bool, kind: str, pattern) -> bool:
    if kind == "regex":
        return (pattern.match(value) is not None) != negated
    return (value == pattern if kind == "=" else pattern in value) != negated


def captures(session: Session, query: CaptureQuery, newest_first: bool = False) -> Iterator[tuple[Snapshot, dict]]:
    """Each capture the query matches, with its CDX fields, oldest first (per URL for the
    wider match types), streamed."""
    key = urlkey(query.url)
    for snapshot in session.scalars(_statement(query, newest_first).execution_options(yield_per=500)):
        fields = snapshot_fields(snapshot)
        if _keep(query, key, fields):
            yield snapshot, fields


def nearest(session: Session, query: CaptureQuery, when: datetime) -> Iterator[tuple[Snapshot, dict]]:
    """The captures the query matches, nearest to ``when`` first (``sort=closest``, as pywb asks
    a CDX server when it replays a URL at a time): the ones before and the ones after, merged."""
    before = captures(session, dataclasses.replace(query, until=when), newest_first=True)
    after = captures(session, dataclasses.replace(query, since=when + timedelta(seconds=1)))

    def distance(found: tuple[Snapshot, dict]) -> float:
        return abs((aware(found[0].fetched_at) - when).total_seconds())

    return heapq.merge(before, after, key=distance)


def closest(session: Session, url: str, when: datetime | None) -> tuple[Snapshot, dict] | None:
    """The capture of ``url`` nearest to ``when`` (the latest without one), as a Memento
    TimeGate chooses it: the nearest before and the nearest after are read, never all."""
    query = capture_query(url, "exact")
    found = nearest(session, query, when) if when else captures(session, query, newest_first=True)
    return next(found, None)
