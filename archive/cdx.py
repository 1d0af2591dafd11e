"""Capture index lines as the Wayback tools write them: the fields of pywb's and the Internet
Archive's CDX servers (urlkey, timestamp, original, mimetype, statuscode, digest, length,
offset, filename), as CDXJ lines (a WACZ package's index) or as rows of a CDX server's answer.

Read from snapshot rows, never from a rescan of WARC files: the archive's rows already say
where each record is and what it holds."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime

import surt

from archive.recheck_policy import aware

FIELDS = (
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "redirect",
    "robotflags",
    "length",
    "offset",
    "filename",
)
"""Every field a capture has, in the order of the 11-field CDX lines pywb reads from a CDX
server (``redirect`` and ``robotflags`` are ``-``: the archive keeps neither)."""
INDEXED_TYPES = ("response", "revisit")
"""Record types a replay tool looks up (a rendered page's ``conversion`` travels with its
response, it is not a capture of the URL of its own)."""
REVISIT_MIME = "warc/revisit"
"""The mimetype pywb and the Internet Archive give a revisit record."""


class CdxInputError(ValueError):
    """A URL or time that cannot be turned into an index key."""


def urlkey(url: str) -> str:
    """The SURT form indexes are sorted by (``com,example)/path?query``), as pywb computes it."""
    try:
        return surt.surt(url)
    except (ValueError, TypeError, AttributeError) as exc:
        raise CdxInputError(f"not a URL: {url!r}") from exc


def timestamp14(when: datetime) -> str:
    """A capture time as the 14 digits of Wayback URLs and CDX lines (UTC)."""
    return aware(when).astimezone(UTC).strftime("%Y%m%d%H%M%S")


def parse_timestamp(value: str, latest: bool = False) -> datetime:
    """A Wayback timestamp of 4 to 14 digits as a UTC time: its start (``2026`` is
    2026-01-01 00:00:00), or with ``latest`` its end (``2026`` is 2026-12-31 23:59:59)."""
    if not (value.isascii() and value.isdigit() and 4 <= len(value) <= 14 and len(value) % 2 == 0):
        raise CdxInputError(f"not a timestamp of 4 to 14 digits: {value!r}")
    given = [int(value[i : i + 2 if i else 4]) for i in range(0, len(value), 2) if i != 2]
    try:
        year, month = given[0], given[1] if len(given) > 1 else (12 if latest else 1)
        last_day = calendar.monthrange(year, month)[1]
        ends = (year, month, last_day, 23, 59, 59) if latest else (year, month, 1, 0, 0, 0)
        return datetime(*given, *ends[len(given) :], tzinfo=UTC)
    except ValueError as exc:  # a month 13, a February 30
        raise CdxInputError(f"not a valid time: {value!r}") from exc


def mimetype(content_type: str | None, record_type: str) -> str:
    if record_type == "revisit":
        return REVISIT_MIME
    return (content_type or "unk").split(";")[0].strip().lower() or "unk"


def capture_fields(
    url: str,
    fetched_at: datetime,
    content_type: str | None,
    status: int | None,
    digest: str | None,
    record_type: str,
    length: int,
    offset: int,
    filename: str,
) -> dict:
    """One capture's CDX fields (the digest without its ``sha1:`` label, as CDX servers give it)."""
    return {
        "urlkey": urlkey(url),
        "timestamp": timestamp14(fetched_at),
        "original": url,
        "mimetype": mimetype(content_type, record_type),
        "statuscode": str(status) if status else "-",
        "digest": (digest or "-").split(":", 1)[-1],
        "redirect": "-",
        "robotflags": "-",
        "length": str(length),
        "offset": str(offset),
        "filename": filename,
    }


def snapshot_fields(snapshot, offset: int | None = None, filename: str | None = None) -> dict:
    """A snapshot row's CDX fields; ``offset`` and ``filename`` where its record is copied to
    (a package's WARC file) instead of where the row says it is."""
    return capture_fields(
        snapshot.url,
        snapshot.fetched_at,
        snapshot.content_type,
        snapshot.status,
        snapshot.payload_digest,
        snapshot.record_type,
        snapshot.warc_length,
        snapshot.warc_offset if offset is None else offset,
        filename or snapshot.warc_file,
    )


def cdxj_line(fields: dict) -> str:
    """``urlkey timestamp {json}``: the CDXJ line pywb and ReplayWeb.page read."""
    block = {
        "url": fields["original"],
        "mime": fields["mimetype"],
        "status": fields["statuscode"],
        "digest": fields["digest"],
        "length": fields["length"],
        "offset": fields["offset"],
        "filename": fields["filename"],
    }
    return f"{fields['urlkey']} {fields['timestamp']} {json.dumps(block, ensure_ascii=False)}\n"
