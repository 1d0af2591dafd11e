"""The interfaces archive tools already speak, on ``archive serve``: the Wayback CDX server API
(``/cdx``, as pywb and the Internet Archive answer it) and Memento (RFC 7089): a TimeMap per URL
(``/timemap/link/<url>``), a TimeGate (``/timegate/<url>``) and mementos
(``/web/<14-digit timestamp>id_/<url>``, the original bytes). Answered from the database; a bad
parameter is a 400 with its reason in plain text.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from itertools import islice
from urllib.parse import quote, urljoin

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from archive.capture_index import FIELD_ALIASES, capture_query, captures, closest, nearest
from archive.cdx import FIELDS, CdxInputError, parse_timestamp, timestamp14
from archive.recheck_policy import aware
from archive.warc import MAX_PAYLOAD, READ_ERRORS, PayloadTooLargeError, read_response

PAGE_SIZE = 1000
"""Captures in one page of a CDX answer (``page=0, 1, …``; a page past the last is a 400, as
pywb answers, which is where a paging client stops)."""
MAX_LIMIT = 100_000
PYWB_NAMES = {v: k for k, v in FIELD_ALIASES.items()}
"""The keys of pywb's JSON lines (``url``, ``mime``, ``status``) for the Internet Archive's names."""
MEMENTO_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""An archived page served as it was is still not the browser's own: no script, no origin."""
_SCHEME_SLASH = re.compile(r"^(https?):/+(?=[^/])", re.I)


def routes(browser) -> list[Route]:
    """The routes, over ``browser``'s read-only sessions and WARC locations."""
    get = ["GET", "HEAD"]
    wayback = _Wayback(browser)
    return [
        Route("/cdx", wayback.cdx, methods=get),
        Route("/timemap/link/{url:path}", wayback.timemap, methods=get),
        Route("/timegate/{url:path}", wayback.timegate, methods=get),
        Route("/web/{stamp}/{url:path}", wayback.memento, methods=get),
    ]


def _target(request: Request) -> str:
    """The archived URL a path ends with, its query string included (``https:/x`` mended:
    some clients fold the double slash)."""
    url = _SCHEME_SLASH.sub(lambda m: f"{m.group(1)}://", request.path_params["url"])
    return url + (f"?{request.url.query}" if request.url.query else "")


def _bad(message: str) -> PlainTextResponse:
    return PlainTextResponse(f"400 Bad Request: {message}\n", status_code=400)


def _http_date(when: datetime) -> str:
    return format_datetime(aware(when).astimezone(UTC), usegmt=True)


def _link(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


class _Wayback:
    def __init__(self, browser) -> None:
        self.browser = browser

    # -- CDX server API ----------------------------------------------------------------
    def cdx(self, request: Request) -> Response:
        q = request.query_params
        try:
            query = capture_query(
                q.get("url", ""),
                q.get("matchType"),
                parse_timestamp(q["from"]) if q.get("from") else None,
                parse_timestamp(q["to"], latest=True) if q.get("to") else None,
                q.getlist("filter"),
            )
            fields = _fields(q.get("fl"), q.get("output", "text"))
            closest_to = parse_timestamp(q["closest"]) if q.get("sort") == "closest" and q.get("closest") else None
            limit, page = _number(q.get("limit"), "limit", allow_negative=True), _number(q.get("page"), "page")
        except CdxInputError as exc:
            return _bad(str(exc))
        output = q.get("output", "text")
        if output not in ("text", "json", "cdxj"):
            return _bad("output must be text or json")
        with self.browser.session() as session:
            newest_first = (limit is not None and limit < 0) or q.get("sort") == "reverse"
            rows = nearest(session, query, closest_to) if closest_to else captures(session, query, newest_first)
            start = (page or 0) * PAGE_SIZE
            size = min(abs(limit) if limit is not None else PAGE_SIZE, PAGE_SIZE if page is not None else MAX_LIMIT)
            found = [fields_of for _snapshot, fields_of in islice(rows, start, start + size)]
        if limit is not None and limit < 0:
            found.reverse()
        if not found and page:
            return _bad(f"page {page} is past the last page of captures")
        if output == "json":
            if not found:
                error = json.dumps({"error": f"No Captures found for: {query.url}"})
                return Response(error, 404, media_type="application/json")
            names = [n.strip() for n in q["fl"].split(",")] if q.get("fl") else [PYWB_NAMES.get(f, f) for f in fields]
            lines = (json.dumps(dict(zip(names, (row[f] for f in fields), strict=True))) for row in found)
            return Response("".join(line + "\n" for line in lines), media_type="text/x-ndjson")
        return PlainTextResponse("".join(" ".join(row[f] for f in fields) + "\n" for row in found))

    # -- Memento ---------------------------------------------------------------------------
    def timemap(self, request: Request) -> Response:
        url = _target(request)
        base = str(request.base_url).rstrip("/")
        try:
            with self.browser.session() as session:
                matched = islice(captures(session, capture_query(url)), MAX_LIMIT)
                found = [(snapshot.fetched_at, row) for snapshot, row in matched]
        except CdxInputError as exc:
            return _bad(str(exc))
        if not found:
            return PlainTextResponse(f"404 Not Found: no captures of {url}\n", status_code=404)
        links = [
            f'<{_link(url)}>; rel="original"',
            f'<{base}/timemap/link/{_link(url)}>; rel="self"; type="application/link-format"; '
            f'from="{_http_date(found[0][0])}"; until="{_http_date(found[-1][0])}"',
            f'<{base}/timegate/{_link(url)}>; rel="timegate"',
        ]
        for n, (when, row) in enumerate(found):
            rel = " ".join(filter(None, ["first" if n == 0 else "", "last" if n == len(found) - 1 else "", "memento"]))
            memento = f"{base}/web/{row['timestamp']}id_/{_link(row['original'])}"
            links.append(f'<{memento}>; rel="{rel}"; datetime="{_http_date(when)}"')
        return Response(",\n".join(links) + "\n", media_type="application/link-format")

    def timegate(self, request: Request) -> Response:
        url = _target(request)
        wanted = request.headers.get("accept-datetime")
        try:
            when = parsedate_to_datetime(wanted).astimezone(UTC) if wanted else None
        except (TypeError, ValueError):
            return _bad(f"Accept-Datetime is not an HTTP date (RFC 1123): {wanted!r}")
        return self._choose(request, url, when, vary=True)

    @staticmethod
    def _closest(session, url: str, when: datetime | None) -> tuple | Response:
        """The capture closest to ``when``, or the answer that says why there is none."""
        try:
            found = closest(session, url, when)
        except CdxInputError as exc:
            return _bad(str(exc))
        return PlainTextResponse(f"404 Not Found: no captures of {url}\n", status_code=404) if found is None else found

    def _choose(self, request: Request, url: str, when: datetime | None, vary: bool = False) -> Response:
        base = str(request.base_url).rstrip("/")
        with self.browser.session() as session:
            found = self._closest(session, url, when)
        if isinstance(found, Response):
            return found
        _snapshot, row = found
        headers = {"Link": self._links(base, url)}
        if vary:
            headers["Vary"] = "accept-datetime"
        return RedirectResponse(f"{base}/web/{row['timestamp']}id_/{_link(row['original'])}", 302, headers=headers)

    @staticmethod
    def _links(base: str, url: str) -> str:
        return (
            f'<{_link(url)}>; rel="original", <{base}/timemap/link/{_link(url)}>; rel="timemap"; '
            f'type="application/link-format", <{base}/timegate/{_link(url)}>; rel="timegate"'
        )

    def memento(self, request: Request) -> Response:
        stamp, url = request.path_params["stamp"], _target(request)
        raw = stamp.endswith("id_")
        try:
            digits = stamp.removesuffix("id_")[:14]
            when = parse_timestamp(digits[: len(digits) - len(digits) % 2])  # as many whole fields as given
        except CdxInputError as exc:
            return _bad(str(exc))
        with self.browser.session() as session:
            found = self._closest(session, url, when)
            if isinstance(found, Response):
                return found
            snapshot, row = found
            if not raw or row["timestamp"] != timestamp14(when):
                return self._choose(request, url, when)
            record = self.browser.record_of(session, snapshot)
            path = self.browser.path_of(session, record.warc_file)
        try:
            stored = read_response(path, record.warc_offset, record.warc_length or 0, MAX_PAYLOAD)
        except PayloadTooLargeError:
            return PlainTextResponse("413: the capture decodes to more than can be served\n", status_code=413)
        except (*READ_ERRORS, StopIteration) as exc:
            reason = f"404: the WARC record cannot be read ({exc.__class__.__name__})\n"
            return PlainTextResponse(reason, status_code=404)
        base = str(request.base_url).rstrip("/")
        stored_headers = {k.lower(): v for k, v in stored.headers}
        headers = {
            "Memento-Datetime": _http_date(snapshot.fetched_at),
            "Link": self._links(base, url),
            "Content-Security-Policy": MEMENTO_POLICY,
        }
        if location := stored_headers.get("location"):
            headers["Location"] = f"{base}/web/{row['timestamp']}id_/{_link(urljoin(url, location))}"
        media = stored_headers.get("content-type") or "application/octet-stream"
        return Response(stored.body, status_code=snapshot.status or 200, headers=headers, media_type=media)


def _fields(value: str | None, output: str) -> list[str]:
    if not value:  # JSON leaves out the two fields the archive has no value for
        return [f for f in FIELDS if output != "json" or f not in ("redirect", "robotflags")]
    names = [FIELD_ALIASES.get(name.strip(), name.strip()) for name in value.split(",")]
    if unknown := [n for n in names if n not in FIELDS]:
        raise CdxInputError(f"fl names unknown fields {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    return names


def _number(value: str | None, name: str, allow_negative: bool = False) -> int | None:
    if value is None or value == "":
        return None
    if not re.fullmatch(r"-?\d{1,9}" if allow_negative else r"\d{1,9}", value):
        raise CdxInputError(f"{name} must be a whole number")
    return int(value)
