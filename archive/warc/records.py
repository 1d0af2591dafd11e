"""WARC records as the archive makes them: the reference to a stored record, one HTTP exchange,
payload digests, dates, and the HTTP headers stored for a decoded body.

Scrapy hands over decoded bodies with the original ``Content-Length`` and ``Content-Encoding``:
the stored headers are corrected to describe the body actually stored, the original values kept
as ``X-Archive-Orig-*`` (the pywb convention).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

SOFTWARE = "newsarchive (Scrapy, warcio)"
WARC_VERSION = "1.1"  # every record and the warcinfo say the same
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
"""The revisit profile of a ``304 Not Modified``: the server said the earlier capture still holds."""
RENDERED_TYPE = "text/html; charset=utf-8"
"""Content type of a rendered page's DOM (a ``conversion`` record has no HTTP headers)."""


_HOP_BY_HOP = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


@dataclass(frozen=True)
class RecordRef:
    """The one reference to a WARC record an item, a capture or a snapshot row carries: where it
    lives (file, offset, length in the file), its payload digest and its record type
    (``response``, ``revisit``, ``conversion`` for a rendered page)."""

    file: str
    offset: int
    length: int
    digest: str
    record_id: str
    record_type: str = "response"


@dataclass(frozen=True)
class Exchange:
    """One HTTP fetch as it is archived."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    method: str = "GET"
    request_headers: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    ip_address: str | None = None  # the peer the response came from (WARC-IP-Address)

    @cached_property
    def digest(self) -> str:
        """The body's WARC-Payload-Digest, computed once for the revisit check and the record."""
        return payload_digest(self.body)


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for ``body``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_headers(headers: Iterable[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """HTTP headers describing the decoded body that is stored."""
    out = []
    for name, value in headers:
        if name.lower() in _HOP_BY_HOP:
            if name.lower() in ("content-encoding", "transfer-encoding"):
                out.append((f"X-Archive-Orig-{name}", value))
            continue
        out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    ref: RecordRef
    fetched_at: str
    """The record's ``WARC-Date``: when the response was captured."""
