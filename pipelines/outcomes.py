"""What became of every request a crawl made: one outcome each, recorded in the archive.

Article fetches end in the decide-and-store step (``new``, ``alias``, …, ``dropped:<reason>``).
Everything else — discovery pages, robots.txt, earlier attempts of a retried or
redirected request, requests refused or failed without a response — is announced with
the ``fetch_outcome`` signal, which the decide-and-store step records as a snapshot row
(links refused in bulk, with ``links_refused``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scrapy.exceptions import IgnoreRequest

from archive.warc import RecordRef

fetch_outcome = object()
"""Signal: ``fetch_outcome(request, outcome, detail, response)`` — a request's final outcome."""

links_refused = object()
"""Signal: ``links_refused(urls, outcome)`` — links refused before a request was made (robots.txt
disallows them), all of one sitemap or feed at once: it may list 50,000."""

REDIRECTED = "redirected"
ROBOTS = "robots"
FETCHED = "fetched"
DISCOVERED = "discovered"  # discovered:<sitemapindex|urlset|feed|html>
REFUSED = "refused"  # refused:<reason>
FAILED = "failed"  # failed:<error>
RETRIED = "retried"  # retried:<why>


class RequestRefused(IgnoreRequest):
    """A request the crawler will not make (a private address, another site, a loop)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.response = None  # the response the refusal is about, when there is one (a loop's last hop)


@dataclass(frozen=True)
class Capture:
    """One response as the WARC keeps it, on its way to an outcome (``request.meta["captures"]``)."""

    url: str
    status: int | None
    fetched_at: str
    content_type: str | None
    ref: RecordRef | None  # the WARC record; None: no response came
    error: str | None = None  # why no response came (an attempt that was retried)

    def row(self, outcome: str, detail: str | None = None) -> dict:
        """The snapshot row of this capture with its outcome."""
        return {
            "url": self.url,
            "final_url": self.url,
            "status": self.status,
            "fetched_at": self.fetched_at,
            "content_type": self.content_type,
            "ref": asdict(self.ref) if self.ref else None,
            "outcome": outcome,
            "detail": detail if detail is not None else self.error,
        }


def earlier_fates(captures: list[Capture], next_url: str | None = None) -> list[str]:
    """The outcome of every capture followed by another one (or by a request for ``next_url``):
    redirected when that is another URL (a 3xx or a meta refresh), else retried (a 429 or
    5xx asked again)."""
    urls = [c.url for c in captures[1:]] + ([next_url] if next_url else [])
    return [
        REDIRECTED if url != capture.url else f"{RETRIED}:{capture.error or f'http_{capture.status}'}"
        for capture, url in zip(captures, urls, strict=False)
    ]


def outcome_rows(url: str, captures: list[Capture], outcome: str, detail: str | None, responded: bool) -> list[dict]:
    """The snapshot rows of a request's end: a row per capture, the last with ``outcome`` when
    it is the response the outcome is about; else one more row, without a record."""
    if responded and captures:
        rows = [c.row(f) for c, f in zip(captures, earlier_fates(captures), strict=False)]
        return [*rows, captures[-1].row(outcome, detail)]
    rows = [c.row(f) for c, f in zip(captures, earlier_fates(captures, url), strict=False)]
    return [*rows, {"url": url, "status": None, "ref": None, "outcome": outcome, "detail": detail}]


def failure_outcome(exception: BaseException) -> tuple[str, str]:
    """(outcome, detail) of a request that ended in an exception."""
    message = str(exception).splitlines()[0][:500] if str(exception) else ""
    if isinstance(exception, RequestRefused):
        return f"{REFUSED}:{exception.reason}", exception.detail
    if (response := getattr(exception, "response", None)) is not None:  # HttpError
        return f"{FAILED}:http_{response.status}", message
    if isinstance(exception, IgnoreRequest):
        lowered = message.lower()
        if "robots.txt" in lowered:
            return f"{REFUSED}:robots_txt", ""
        if "max redirections" in lowered:
            return f"{FAILED}:too_many_redirects", message
        if "download_maxsize" in lowered or "max size" in lowered:
            return f"{FAILED}:too_large", message
        return f"{REFUSED}:ignored", message
    lowered = message.lower()
    if "maxsize" in lowered or "max size" in lowered or "larger than download" in lowered:
        return f"{FAILED}:too_large", message
    return f"{FAILED}:{exception.__class__.__name__}", message
